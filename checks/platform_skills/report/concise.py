"""``--format concise``: one line per finding, ``path:line:col: ID [severity] message``.

The shape compilers and linters print, which editors and ``grep`` read; the fix and the
help link are one ``platform-skills rule ID`` away.
"""

from ..plaintext import plain
from .style import COLORS, config_line, error_lines, paint, shown_path, skipped_line, summary_line


def finding_line(report, f):
    where = shown_path(f.path) + "".join(f":{n}" for n in (f.line, f.column) if f.line and n)
    sev = paint(report, COLORS[f.rule.severity], f"[{f.rule.severity}]")
    return f"{where}: {f.rule.id} {sev} {plain(f.message)}"


def render(report):
    out = [finding_line(report, f) for f in report.shown]
    out.extend(error_lines(report))
    out.extend(line for line in (skipped_line(report), summary_line(report), config_line(report))
               if line)
    return "\n".join(out)
