"""The files pin reads and rewrites: discovery here; exact bytes in and atomic bytes out
come from ``textfiles``, which ``check --fix`` shares.
"""

import os

from .. import kinds
from ..loader import display_path, walk
from ..textfiles import Passed, Source, Unreadable, read_source, write_atomic  # noqa: F401  (pin's API)


def discover(paths, excluded=None):
    """``(path, root, kind)`` for every YAML file and Dockerfile under ``paths``, kind
    ``"yaml"`` or ``"dockerfile"``; plus a list of ``(path, message)`` errors."""
    found, errors = [], []
    for given in paths:
        if os.path.isdir(given):
            found.extend((path, given, kind) for path, kind in _walk(given, excluded))
        elif os.path.lexists(given):
            if not (excluded and excluded(display_path(given))):
                found.append((given, os.curdir, _kind(given)))
        else:
            errors.append((display_path(given), "no such file or directory"))
    unique, seen = [], set()
    for item in found:  # a file named twice (or inside a folder also named) is pinned once
        real = os.path.realpath(item[0])
        if real not in seen:
            seen.add(real)
            unique.append(item)
    return unique, errors


# The kinds pin reads: YAML that names actions or images, and Dockerfiles.
_PIN_KINDS = frozenset(("workflow", "action", "manifest", "dockerfile"))


def _kind(path):
    """``"dockerfile"`` when the kinds table says so, else ``"yaml"``."""
    shown = display_path(path)
    kind = kinds.claiming(shown, os.path.basename(path))
    return "dockerfile" if kind is not None and kind.name == "dockerfile" else "yaml"


def _walk(top, excluded):
    """The loader's own walk (same skipped folders, never following directory symlinks),
    limited to the kinds pin edits."""
    for path in walk(top, excluded, _PIN_KINDS):
        yield path, _kind(path)
