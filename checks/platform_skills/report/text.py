"""``--format text``: for people. One clickable ``path:line:`` line per finding, grouped by file."""

import re

from ..plaintext import plain
from .style import COLORS, config_line, error_lines, paint, skipped_line, summary_line

_SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)\.\s+(?=[A-Z])")


def first_sentence(markdown):
    text = plain(markdown).strip()
    match = _SENTENCE_END.search(text)
    return text if match is None else text[:match.start() + 1]


def _finding(report, f):
    sev = paint(report, COLORS[f.rule.severity], f"[{f.rule.severity}]")
    where = f"{f.path}:{f.line}:" if f.line else f"{f.path}:"
    related = "".join(f"\n    {r.path}:{r.line}: {r.note}" for r in f.related)
    return (f"{where} {f.rule.id} {f.rule.name} {sev} {plain(f.message)}{related}\n"
            f"    fix: {first_sentence(f.fix)}\n"
            f"    see: {f.rule.help_url}")


def render(report):
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
        out.extend(error_lines(report))
    if out:
        out.append("")
    skipped = skipped_line(report)
    if skipped:
        out.append(skipped)
    out.append(summary_line(report))
    config = config_line(report)
    if config:
        out.append(config)
    return "\n".join(out)

