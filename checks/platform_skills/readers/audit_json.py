"""Audit reports from elsewhere: the repositories an ``audit --format json`` object (or an
earlier ``fleet --format json`` object) describes, checked for the shape they claim.

The object is untrusted (an artifact of another job, a file anyone could write); a wrong
shape raises ReportError with what is wrong, and the caller names the file.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class ReportError(Exception):
    pass


def repositories(data: Any, fallback_name: str | None) -> list[dict[str, Any]]:
    """The repository entries of a parsed report: ``[{"repository", "findings", "unseen",
    "errors", "skipped"[, "gap_rows"]}]``. An audit report without a ``repository`` name (made
    before 0.3) is named ``fallback_name``; one without ``unseen`` has none."""
    if not isinstance(data, dict):
        raise ReportError("not an audit report: expected a JSON object")
    if data.get("version", 1) != 1:
        raise ReportError(f"report version {data.get('version')!r} is not supported (expected 1)")
    if isinstance(data.get("repositories"), list):  # a fleet report: its repositories
        return [entry(item, None, f"repositories[{i}]")
                for i, item in enumerate(data["repositories"])]
    if "findings" not in data:
        raise ReportError("not an audit report: no 'findings' (make it with "
                          "'platform-skills audit --format json')")
    return [entry(data, fallback_name, "")]


def entry(data: Any, fallback_name: str | None, where: str = "") -> dict[str, Any]:
    """One repository's entry, checked, with its keys in one order whatever the input's."""
    at = f"{where}: " if where else ""
    if not isinstance(data, dict):
        raise ReportError(f"{at}expected an object")
    name = data.get("repository")
    if not isinstance(name, str) or not name.strip():
        if fallback_name is None:
            raise ReportError(f"{at}no 'repository' name")
        name = fallback_name
    out: dict[str, Any] = {"repository": name}
    for key in ("findings", "unseen", "errors", "skipped"):
        items = data.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ReportError(f"{at}'{key}' must be a list of objects")
        out[key] = items
    for finding in out["findings"]:
        if not isinstance(finding.get("rule"), str):
            raise ReportError(f"{at}a finding without a 'rule' ID")
    rows = data.get("gap_rows")
    if rows is not None:
        if not isinstance(rows, list) or not all(isinstance(r, str) for r in rows):
            raise ReportError(f"{at}'gap_rows' must be a list of rule IDs")
        out["gap_rows"] = rows
    return out
