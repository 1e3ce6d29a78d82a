"""The fleet's data: repositories sorted by name, the gap columns, and what changed since
an earlier report.

The columns are the handbook's gap rows in fix order. A column whose rule this version does
not know (PSK908 before it exists) is still shown when some report carries its findings.
"""

COLUMNS = (("PSK901", "sign"), ("PSK902", "gate"), ("PSK903", "SBOM"), ("PSK904", "attest"),
           ("PSK906", "admission"), ("PSK905", "SLSA"), ("PSK908", "pins fresh"))

GAP, OK, NOT_APPLICABLE, NOT_REPORTED = "gap", "ok", "n/a", "no gap reported"
LEGEND = ("gap: the audit found it; ok: the row applies and holds; n/a: the row does not apply "
          "(nothing publishes an image, no Flux OCI source) or the repository's configuration "
          "ignores its rule; –: the report does not say which rows apply.")


class Column:
    __slots__ = ("rule", "label", "title", "severity", "help")

    def __init__(self, rule, label, title, severity, help_url):
        self.rule, self.label, self.title = rule, label, title
        self.severity, self.help = severity, help_url


def build(entries, errors=()):
    """The fleet JSON object (RULES.md): repositories by name, and per rule the number of
    repositories with that gap. ``errors`` are the reports that could not be read."""
    repositories = sorted(entries, key=lambda e: (e["repository"].casefold(), e["repository"]))
    summary = {}
    for entry in repositories:
        for rule in {f["rule"] for f in entry["findings"]}:
            summary[rule] = summary.get(rule, 0) + 1
    data = {"version": 1, "repositories": repositories,
            "summary": dict(sorted(summary.items()))}
    if errors:
        data["errors"] = list(errors)
    return data


def columns(data):
    """The gap columns to show: every column whose rule is known here or reported."""
    from ..registry import RULES

    reported = {f["rule"]: f for e in data["repositories"] for f in e["findings"]}
    out = []
    for rule_id, label in COLUMNS:
        rule = RULES.get(rule_id)
        if rule is not None:
            out.append(Column(rule_id, label, rule.name, rule.severity, rule.help_url))
        elif rule_id in reported:
            finding = reported[rule_id]
            out.append(Column(rule_id, label, _text(finding.get("name")) or rule_id,
                              _text(finding.get("severity")), safe_url(finding.get("help"))))
    return out


def cell(entry, rule_id):
    """A repository's state for one gap column: GAP, OK (the row applies and holds),
    NOT_APPLICABLE, or NOT_REPORTED (a report that does not say which rows apply)."""
    if any(f["rule"] == rule_id for f in entry["findings"]):
        return GAP
    rows = entry.get("gap_rows")
    if rows is None:
        return NOT_REPORTED
    return OK if rule_id in rows else NOT_APPLICABLE


def gaps(entry, rule_id):
    return [f for f in entry["findings"] if f["rule"] == rule_id]


def compare(old, new):
    """What changed between two fleet reports: per rule the repositories with the gap before
    and after, the gaps opened and closed, and the repositories added or gone."""
    def pairs(data):
        return {(e["repository"], f["rule"]) for e in data["repositories"] for f in e["findings"]}

    before, after = pairs(old), pairs(new)
    names_before = {e["repository"] for e in old["repositories"]}
    names_after = {e["repository"] for e in new["repositories"]}
    rules = sorted(set(old["summary"]) | set(new["summary"]))
    return {
        "summary": {r: {"before": old["summary"].get(r, 0), "after": new["summary"].get(r, 0)}
                    for r in rules},
        "opened": [{"repository": n, "rule": r} for n, r in sorted(after - before)
                   if n in names_before],
        "closed": [{"repository": n, "rule": r} for n, r in sorted(before - after)
                   if n in names_after],
        "added": sorted(names_after - names_before),
        "removed": sorted(names_before - names_after),
    }


def safe_url(value):
    """A link target from an untrusted report: https URLs only (no ``javascript:``)."""
    if isinstance(value, str) and value.startswith("https://") and not any(
            c.isspace() or c in "\"'<>`" for c in value):
        return value
    return None


def _text(value):
    return value if isinstance(value, str) else ""
