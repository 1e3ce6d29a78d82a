"""Finding, reading and parsing files: the only code that touches the file system.

Every failure becomes a ``FileError`` for that file alone; nothing here raises for bad
input. Files that are simply not ours (an unrelated YAML list, an empty file) are passed
over quietly. Only a file positively of a kind (by its location or name) is an error when it
does not parse; one that would be recognised by content but does not parse (a test fixture,
a documentation snippet with placeholders, a template) is passed over with a ``Skipped``
reason, as are a Helm chart's ``templates/`` (not rendered here).
What a file is, and how it is parsed, comes from the kinds table (``kinds.py``).

Only regular files are opened; pipes, sockets and devices are skipped with their reason, as
are files over ``MAX_BYTES``. A file named twice on the command line is read once. Duplicate
mapping keys are settled by the YAML parser, one way for every reader: the last one wins (as
kubectl reads a manifest), and a workflow or action reports them as an error of the file,
because GitHub rejects it (``parsers.yaml_roots``).
"""

from __future__ import annotations

import os
import stat

from . import kinds, surroundings
from .model import Document, FileError, Skipped
from .parsers import ParseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Iterator
    from typing import Any, BinaryIO

    from .kinds import Kind
    from .surroundings import Surroundings

    Excluded = Callable[[str], bool]  # display path -> whether the configuration excludes it

SKIP_DIRS = frozenset((".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", ".terraform", "site-packages",
                       # Go's fixture folders, which its tooling ignores too: test inputs, not config
                       "testdata", "_testdata"))
# Files above this size are skipped with a notice. Set from measurement: a 1 MiB workflow
# written to trip every rule in each of its ~3,000 jobs (16,000 findings) checks in 1.4-1.7 s
# and 90 MB on one loaded core; 2 MiB took 6 s, 9 MB took 35 s and 1 GB. Hand-written
# configuration is a few KiB; what exceeds this is generated (CRD bundles), and is named.
MAX_BYTES = 1024 * 1024
_ASK: Any = object()  # ``document``'s "kind not given": it asks the kinds table


def display_path(path: str) -> str:
    """Relative to the current directory, with "/" separators."""
    rel = os.path.normpath(path) if not os.path.isabs(path) else os.path.relpath(path)
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def discover(paths: Iterable[str], excluded: Excluded | None = None, only: Collection[str] | None = None,
             ) -> tuple[list[tuple[str, str]], list[FileError]]:
    """Expand the paths given on the command line into ``(path, root)`` candidates.

    Directories are walked for files some kind reads (``only``: of these kind names); files
    named explicitly are taken as
    given, whatever their name (pre-commit decides what to pass). ``root`` is the tree a
    symlinked file must resolve into. Returns ``(candidates, errors)``.
    """
    candidates: list[tuple[str, str]]
    errors: list[FileError]
    seen: set[str]
    candidates, errors, seen = [], [], set()
    for given in paths:
        if os.path.isdir(given):
            found = [(p, given) for p in walk(given, excluded, only)]
        elif os.path.lexists(given):
            if excluded and excluded(display_path(given)):
                continue
            found = [(given, os.curdir)]
        else:
            errors.append(FileError(display_path(given), "no such file or directory"))
            continue
        for path, root in found:
            # Overlapping arguments (``./Dockerfile Dockerfile .``) name one file: check it
            # once. By its path, not its target: a symlink is its own entry, as in a walk.
            key = os.path.normcase(os.path.abspath(path))
            if key not in seen:
                seen.add(key)
                candidates.append((path, root))
    return candidates, errors


def walk(top: str, excluded: Excluded | None = None, only: Collection[str] | None = None) -> Iterator[str]:
    """Files under ``top`` that a kind reads; never follows directory symlinks, so loops
    cannot hang it."""
    for entry, rel in _entries(top, excluded):
        if kinds.wanted(rel, entry.name, only) and not kinds.ignored(rel):
            yield entry.path


def find_named(top: str, accept: Callable[[str], bool]) -> Iterator[str]:
    """Files under ``top`` whose name ``accept`` takes, in the folders ``walk`` enters (what
    a view asks of the tree: its Skaffold configurations); no file is classified."""
    for entry, rel in _entries(top, None, accept):
        if not kinds.ignored(rel):
            yield entry.path


def _entries(top: str, excluded: Excluded | None, accept: Callable[[str], bool] | None = None,
             ) -> Iterator[tuple[os.DirEntry[str], str]]:
    """``(entry, display path)`` of the files under ``top`` (whose name ``accept`` takes), in
    name order, skipped and excluded folders left out."""
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if not is_dir and accept is not None and not accept(entry.name):
                continue  # before its display path is made: most files of a tree
            rel = display_path(entry.path)
            if excluded and excluded(rel):
                continue
            if not is_dir:
                yield entry, rel
            elif entry.name not in SKIP_DIRS and \
                    not os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):  # a virtualenv
                stack.append(entry.path)


def load(path: str, root: str = os.curdir) -> tuple[Document | None, FileError | Skipped | None]:
    """Read and parse one file: ``(Document or None, FileError or Skipped or None)``."""
    shown = display_path(path)
    if kinds.ignored(shown):
        return None, None
    name = shown.rsplit("/", 1)[-1]
    kind = kinds.claiming(shown, name)
    if kind is None and _in_chart_templates(path):
        return None, Skipped(shown, HELM_TEMPLATE)
    try:
        text = _read_text(path, root)
    except NotRead as exc:
        return None, Skipped(shown, str(exc))
    except _Unreadable as exc:
        return None, FileError(shown, str(exc))
    return document(shown, text, kind, root)


def document(shown: str, text: str, kind: Kind | None = _ASK, root: str | None = None,
             ) -> tuple[Document | None, FileError | Skipped | None]:
    """Parse ``text`` as the file ``shown`` would be: ``(Document or None, problem or None)``.

    ``kind`` is the kind that claims the name (None: none does), when the caller already asked;
    ``root`` the tree it was found in (None: a text alone, which sees no other files)."""
    name = shown.rsplit("/", 1)[-1]
    if kind is _ASK:
        kind = kinds.claiming(shown, name)
    if not text.strip():
        return None, None
    candidates = [kind] if kind is not None else kinds.content_candidates(name, text)
    named = kind is not None or kinds.named_kind(name) is not None  # of a kind by its name
    parsed = {}  # parser -> roots: content kinds sharing a parser parse the text once
    for candidate in candidates:
        if candidate.parse not in parsed:
            try:
                parsed[candidate.parse] = candidate.parse(text)
            except ParseError as exc:
                if exc.skip:
                    return None, Skipped(shown, exc.skip)
                if not named:  # its kind cannot be told: a fixture, a snippet, a template
                    return None, Skipped(shown, f"{UNPARSABLE}: {exc}")
                return None, FileError(shown, str(exc))
            except Exception as exc:  # a parser bug must not end the run
                return None, FileError(shown, f"cannot parse: {type(exc).__name__}")
        try:
            kept = candidate.accept(parsed[candidate.parse], kind is not None)
        except kinds.KindError as exc:
            return None, FileError(shown, str(exc))
        if kept:
            around = surroundings_of(root) if root is not None else None
            return Document(shown, candidate.name, kept, text, around), None
    return None, None


def surroundings_of(root: str) -> Surroundings:
    """The other files of the tree at ``root``, read through this module's reader."""
    return surroundings.of_tree(root, lambda path: _read_text(path, root),
                                lambda accept: find_named(root, accept))


# Skip reasons: a category, then what the user can do (``--show-skipped`` lists each file).
HELM_TEMPLATE = "Helm chart template, not rendered (run helm template and check its output)"
UNPARSABLE = "does not parse and nothing says it is a file the checks read (a fixture or a snippet?)"


def _in_chart_templates(path: str) -> bool:
    """Whether ``path`` lies below the ``templates/`` folder of a Helm chart."""
    folder = os.path.dirname(os.path.abspath(path))
    if "templates" not in folder:
        return False  # (most files: no walk up the tree)
    while True:
        parent, name = os.path.split(folder)
        if name == "templates" and os.path.isfile(os.path.join(parent, "Chart.yaml")):
            return True
        if not name or parent == folder:
            return False
        folder = parent


def local_action_problem(repo: str, relative: str) -> str | None:
    """Why ``uses: ./<relative>`` cannot be followed from the repository ``repo``, or None."""
    top = os.path.realpath(repo)
    target = os.path.realpath(os.path.join(top, relative))
    if target != top and not target.startswith(top.rstrip(os.sep) + os.sep):
        return "points outside the repository"
    if os.path.isfile(target) and target.endswith((".yml", ".yaml")):
        return None  # a local reusable workflow
    if not any(os.path.isfile(os.path.join(target, n)) for n in ("action.yml", "action.yaml")):
        return "no action.yml there"
    return None


class _Unreadable(Exception):
    pass


class NotRead(Exception):
    """A file passed over with a notice (``Skipped``), not an error: the reason."""


class NotRegular(NotRead):
    """A named pipe, socket or device: never read (a pipe would block the run forever)."""


class TooLarge(NotRead):
    pass


def too_large() -> TooLarge:
    return TooLarge(f"larger than {MAX_BYTES // (1024 * 1024)} MiB; not read (generated "
                    "files this size are slow to check: exclude them, or split them)")


_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def open_regular(path: str) -> BinaryIO:
    """``path`` opened for reading in binary, if it is a regular file; else NotRegular."""
    fd, _ = _open_regular(path, os.stat(path).st_mode)
    return os.fdopen(fd, "rb")


def _open_regular(path: str, mode: int) -> tuple[int, int]:
    """``(descriptor, size)`` of ``path``, whose ``mode`` (from ``stat``) says it is a
    regular file.

    Checked again on the open descriptor: the open is non-blocking, so a file swapped for a
    pipe in between cannot hang the run either.
    """
    _require_regular(mode)
    fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    try:
        info = os.fstat(fd)
        _require_regular(info.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


_NONBLOCK = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def _require_regular(mode: int) -> None:
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):  # a directory fails its read, as before
        return
    what = next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")
    raise NotRegular(f"{what}, not a regular file; not read")


def _read_text(path: str, root: str) -> str:
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            target = os.path.realpath(path)
            top = os.path.realpath(root)
            if not (target == top or target.startswith(top.rstrip(os.sep) + os.sep)):
                raise _Unreadable("symlink points outside the scanned tree; not read")
            mode = os.stat(path).st_mode
        fd, size = _open_regular(path, mode)
        try:
            data = _read_all(fd, size)
        finally:
            os.close(fd)
    except IsADirectoryError:
        raise _Unreadable("is a directory") from None
    except OSError as exc:
        raise _Unreadable(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise too_large()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _Unreadable("not valid UTF-16 despite its byte-order mark") from None
    if b"\x00" in data:
        raise _Unreadable("binary content (NUL bytes); not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                          f"{exc.start})") from None


def _read_all(fd: int, size: int) -> bytes:
    """The file's bytes, at most ``MAX_BYTES + 1`` of them.

    The read is sized from ``size`` (from ``fstat``: one read for the common small file,
    with no buffered file object around it); a file that reports size 0 or the wrong size
    (``/proc``, a file still growing) is read on in chunks until end of file or the limit.
    """
    data = os.read(fd, min(size, MAX_BYTES) + 1) if size else b""
    if size and len(data) <= size:
        return data  # the short read means end of file: the usual case
    chunks = [data]
    total = len(data)
    while total <= MAX_BYTES:
        chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
