"""``--format github``: workflow commands that GitHub shows as annotations on the diff."""

from ..plaintext import plain

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
        out.append(f"::error file={_prop(e.path)},title=platform-skills::{_data(e.message)}")
    return "\n".join(out)
