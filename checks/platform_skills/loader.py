"""Finding, reading and parsing files: the only code that touches the file system.

Every failure becomes a ``FileError`` for that file alone; nothing here raises for bad
input. Files that are simply not ours (an unrelated YAML list, an empty file) are passed
over quietly; files that are ours but templated are passed over with a ``Skipped`` notice.
What a file is, and how it is parsed, comes from the kinds table (``kinds.py``).
"""

import os

from . import kinds
from .model import Document, FileError, Skipped
from .parsers import ParseError

SKIP_DIRS = frozenset((".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", ".terraform", "site-packages",
                       # Go's fixture folders, which its tooling ignores too: test inputs, not config
                       "testdata", "_testdata"))
MAX_BYTES = 10 * 1024 * 1024
_ASK = object()


def display_path(path):
    """Relative to the current directory, with "/" separators."""
    rel = os.path.normpath(path) if not os.path.isabs(path) else os.path.relpath(path)
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def discover(paths, excluded=None, only=None):
    """Expand the paths given on the command line into ``(path, root)`` candidates.

    Directories are walked for files some kind reads (``only``: of these kind names); files
    named explicitly are taken as
    given, whatever their name (pre-commit decides what to pass). ``root`` is the tree a
    symlinked file must resolve into. Returns ``(candidates, errors)``.
    """
    candidates, errors = [], []
    for given in paths:
        if os.path.isdir(given):
            candidates.extend((p, given) for p in walk(given, excluded, only))
        elif os.path.lexists(given):
            if excluded and excluded(display_path(given)):
                continue
            candidates.append((given, os.curdir))
        else:
            errors.append(FileError(display_path(given), "no such file or directory"))
    return candidates, errors


def walk(top, excluded=None, only=None):
    """Files under ``top`` that a kind reads; never follows directory symlinks, so loops
    cannot hang it."""
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        helm_chart = any(e.name == "Chart.yaml" for e in entries)
        for entry in entries:
            rel = display_path(entry.path)
            if excluded and excluded(rel):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIP_DIRS or (helm_chart and entry.name == "templates"):
                    continue
                if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                    continue  # a virtualenv
                stack.append(entry.path)
            elif kinds.wanted(rel, entry.name, only) and not kinds.ignored(rel):
                yield entry.path


def load(path, root=os.curdir):
    """Read and parse one file: ``(Document or None, FileError or Skipped or None)``."""
    shown = display_path(path)
    if kinds.ignored(shown):
        return None, None
    name = shown.rsplit("/", 1)[-1]
    kind = kinds.claiming(shown, name)
    try:
        text = _read_text(path, root)
    except _Unreadable as exc:
        return None, FileError(shown, str(exc))
    return document(shown, text, kind)


def document(shown, text, kind=_ASK):
    """Parse ``text`` as the file ``shown`` would be: ``(Document or None, problem or None)``.

    ``kind`` is the kind that claims the name (None: none does), when the caller already asked."""
    name = shown.rsplit("/", 1)[-1]
    if kind is _ASK:
        kind = kinds.claiming(shown, name)
    if not text.strip():
        return None, None
    candidates = [kind] if kind is not None else kinds.content_candidates(name, text)
    parsed = {}  # parser -> roots: content kinds sharing a parser parse the text once
    for candidate in candidates:
        if candidate.parse not in parsed:
            try:
                parsed[candidate.parse] = candidate.parse(text)
            except ParseError as exc:
                if exc.skip:
                    return None, Skipped(shown, exc.skip)
                return None, FileError(shown, str(exc))
            except Exception as exc:  # a parser bug must not end the run
                return None, FileError(shown, f"cannot parse: {type(exc).__name__}")
        try:
            kept = candidate.accept(parsed[candidate.parse], kind is not None)
        except kinds.KindError as exc:
            return None, FileError(shown, str(exc))
        if kept:
            return Document(shown, candidate.name, kept, text), None
    return None, None


def local_action_problem(repo, relative):
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


def _read_text(path, root):
    if os.path.islink(path):
        target = os.path.realpath(path)
        top = os.path.realpath(root)
        if not (target == top or target.startswith(top.rstrip(os.sep) + os.sep)):
            raise _Unreadable("symlink points outside the scanned tree; not read")
    try:
        with open(path, "rb") as handle:
            data = _read_all(handle)
    except IsADirectoryError:
        raise _Unreadable("is a directory") from None
    except OSError as exc:
        raise _Unreadable(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise _Unreadable(f"larger than {MAX_BYTES // (1024 * 1024)} MB; not checked")
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


def _read_all(handle):
    """The file's bytes, at most ``MAX_BYTES + 1`` of them.

    The read is sized from ``fstat`` (one small allocation for the common small file); a
    file that reports size 0 or the wrong size (``/proc``, a pipe, a file still growing)
    is read on in chunks until end of file or the limit.
    """
    try:
        size = os.fstat(handle.fileno()).st_size
    except OSError:
        size = 0
    data = handle.read(min(size, MAX_BYTES) + 1) if size else b""
    if size and len(data) <= size:
        return data  # the short read means end of file: the usual case
    chunks = [data]
    total = len(data)
    while total <= MAX_BYTES:
        chunk = handle.read(min(1 << 20, MAX_BYTES + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
