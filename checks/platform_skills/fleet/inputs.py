"""Read audit reports made elsewhere: ``audit --format json`` files, or earlier fleet JSON.

Everything here is untrusted input (an artifact from another job, a file anyone could
write): each file is checked for the shape it claims, a bad one is an error naming the
file, and the other files are still read.
"""

import json
import os

MAX_BYTES = 64 * 1024 * 1024


class InputError(Exception):
    """A report that cannot be read or has the wrong shape; the message names the file."""


def expand(paths):
    """Files to read: a named file as given, a folder's ``*.json`` files (sorted, recursive).
    Returns ``(files, errors)``."""
    files, errors = [], []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(os.path.join(top, name) for top, _, names in os.walk(path)
                           for name in names if name.endswith(".json"))
            if not found:
                errors.append({"path": _shown(path), "message": "no .json report in this folder"})
            files.extend(found)
        elif os.path.exists(path):
            files.append(path)
        else:
            errors.append({"path": _shown(path), "message": "no such file or directory"})
    return files, errors


def read(paths):
    """``(entries, errors)``: one entry per repository found in the reports at ``paths``."""
    files, errors = expand(paths)
    entries = []
    for path in files:
        try:
            entries.extend(read_file(path))
        except InputError as exc:
            errors.append({"path": _shown(path), "message": str(exc)})
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
    if not isinstance(data, dict):
        raise InputError("not an audit report: expected a JSON object")
    if data.get("version", 1) != 1:
        raise InputError(f"report version {data.get('version')!r} is not supported (expected 1)")
    if isinstance(data.get("repositories"), list):  # a fleet report: merge its repositories
        return [entry(item, None, f"repositories[{i}]")
                for i, item in enumerate(data["repositories"])]
    if "findings" not in data:
        raise InputError("not an audit report: no 'findings' (make it with "
                         "'platform-skills audit --format json')")
    stem = os.path.splitext(os.path.basename(path))[0]
    return [entry(data, stem, "")]


def entry(data, fallback_name, where):
    """One repository's entry, checked: ``repository`` (else ``fallback_name``), findings,
    unseen (absent before 0.3: none), errors, skipped, and gap_rows when the report says."""
    at = f"{where}: " if where else ""
    if not isinstance(data, dict):
        raise InputError(f"{at}expected an object")
    name = data.get("repository")
    if not isinstance(name, str) or not name.strip():
        if fallback_name is None:
            raise InputError(f"{at}no 'repository' name")
        name = fallback_name
    out = {"repository": name}
    for key in ("findings", "unseen", "errors", "skipped"):
        items = data.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise InputError(f"{at}'{key}' must be a list of objects")
        out[key] = items
    for finding in out["findings"]:
        if not isinstance(finding.get("rule"), str):
            raise InputError(f"{at}a finding without a 'rule' ID")
    rows = data.get("gap_rows")
    if rows is not None:
        if not isinstance(rows, list) or not all(isinstance(r, str) for r in rows):
            raise InputError(f"{at}'gap_rows' must be a list of rule IDs")
        out["gap_rows"] = rows
    return out


def _shown(path):
    from ..loader import display_path
    return display_path(path)
