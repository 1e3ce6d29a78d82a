"""``--format text``: for people. One clickable ``path:line:`` line per finding, grouped by file."""

import re

from ..model import SEVERITIES

_COLORS = {"critical": "1;31", "high": "31", "medium": "33", "low": "36"}


def _paint(report, code, text):
    return f"\033[{code}m{text}\033[0m" if report.color else text


_SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)\.\s+(?=[A-Z])")


def first_sentence(markdown):
    text = markdown.replace("`", "").strip()
    match = _SENTENCE_END.search(text)
    return text if match is None else text[:match.start() + 1]


def _finding(report, f):
    sev = _paint(report, _COLORS[f.rule.severity], f"[{f.rule.severity}]")
    where = f"{f.path}:{f.line}:" if f.line else f"{f.path}:"
    return (f"{where} {f.rule.id} {f.rule.name} {sev} {f.message}\n"
            f"    fix: {first_sentence(f.rule.fix)}\n"
            f"    see: {f.rule.help_url}")


def _summary(report, findings, files_word="file"):
    counts = {}
    for f in findings:
        counts[f.rule.severity] = counts.get(f.rule.severity, 0) + 1
    parts = [f"{counts[s]} {s}" for s in SEVERITIES if s in counts]
    detail = f" ({', '.join(parts)})" if parts else ""
    files = f"{report.files} {files_word}{'s' if report.files != 1 else ''} checked"
    errors = f", {len(report.errors)} error{'s' if len(report.errors) != 1 else ''}" \
        if report.errors else ""
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{len(findings)} {noun}{detail}; {files}{errors}"


def _errors(report):
    return [f"{e.path}: error: {e.message}" for e in report.errors]


def render(report):
    if report.command == "audit":
        from .audit_table import render_audit
        return render_audit(report)
    out = []
    current = None
    for f in report.findings:
        if f.path != current:
            if current is not None:
                out.append("")
            current = f.path
        out.append(_finding(report, f))
    if report.errors:
        if out:
            out.append("")
        out.extend(_errors(report))
    if out:
        out.append("")
    out.append(_summary(report, report.findings))
    return "\n".join(out)

