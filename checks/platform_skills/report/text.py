"""``--format text``: for people. One clickable ``path:line:`` line per finding, grouped by file.

Findings that share a line (one container missing several settings, all reported on its
``image:``) are introduced by one header naming what they share, so they read as one set;
each keeps its own ``path:line:`` line for editors and problem matchers.
"""

import re

from ..plaintext import plain
from .style import COLORS, config_line, error_lines, paint, shown_path, skipped_line, summary_line

_SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)\.\s+(?=[A-Z])")


def first_sentence(markdown):
    text = plain(markdown).strip()
    match = _SENTENCE_END.search(text)
    return text if match is None else text[:match.start() + 1]


def _finding(report, f, shown=None):
    sev = paint(report, COLORS[f.rule.severity], f"[{f.rule.severity}]")
    path = shown_path(f.path)
    where = f"{path}:{f.line}:" if f.line else f"{path}:"
    related = "".join(f"\n    {shown_path(r.path)}:{r.line}: {r.note}" for r in f.related
                      if _key(r) != shown)
    return (f"{where} {f.rule.id} {f.rule.name} {sev} {plain(f.message)}{related}\n"
            f"    fix: {first_sentence(f.fix)}\n"
            f"    see: {f.rule.help_url}")


def _key(location):
    return (location.path, location.line, location.note)


def _header(group):
    """The line above findings that share a line, and the related place they all share."""
    common = set.intersection(*({_key(r) for r in f.related} for f in group))
    if len(common) == 1:
        path, line, note = shared = next(iter(common))
        return (f"{note} ({shown_path(path)}:{line}): {len(group)} findings on line "
                f"{group[0].line}", shared)
    return f"{len(group)} findings on line {group[0].line} of {shown_path(group[0].path)}", None


def _groups(findings):
    """Runs of consecutive findings on the same file and line."""
    group = []
    for f in findings:
        if group and (f.path, f.line) != (group[0].path, group[0].line):
            yield group
            group = []
        group.append(f)
    if group:
        yield group


def render(report):
    out = []
    current = None
    for group in _groups(report.findings):
        if group[0].path != current:
            if current is not None:
                out.append("")
            current = group[0].path
        shared = None
        if len(group) > 1 and group[0].line:
            header, shared = _header(group)
            out.append(header)
        out.extend(_finding(report, f, shared) for f in group)
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

