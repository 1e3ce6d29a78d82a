"""``--statistics``: how many findings each rule raised, most first, one line per rule."""

from .style import COLORS, config_line, error_lines, paint, skipped_line, summary_line


def render(report):
    counts = {}
    for f in report.shown:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].id))
    width = max((len(rule.name) for rule in counts), default=0)
    out = [f"{count:>5}  {rule.id:<6}  {rule.name:<{width}}  "
           f"{paint(report, COLORS[rule.severity], f'[{rule.severity}]')}"
           for rule, count in ranked]
    if out:
        out.append("")
    out.extend(error_lines(report))
    out.extend(line for line in (skipped_line(report), summary_line(report), config_line(report))
               if line)
    return "\n".join(out)
