"""Files rewritten in place (by ``pin`` and ``check --fix``): exact bytes in, atomic bytes out.

A file is decoded once with the encoding it came in (UTF-8, with or without a byte-order
mark, or UTF-16 with its mark) and encoded back the same way, so every byte an edit does not
change is written back unchanged, line endings included. A write goes to a temporary file in
the same directory, is read back and compared, and then replaces the original in one rename:
a reader sees the old file or the new one, never half of either. The file keeps its owner,
group and mode. When a rename cannot keep them (a hard-linked file, whose other names would
keep the old text; a file whose owner could not be given back, as when run by another user),
the verified text is written into the original in place instead, with SIGINT and SIGTERM
held until it is whole.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import signal
import stat
import tempfile

from .loader import MAX_BYTES, NotRead, display_path, open_regular, too_large

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


class Unreadable(Exception):
    pass


class Passed(Unreadable):
    """Not a file that is read (a pipe, a socket, a device, a file over the size limit): a
    note, not an error, as ``check`` skips them."""


class Source:
    """A file's text and how to write it back."""

    __slots__ = ("path", "real_path", "data", "bom", "codec", "text")

    def __init__(self, path: str, real_path: str, data: bytes, bom: bytes, codec: str, text: str) -> None:
        self.path = path            # display path
        self.real_path = real_path  # where a rewrite goes (a symlink's target, inside the tree)
        self.data = data
        self.bom = bom
        self.codec = codec
        self.text = text

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.codec)


def read_source(path: str, root: str) -> Source:
    """A Source, or Unreadable with the reason."""
    real = os.path.realpath(path)
    if os.path.islink(path):
        top = os.path.realpath(root)
        if not (real == top or real.startswith(top.rstrip(os.sep) + os.sep)):
            raise Unreadable("symlink points outside the scanned tree; not read")
    try:
        with open_regular(path) as handle:
            data = handle.read(MAX_BYTES + 1)
    except NotRead as exc:
        raise Passed(str(exc)) from None
    except IsADirectoryError:
        raise Unreadable("is a directory") from None
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise Passed(str(too_large()))
    bom, codec = b"", "utf-8"
    for mark, name in _BOMS:
        if data.startswith(mark):
            bom, codec = mark, name
            break
    if codec == "utf-8" and b"\x00" in data:
        raise Unreadable("binary content (NUL bytes)")
    try:
        text = data[len(bom):].decode(codec)
    except UnicodeDecodeError:
        raise Unreadable(f"not valid {codec.upper()}") from None
    return Source(display_path(path), real, data, bom, codec, text)


def write_atomic(source: Source, text: str) -> None:
    """Replace the file with ``text`` in its own encoding, keeping owner, mode and links.

    Refuses (OSError) when the file changed on disk since it was read.
    """
    data = source.encode(text)
    try:
        handle = open_regular(source.real_path)
    except NotRead:
        raise OSError("the file is no longer a regular file; not rewritten") from None
    with handle:
        if handle.read(MAX_BYTES + 1) != source.data:
            raise OSError("the file changed on disk while it was being rewritten; not rewritten")
        status = os.fstat(handle.fileno())
    directory = os.path.dirname(source.real_path)
    fd, temporary = tempfile.mkstemp(prefix=".platform-skills-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with open(temporary, "rb") as handle:
            if handle.read() != data:
                raise OSError("the temporary file did not read back as written; not rewritten")
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        if status.st_nlink == 1 and _owned_like(temporary, status):
            os.replace(temporary, source.real_path)
        else:
            _write_in_place(source, data)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _owned_like(path: str, status: os.stat_result) -> bool:
    """Give ``path`` the owner and group of ``status``; False when that is not allowed."""
    mine = os.stat(path)
    if (mine.st_uid, mine.st_gid) == (status.st_uid, status.st_gid):
        return True
    try:
        os.chown(path, status.st_uid, status.st_gid)
    except OSError:
        return False
    return True


def _write_in_place(source: Source, data: bytes) -> None:
    """Overwrite the file's own bytes (same inode: links, owner and mode stay); interrupts
    wait until the file is whole, and a failed write puts the old bytes back."""
    held = {signal.SIGINT, signal.SIGTERM}
    blocked = _hold(held)
    try:
        with open(source.real_path, "r+b") as handle:
            try:
                handle.write(data)
                handle.truncate()
                handle.flush()
                os.fsync(handle.fileno())
            except OSError:
                handle.seek(0)
                handle.write(source.data)
                handle.truncate()
                raise
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def _hold(signals: Collection[signal.Signals]) -> bool:
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    except (AttributeError, ValueError, OSError):  # no signal masks on this platform
        return False
    return True


def unified_diff(path: str, old: str, new: str) -> str:
    """A ``git diff``-style patch of one file (lines keep their own endings)."""
    lines = []
    for line in difflib.unified_diff(_lines(old), _lines(new), fromfile=f"a/{path}",
                                     tofile=f"b/{path}"):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _lines(text: str) -> list[str]:
    """Lines split at ``\\n`` only, each keeping its ending (``\\r\\n`` stays whole)."""
    return _LINE.findall(text)
