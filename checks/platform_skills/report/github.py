"""``--format github``: workflow commands that GitHub shows as annotations on the diff."""

import re

from ..plaintext import plain

# File errors name where the reader stopped in their text ("line 4: ...", "... at line 4,
# column 2"); the first such line is the problem's own.
_ERROR_LINE = re.compile(r"\bline (\d+)\b")

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}


def _data(text):
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text):
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report):
    out = []
    for f in report.shown:
        where = f"file={_prop(f.path)},line={f.line}," if f.line else ""
        title = _prop(f"{f.rule.id} {f.rule.name}")
        out.append(f"::{_LEVEL[f.rule.severity]} {where}title={title}::"
                   f"{_data(plain(f.message))} ({f.rule.help_url})")
    for e in report.errors:
        # Every annotation carries a line: the error's own when its message names one, else 1.
        found = _ERROR_LINE.search(e.message)
        line = found.group(1) if found and int(found.group(1)) > 0 else 1
        out.append(f"::error file={_prop(e.path)},line={line},title=platform-skills::"
                   f"{_data(e.message)}")
    return "\n".join(out)
