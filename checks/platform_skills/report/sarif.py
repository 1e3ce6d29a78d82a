"""``--format sarif``: SARIF 2.1.0 as GitHub code scanning ingests it."""

import json
from urllib.parse import quote

from .. import version
from ..audit import row_for
from ..baseline import SARIF_KEY, Keys
from ..model import HANDBOOK_URL
from ..plaintext import plain
from ..registry import all_rules

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub maps security-severity to its own critical/high/medium/low bands.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def rule_descriptor(rule):
    help_text = f"{plain(rule.rationale)}\n\nFix: {plain(rule.fix)}\n\nSee {rule.help_url}"
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": plain(rule.summary)},
        "fullDescription": {"text": plain(rule.rationale)},
        "helpUri": rule.help_url,
        "help": {"text": help_text,
                 "markdown": f"{rule.rationale}\n\n**Fix:** {rule.fix}\n\n"
                             f"[{rule.id} in the handbook]({rule.help_url})"},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"security-severity": SECURITY_SEVERITY[rule.severity],
                       # unique items (the schema says so): the supply-chain domain's rules
                       # would otherwise name their domain twice
                       "tags": list(dict.fromkeys(("security", "supply-chain", rule.domain))),
                       "precision": rule.precision},
    }


def uri(path):
    """A relative path as a SARIF URI reference: percent-encoded (RFC 3986), "/" kept."""
    return quote(path, safe="/")


def _location(path, line, column=None):
    location = {"physicalLocation": {"artifactLocation": {"uri": uri(path)}}}
    if line:
        region = {"startLine": line}
        if column:
            region["startColumn"] = column
        location["physicalLocation"]["region"] = region
    return location


def render(report):
    rules = all_rules()
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    # Code scanning needs a file for every result: a repository gap is shown at the evidence
    # that makes its row apply (where the image is published, the Flux OCI source).
    facts = report.facts if isinstance(report.facts, dict) else {}
    keys = Keys()  # code scanning keeps an alert's identity by this when lines move
    for f in report.shown:
        row = None if f.line else row_for(f.rule.id)
        anchor = facts.get(row.applies_when) if row is not None else None
        path, line = (f.path, f.line) if f.line or not anchor else anchor
        result = {
            "ruleId": f.rule.id,
            "ruleIndex": index[f.rule.id],
            "level": LEVEL[f.rule.severity],
            "message": {"text": plain(f.message)},
            "locations": [_location(path, line, f.column)],
            "partialFingerprints": {SARIF_KEY: keys.fingerprint(f)},
        }
        if f.related:
            result["relatedLocations"] = [
                dict(_location(r.path, r.line, r.column), id=i, message={"text": plain(r.note)})
                for i, r in enumerate(f.related)]
        results.append(result)
    notifications = [{"level": "error", "message": {"text": e.message},
                      "locations": [_location(e.path, None)]}
                     for e in report.errors]
    # Files not checked are said too, so a clean result cannot hide them.
    notifications += [{"level": "note", "message": {"text": f"not checked: {s.reason}"},
                       "locations": [_location(s.path, None)]}
                      for s in report.skipped]
    sarif = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "platform-skills", "version": version(),
                                "informationUri": HANDBOOK_URL,
                                "rules": [rule_descriptor(r) for r in rules]}},
            "invocations": [{"executionSuccessful": not report.errors,
                             "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    }
    return json.dumps(sarif, indent=2)
