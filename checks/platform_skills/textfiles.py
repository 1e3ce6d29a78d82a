"""Files rewritten in place (by ``pin`` and ``check --fix``): exact bytes in, atomic bytes out.

A file is decoded once with the encoding it came in (UTF-8, with or without a byte-order
mark, or UTF-16 with its mark) and encoded back the same way, so every byte an edit does
not change is written back unchanged, line endings included. A write goes to a temporary
file in the same directory, which then replaces the original in one rename: a reader sees
the old file or the new one, never half of either.
"""

import contextlib
import difflib
import os
import re
import stat
import tempfile

from .loader import MAX_BYTES, display_path

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


class Unreadable(Exception):
    pass


class Source:
    """A file's text and how to write it back."""

    __slots__ = ("path", "real_path", "data", "bom", "codec", "text")

    def __init__(self, path, real_path, data, bom, codec, text):
        self.path = path            # display path
        self.real_path = real_path  # where a rewrite goes (a symlink's target, inside the tree)
        self.data = data
        self.bom = bom
        self.codec = codec
        self.text = text

    def encode(self, text):
        return self.bom + text.encode(self.codec)


def read_source(path, root):
    """A Source, or Unreadable with the reason."""
    real = os.path.realpath(path)
    if os.path.islink(path):
        top = os.path.realpath(root)
        if not (real == top or real.startswith(top.rstrip(os.sep) + os.sep)):
            raise Unreadable("symlink points outside the scanned tree; not read")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise Unreadable("is a directory") from None
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise Unreadable(f"larger than {MAX_BYTES // (1024 * 1024)} MB; not read")
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


def write_atomic(source, text):
    """Replace the file with ``text`` in its own encoding, keeping its permission bits.

    Refuses (OSError) when the file changed on disk since it was read.
    """
    with open(source.real_path, "rb") as handle:
        if handle.read(MAX_BYTES + 1) != source.data:
            raise OSError("the file changed on disk while it was being rewritten; not rewritten")
    mode = stat.S_IMODE(os.stat(source.real_path).st_mode)
    directory = os.path.dirname(source.real_path)
    fd, temporary = tempfile.mkstemp(prefix=".platform-skills-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(source.encode(text))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, source.real_path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def unified_diff(path, old, new):
    """A ``git diff``-style patch of one file (lines keep their own endings)."""
    lines = []
    for line in difflib.unified_diff(_lines(old), _lines(new), fromfile=f"a/{path}",
                                     tofile=f"b/{path}"):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _lines(text):
    """Lines split at ``\\n`` only, each keeping its ending (``\\r\\n`` stays whole)."""
    return _LINE.findall(text)
