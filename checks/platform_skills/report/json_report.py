"""``--format json``: the machine-readable contract of RULES.md."""

import json


def finding_dict(f):
    return {"rule": f.rule.id, "name": f.rule.name, "severity": f.rule.severity,
            "path": f.path, "line": f.line, "message": f.message, "help": f.rule.help_url}


def render(report):
    findings = report.gaps if report.command == "audit" else report.findings
    return json.dumps({
        "version": 1,
        "findings": [finding_dict(f) for f in findings],
        "errors": [{"path": e.path, "message": e.message} for e in report.errors],
        "summary": {"files": report.files, "findings": len(findings),
                    "errors": len(report.errors)},
    }, indent=2)
