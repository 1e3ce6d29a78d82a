"""Other files of the checked tree that a document's facts depend on.

Rules never open files, yet some facts live in a neighbour: the ``Chart.lock`` beside a
``Chart.yaml``, the build artifacts a ``skaffold.yaml`` names, the ``trivy.yaml`` a scan step
reads, the variables and provider blocks in a Terraform module's other files. The loader
gives every document the ``Surroundings`` of the tree it was found in; the kinds' views and
the readers ask it. Each neighbour is read once per process, only when asked, through the
loader's own reader (the same symlink, size and encoding rules), and a neighbour that cannot
be read or parsed simply holds no facts: its own problems are reported when it is checked.
"""

from __future__ import annotations

import os

from .parsers import ParseError, terraform_roots, yaml_roots

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from .nodes import Node


class Surroundings:
    """The tree at ``top``: ``read(path)`` returns a file's text or raises, ``find(accept)``
    yields the paths of the tree's files whose name ``accept`` takes (the folders a walk of
    the loader skips left out)."""

    def __init__(self, top: str, read: Callable[[str], str],
                 find: Callable[[Callable[[str], bool]], Iterator[str]]) -> None:
        self.top = top
        self._read = read
        self._find = find
        self._parsed: dict[tuple[str, Callable[[str], Any]], Any] = {}
        self._named: dict[Callable[[str], bool], list[str]] = {}
        self.memo: dict[str, Any] = {}  # facts readers derive from the tree, derived once (Skaffold's artifacts)

    def exists(self, path: str) -> bool:
        return os.path.isfile(path)

    def _parse(self, path: str, parse: Callable[[str], Any]) -> Any:
        key = (path, parse)
        if key not in self._parsed:
            try:
                self._parsed[key] = parse(self._read(path))
            except (ParseError, OSError, ValueError, UnicodeError):
                self._parsed[key] = None
            except Exception:  # an unreadable neighbour is not this document's problem
                self._parsed[key] = None
        return self._parsed[key]

    def yaml(self, path: str) -> list[Node] | None:
        """The YAML roots of ``path``, or None when it is absent or not valid YAML."""
        return self._parse(path, yaml_roots) if os.path.isfile(path) else None

    def terraform(self, path: str) -> dict[str, Any] | None:
        """``hcl2``'s dict for a ``.tf`` file, or None when absent or not parsable."""
        found = self._parse(path, terraform_roots) if os.path.isfile(path) else None
        return found[0] if found else None

    def named(self, accept: Callable[[str], bool]) -> list[str]:
        """Paths of the tree's files whose name ``accept`` takes (one walk per process and
        ``accept``: a one-file run in a large repository walks its folders once, by name)."""
        found = self._named.get(accept)
        if found is None:
            found = self._named[accept] = list(self._find(accept))
        return found

    def folder(self, directory: str, suffix: str) -> list[str]:
        """Paths of the files in ``directory`` (not below) whose names end in ``suffix``."""
        try:
            names = sorted(e.name for e in os.scandir(directory or os.curdir)
                           if e.name.endswith(suffix) and e.is_file(follow_symlinks=False))
        except OSError:
            return []
        return [os.path.join(directory, n) if directory else n for n in names]


_BY_TOP: dict[str, Surroundings] = {}
_BY_GIVEN: dict[str, Surroundings] = {}  # ``top`` as given -> its Surroundings: one realpath per tree, not per file


def of_tree(top: str, read: Callable[[str], str],
            find: Callable[[Callable[[str], bool]], Iterator[str]]) -> Surroundings:
    """The one ``Surroundings`` of the tree at ``top`` in this process."""
    found = _BY_GIVEN.get(top)
    if found is None:
        key = os.path.realpath(top)
        found = _BY_TOP.get(key)
        if found is None:
            found = _BY_TOP[key] = Surroundings(top, read, find)
        _BY_GIVEN[top] = found
    return found


def detached() -> Surroundings:
    """Surroundings for a document built from text, outside any checked tree: files beside
    its path are read plainly, and no tree is searched."""
    def read(path: str) -> str:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    return Surroundings(os.curdir, read, lambda accept: iter(()))


def forget() -> None:
    """Drop what this process remembers (a new run may see changed files)."""
    _BY_TOP.clear()
    _BY_GIVEN.clear()
