"""The fleet as one self-contained HTML page: no request leaves it (inline CSS and JS, a
Content-Security-Policy that allows only those two, by hash), so it opens from an artifact
or a file on disk.

Repositories are rows and the gap rows are columns, sortable by a click on the header (a few
lines of inline JS); each cell links to the rule's handbook page and, when it is a gap, to
that repository's evidence further down. Every name and message is escaped: reports are
written by whoever controls the repositories.
"""

import base64
import hashlib
from html import escape

from .. import version
from .model import GAP, LEGEND, NOT_APPLICABLE, NOT_REPORTED, OK, cell, columns, gaps, safe_url

SORT_KEY = {GAP: 3, NOT_REPORTED: 2, OK: 1, NOT_APPLICABLE: 0}

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:80rem;padding:0 1rem;
color:#1d1d1f;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}h3{font-size:1rem;margin:1.2rem 0 .3rem}
table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #d0d0d7;padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f1f1f5}
thead button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;
color:inherit;text-align:left}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
.rule{font-family:ui-monospace,monospace;font-size:.85em}
td.gap{background:#fde2e1}td.ok{background:#e3f4e4}td.na{color:#777}td.unknown{color:#777}
tr.totals th,tr.totals td{font-weight:600;background:#fafafc}
.muted{color:#666}.evidence div{margin-left:1rem}code{font-family:ui-monospace,monospace}
@media (prefers-color-scheme:dark){body{background:#1b1b1f;color:#e6e6ea}
thead th,tr.totals th,tr.totals td{background:#2a2a30}th,td{border-color:#44444c}
td.gap{background:#5a2222}td.ok{background:#1f4424}a{color:#8ab4f8}.muted{color:#aaa}}
"""

SCRIPT = """
(function () {
  var table = document.getElementById("fleet");
  if (!table) { return; }
  var body = table.tBodies[0];
  Array.prototype.forEach.call(table.querySelectorAll("thead button[data-col]"), function (button) {
    button.addEventListener("click", function () {
      var th = button.parentNode;
      var col = Number(button.getAttribute("data-col"));
      var text = button.getAttribute("data-type") === "text";
      var current = th.getAttribute("aria-sort");
      var order = current ? (current === "ascending" ? "descending" : "ascending")
                          : (text ? "ascending" : "descending");
      Array.prototype.forEach.call(table.querySelectorAll("thead th[aria-sort]"), function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", order);
      var sign = order === "ascending" ? 1 : -1;
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort"), y = b.cells[col].getAttribute("data-sort");
        var diff = text ? x.localeCompare(y) : Number(x) - Number(y);
        return diff * sign || Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index"));
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
})();
"""


def _hash(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CSP = (f"default-src 'none'; style-src {_hash(STYLE)}; script-src {_hash(SCRIPT)}; "
       "base-uri 'none'; form-action 'none'")

CELL_CLASS = {GAP: "gap", OK: "ok", NOT_APPLICABLE: "na", NOT_REPORTED: "unknown"}
CELL_TEXT = {GAP: "gap", OK: "ok", NOT_APPLICABLE: "n/a", NOT_REPORTED: "–"}


def render(data):
    cols = columns(data)
    repos = data["repositories"]
    count = f"{len(repos)} {'repository' if len(repos) == 1 else 'repositories'}"
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Supply-chain gaps across {count}</title>",
           f"<style>{STYLE}</style>", "</head>", "<body>",
           f"<h1>Supply-chain gaps across {count}</h1>",
           f'<p class="muted">platform-skills {escape(version())}. {escape(LEGEND)} Click a '
           "column header to sort.</p>"]
    out += _summary(cols, repos)
    out += _matrix(cols, repos)
    if data.get("compare"):
        out += _changes(data["compare"])
    out += _evidence(repos)
    errors = data.get("errors") or []
    if errors:
        out.append('<h2 id="errors">Reports that could not be read</h2><ul>')
        out += [f"<li><code>{escape(str(e.get('path')))}</code>: {escape(str(e.get('message')))}</li>"
                for e in errors]
        out.append("</ul>")
    out += [f"<script>{SCRIPT}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _rule_link(rule, help_url):
    text = f'<span class="rule">{escape(rule)}</span>'
    return f'<a href="{escape(help_url)}">{text}</a>' if help_url else text


def _summary(cols, repos):
    out = ['<h2 id="gaps">Gaps</h2>', '<table id="summary">',
           "<thead><tr><th>gap</th><th>rule</th><th>severity</th><th>repositories with the gap"
           "</th><th>where the row applies</th><th></th></tr></thead>", "<tbody>"]
    for col in cols:
        states = [cell(e, col.rule) for e in repos]
        with_gap = states.count(GAP)
        applies = sum(s in (GAP, OK) for s in states)
        shown = applies if NOT_REPORTED not in states else f"at least {applies}"
        out.append(f"<tr><th>{escape(col.label)}</th><td>{_rule_link(col.rule, col.help)}</td>"
                   f"<td>{escape(col.severity)}</td><td>{with_gap}</td><td>{shown}</td>"
                   f'<td><meter min="0" max="{max(len(repos), 1)}" value="{with_gap}" optimum="0" '
                   f'low="1" high="{max(len(repos) // 2, 1)}">{with_gap}</meter></td></tr>')
    out += ["</tbody>", "</table>"]
    return out


def _matrix(cols, repos):
    head = ['<th aria-label="repository"><button type="button" data-col="0" data-type="text">'
            "repository</button></th>"]
    for i, col in enumerate(cols, 1):
        head.append(f'<th><button type="button" data-col="{i}" data-type="number">'
                    f"{escape(col.label)}</button><br>{_rule_link(col.rule, col.help)}</th>")
    totals = ["<th>repositories with the gap</th>"]
    for col in cols:
        totals.append(f"<td>{sum(cell(e, col.rule) == GAP for e in repos)} / {len(repos)}</td>")
    out = ['<h2 id="repositories">Repositories</h2>', '<table id="fleet">',
           "<thead>", "<tr>" + "".join(head) + "</tr>",
           '<tr class="totals">' + "".join(totals) + "</tr>", "</thead>", "<tbody>"]
    for index, entry in enumerate(repos):
        name = escape(entry["repository"])
        flag = ' <span class="muted">(errors)</span>' if entry.get("errors") else ""
        cells = [f'<th scope="row" data-sort="{name}"><a href="#repo-{index}">{name}</a>{flag}</th>']
        for col in cols:
            state = cell(entry, col.rule)
            rule = _rule_link(col.rule, col.help)
            text = (f'<a href="#ev-{index}-{escape(col.rule)}">gap</a> {rule}' if state == GAP
                    else f"{CELL_TEXT[state]} {rule}")
            cells.append(f'<td class="{CELL_CLASS[state]}" data-sort="{SORT_KEY[state]}">'
                         f"{text}</td>")
        out.append(f'<tr data-index="{index}">' + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _changes(changes):
    out = ['<h2 id="changes">Since the earlier report</h2>', "<table>",
           "<thead><tr><th>rule</th><th>before</th><th>after</th></tr></thead><tbody>"]
    out += [f"<tr><td>{escape(r)}</td><td>{c['before']}</td><td>{c['after']}</td></tr>"
            for r, c in changes["summary"].items()]
    out.append("</tbody></table>")
    for key, title in (("opened", "Gaps opened"), ("closed", "Gaps closed")):
        if changes[key]:
            out.append(f"<p>{title}: " + ", ".join(
                f"{escape(i['repository'])} {escape(i['rule'])}" for i in changes[key]) + "</p>")
    for key, title in (("added", "New repositories"), ("removed", "Repositories gone")):
        if changes[key]:
            out.append(f"<p>{title}: " + ", ".join(escape(n) for n in changes[key]) + "</p>")
    return out


def _evidence(repos):
    out = ['<h2 id="evidence">Evidence</h2>']
    for index, entry in enumerate(repos):
        out.append(f'<section class="evidence" id="repo-{index}">'
                   f"<h3>{escape(entry['repository'])}</h3>")
        shown = False
        rules = sorted({f["rule"] for f in entry["findings"]})
        for rule in rules:
            out.append(f'<div id="ev-{index}-{escape(rule)}">')
            for finding in gaps(entry, rule):
                help_url = safe_url(finding.get("help"))
                out.append(f"<p>{_rule_link(rule, help_url)} "
                           f"{escape(str(finding.get('severity', '')))}: "
                           f"{escape(str(finding.get('message', '')))}</p>")
                related = [r for r in finding.get("related") or [] if isinstance(r, dict)]
                if related:
                    out.append("<ul>" + "".join(
                        f"<li><code>{escape(str(r.get('path')))}:{escape(str(r.get('line')))}</code>"
                        f" {escape(str(r.get('note', '')))}</li>" for r in related) + "</ul>")
            out.append("</div>")
            shown = True
        unseen = entry.get("unseen") or []
        if unseen:
            out.append("<p>Not followed (the audit could not see these steps):</p><ul>" + "".join(
                f"<li><code>{escape(str(u.get('path')))}:{escape(str(u.get('line')))}</code> "
                f"{escape(str(u.get('what', '')))}: {escape(str(u.get('why', '')))}</li>"
                for u in unseen) + "</ul>")
            shown = True
        errors = entry.get("errors") or []
        if errors:
            out.append("<p>Errors (files the audit could not read):</p><ul>" + "".join(
                f"<li><code>{escape(str(e.get('path')))}</code>: {escape(str(e.get('message')))}</li>"
                for e in errors) + "</ul>")
            shown = True
        if not shown:
            out.append('<p class="muted">No gap, nothing left unfollowed.</p>')
        out.append("</section>")
    return out
