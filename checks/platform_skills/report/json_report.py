"""``--format json``: the machine-readable contract of RULES.md."""

import json

from ..plaintext import plain


def finding_dict(f):
    out = {"rule": f.rule.id, "name": f.rule.name, "severity": f.rule.severity,
           "path": f.path, "line": f.line, "message": f.message, "help": f.rule.help_url,
           "fix": plain(f.fix)}
    if f.column:
        out["column"] = f.column
    if f.related:
        out["related"] = [{"path": r.path, "line": r.line, "note": r.note} for r in f.related]
    return out


def render(report):
    findings = report.shown
    data = {
        "version": 1,
        "findings": [finding_dict(f) for f in findings],
        "errors": [{"path": e.path, "message": e.message} for e in report.errors],
        "summary": {"files": report.files, "findings": len(findings),
                    "errors": len(report.errors)},
    }
    if report.command == "audit":
        from ..audit import applicable_rows  # here: a check run need not load the audit
        # Which repository, and which gap rows apply to it and were run (the rest do not
        # apply, or its configuration ignores them), so a fleet report tells "ok" from "n/a".
        data["repository"] = report.repository
        data["gap_rows"] = report.gap_rows if report.gap_rows is not None else [
            row.rule.id for row in applicable_rows(report.facts)]
        # what the audit could not follow (RULES.md, [0.3])
        data["unseen"] = [{"path": u[0], "line": u[1], "what": u[2], "why": u[3]}
                          for u in report.facts.get("unseen") or []]
    for key in ("baselined", "stale", "fixed"):
        if getattr(report, key) is not None:
            data["summary"][key] = getattr(report, key)
    if report.readiness is not None:
        data["deny_readiness"] = [
            {"policy": r.policy, "path": r.path, "mode": r.mode, "pass": r.passed, "fail": r.failed,
             "verdict": r.verdict,
             "failing": [{"kind": k, "namespace": ns, "name": n} for k, ns, n in r.failing]}
            for r in report.readiness]
    if report.skipped:
        data["skipped"] = [{"path": s.path, "reason": s.reason} for s in report.skipped]
    return dump(data)


def dump(data):
    """``data`` as JSON, one top-level key a line and one list item a line: readable in a diff
    or a terminal, and encoded by json's C encoder (``indent`` would switch to the pure-Python
    one, a sixth of a large run)."""
    encode = json.JSONEncoder(ensure_ascii=True).encode
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n  ".join(encode(item) for item in value)
            lines.append(f"{encode(key)}: [\n  {items}]")
        else:
            lines.append(f"{encode(key)}: {encode(value)}")
    return "{" + ",\n ".join(lines) + "}"
