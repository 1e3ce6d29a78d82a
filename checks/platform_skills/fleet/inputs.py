"""Read audit reports made elsewhere from files: ``audit --format json`` output, earlier
fleet JSON, or folders of either. The shape is checked by ``readers.audit_json``; here a bad
file becomes an error naming it, and the other files are still read.
"""

import json
import os

from ..loader import display_path
from ..readers.audit_json import ReportError, entry, repositories

MAX_BYTES = 64 * 1024 * 1024

__all__ = ("InputError", "entry", "read", "read_file")


class InputError(Exception):
    """A report that cannot be read or has the wrong shape."""


def expand(paths):
    """Files to read: a named file as given, a folder's ``*.json`` files (sorted, recursive).
    Returns ``(files, errors)``."""
    files, errors = [], []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(os.path.join(top, name) for top, _, names in os.walk(path)
                           for name in names if name.endswith(".json"))
            if not found:
                errors.append({"path": display_path(path),
                               "message": "no .json report in this folder"})
            files.extend(found)
        elif os.path.exists(path):
            files.append(path)
        else:
            errors.append({"path": display_path(path), "message": "no such file or directory"})
    return files, errors


def read(paths):
    """``(entries, errors)``: one entry per repository found in the reports at ``paths``."""
    files, errors = expand(paths)
    entries = []
    for path in files:
        try:
            entries.extend(read_file(path))
        except InputError as exc:
            errors.append({"path": display_path(path), "message": str(exc)})
    return entries, errors


def read_file(path):
    """The repository entries of one report file; raises InputError."""
    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise InputError(f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from exc
    except (ValueError, RecursionError) as exc:
        raise InputError(f"not JSON: {exc}") from exc
    try:
        return repositories(data, os.path.splitext(os.path.basename(path))[0])
    except ReportError as exc:
        raise InputError(str(exc)) from exc
