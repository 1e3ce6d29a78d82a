"""Runs the native engine for a file Checkov is scanning; the adapters only ask it questions.

Checkov converts YAML to dicts and drops comments and scalar positions, which PSK002,
suppressions and exact lines need; so each file is parsed again by our loader, once, and
every rule's findings are cached for the checks that follow.

Each file is checked with the settings the CLI would give it, found by the same code
(``scopes``): the nearest ``.platform-skills.yaml`` or ``[tool.platform-skills]`` chooses
the rules (``select``/``ignore``), their options (``trusted-owners``, ``rules:``) and the
files left out (``exclude``), so the CLI and Checkov agree on every finding.
"""

import os
import sys

from platform_skills import loader
from platform_skills.config import ConfigError
from platform_skills.engine import check_document
from platform_skills.scopes import Scopes

_CACHE = {}
_SCOPES = Scopes()
_REPORTED = set()  # configuration errors already printed


class FileFindings:
    """The document kind of a file and the lines each rule fired at."""

    __slots__ = ("kind", "lines")

    def __init__(self, kind, findings):
        self.kind = kind
        self.lines = {}
        for f in findings:
            self.lines.setdefault(f.rule.id, []).append(f.line)


def findings_for(path):
    """``FileFindings`` of ``path``, or None when the file is not ours or unreadable."""
    path = os.path.abspath(path)
    try:
        key = (path, os.stat(path).st_mtime_ns)
    except OSError:
        return None
    if key not in _CACHE:
        _CACHE[key] = _check(path)
    return _CACHE[key]


def _check(path):
    try:
        scope = _SCOPES.of_file(path)
    except ConfigError as exc:
        # platform-skills-checkov validates every configuration before Checkov starts; a
        # bare `checkov --external-checks-dir` run still hears of a bad one, once.
        if str(exc) not in _REPORTED:
            _REPORTED.add(str(exc))
            print(f"platform-skills: error: {exc}", file=sys.stderr)
        return None
    if _SCOPES.left_out(path):
        return None
    doc, _ = loader.load(path, root=os.path.dirname(path))  # errors are the CLI's to report
    if doc is None:
        return None
    return FileFindings(doc.kind, check_document(doc, scope.selection, scope.options)[0])


def scanned_file(entity_path, entity_type, entity_name):
    """The file part of Checkov's ``<file>:<entity type>:<entity name>`` (file may hold ':')."""
    suffix = f":{entity_type}:{entity_name}"
    return entity_path[:-len(suffix)] if entity_path.endswith(suffix) else entity_path


def local_file(reported, argv=None):
    """The file Checkov means by ``reported``.

    Its dockerfile runner names a file relative to the scanned directory with a leading
    ``/`` (``/services/api/Dockerfile`` for ``-d .``), so the name is looked up under each
    ``-d``/``--directory`` of the command line, then the current directory, before it is
    taken as an absolute path.
    """
    argv = sys.argv[1:] if argv is None else argv
    roots = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("-d", "--directory")]
    roots += [a.split("=", 1)[1] for a in argv if a.startswith("--directory=")]
    for root in [*roots, os.curdir]:
        candidate = os.path.join(root, reported.lstrip("/" + os.sep))
        if os.path.isfile(candidate):
            return candidate
    return reported


def first_line_in(lines, start=None, end=None):
    inside = [n for n in lines if (start is None or start <= n) and (end is None or n <= end)]
    return min(inside) if inside else None


def scanned_root_file(path):
    """The file behind a path Checkov gives relative to the scanned directory (``/a/b.tf``).

    Checkov's terraform framework does not hand checks its root; the roots are the
    ``-d``/``--directory`` arguments (and the directories of ``-f``/``--file`` ones) it was
    started with, then the current directory."""
    relative = path.lstrip("/\\")
    for root in _scan_roots():
        candidate = os.path.join(root, relative)
        if os.path.isfile(candidate):
            return candidate
    return path


def _scan_roots():
    roots, args = [], sys.argv[1:]
    for index, arg in enumerate(args):
        name, eq, inline = arg.partition("=")
        if name in ("-d", "--directory", "-f", "--file"):
            given = inline if eq else (args[index + 1] if index + 1 < len(args) else "")
            if given:
                roots.append(given if name in ("-d", "--directory") else os.path.dirname(given) or ".")
    roots.append(os.curdir)
    return [os.path.abspath(r) for r in roots]
