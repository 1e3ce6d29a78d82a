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
    if report.readiness is not None:
        data["deny_readiness"] = [
            {"policy": r.policy, "path": r.path, "mode": r.mode, "pass": r.passed, "fail": r.failed,
             "verdict": r.verdict,
             "failing": [{"kind": k, "namespace": ns, "name": n} for k, ns, n in r.failing]}
            for r in report.readiness]
    if report.skipped:
        data["skipped"] = [{"path": s.path, "reason": s.reason} for s in report.skipped]
    return json.dumps(data, indent=2)
