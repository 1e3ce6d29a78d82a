"""The fleet as Markdown (a GitHub job summary): the gap counts, then the repositories x
gaps table, then each repository's gaps with their evidence.

Repository names and messages come from reports anyone could write: every one is escaped, so
a name cannot open a link, an image or HTML in the summary.
"""

import re

from .model import GAP, LEGEND, NOT_APPLICABLE, NOT_REPORTED, OK, cell, columns

MARK = {GAP: "**gap**", OK: "ok", NOT_APPLICABLE: "n/a", NOT_REPORTED: "–"}
# Mid-line, these are the characters that can start emphasis, code, a link or a table cell.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape(value):
    """Markdown- and HTML-inert text on one line, without control characters."""
    text = "".join(c if c.isprintable() else "?" for c in " ".join(str(value).split()))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def render(data):
    cols = columns(data)
    repos = data["repositories"]
    out = [f"# Supply-chain gaps across {len(repos)} "
           f"{'repository' if len(repos) == 1 else 'repositories'}", ""]
    if cols:
        out += ["| gap | rule | repositories with the gap | where the row applies |",
                "|---|---|---:|---:|"]
        for col in cols:
            states = [cell(e, col.rule) for e in repos]
            applies = sum(s in (GAP, OK) for s in states)
            known = all(s != NOT_REPORTED for s in states)
            out.append(f"| {escape(col.label)} | {_rule_link(col)} | {states.count(GAP)} | "
                       f"{applies if known else f'≥ {applies}'} |")
        out.append("")
        out.append("| repository | " + " | ".join(escape(c.label) for c in cols) + " |")
        out.append("|---|" + "---|" * len(cols))
        for entry in repos:
            trouble = " (errors)" if entry.get("errors") else ""
            out.append(f"| {escape(entry['repository'])}{trouble} | "
                       + " | ".join(MARK[cell(entry, c.rule)] for c in cols) + " |")
        out.append("")
        out.append(LEGEND)
    others = {r: n for r, n in data["summary"].items() if r not in {c.rule for c in cols}}
    if others:
        out += ["", "Other rows: " + ", ".join(f"{escape(r)} in {n}" for r, n in others.items())]
    changes = data.get("compare")
    if changes:
        out += ["", *_changes(changes)]
    out += ["", *_evidence(repos)]
    errors = data.get("errors") or []
    if errors:
        out += ["", "## Reports that could not be read", ""]
        out += [f"- {escape(e.get('path'))}: {escape(e.get('message'))}" for e in errors]
    return "\n".join(out).rstrip() + "\n"


def _rule_link(col):
    return f"[{escape(col.rule)}]({col.help})" if col.help else escape(col.rule)


def _changes(changes):
    out = ["## Since the earlier report", "", "| rule | before | after |", "|---|---:|---:|"]
    out += [f"| {escape(r)} | {c['before']} | {c['after']} |"
            for r, c in changes["summary"].items()]
    for key, verb in (("opened", "Gaps opened"), ("closed", "Gaps closed")):
        items = changes[key]
        if items:
            out += ["", f"{verb}: " + ", ".join(
                f"{escape(i['repository'])} {escape(i['rule'])}" for i in items)]
    for key, verb in (("added", "New repositories"), ("removed", "Repositories gone")):
        if changes[key]:
            out += ["", f"{verb}: " + ", ".join(escape(n) for n in changes[key])]
    return out


def _evidence(repos):
    out = ["## Evidence", ""]
    for entry in repos:
        lines = []
        for finding in entry["findings"]:
            lines.append(f"- {escape(finding['rule'])}: {escape(finding.get('message', ''))}")
        for item in entry.get("unseen") or []:
            lines.append(f"- not followed: {escape(item.get('path'))}:{escape(item.get('line'))} "
                         f"{escape(item.get('what', ''))} ({escape(item.get('why', ''))})")
        for error in entry.get("errors") or []:
            lines.append(f"- error: {escape(error.get('path'))}: {escape(error.get('message'))}")
        if lines:
            out += [f"### {escape(entry['repository'])}", "", *lines, ""]
    if len(out) == 2:
        out.append("No repository has a gap.")
    return out
