"""The audit: the repository's gap rules over its facts, and the gap table in fix order.

Rows are either a gap rule (PSK901-PSK906, raised from the repository's facts) or a
roll-up of file findings (PSK111, PSK001) that the table counts. Each row applies when its
repository fact holds: the pipeline rows when some workflow publishes an image, the
cluster row (PSK906) when Flux pulls OCI artifacts.
"""

from . import engine, loader
from .findings import Builder
from .model import FileError
from .readers.facts import OCI_SOURCE, PUBLISHES, resolve
from .readers.policy_reports import OPTION as POLICY_REPORTS
from .readers.policy_reports import deny_readiness
from .registry import get_rule

FIX_ORDER = ("Sign images", "Gate on CVEs", "Generate and attest SBOMs", "Enforce at admission",
             "Produce SLSA provenance", "Pin actions")


class GapRow:
    """One row of the audit gap table, in fix order."""

    __slots__ = ("rule", "title", "impact", "step", "rollup", "applies_when")

    def __init__(self, rule_id, title, impact, step, rollup=False, applies_when=PUBLISHES):
        self.rule = get_rule(rule_id)
        self.title = title
        self.impact = impact
        self.step = step
        self.rollup = rollup  # counted from file findings rather than repository facts
        # The repository fact that makes the row apply; its first file is where SARIF puts it.
        self.applies_when = applies_when


GAP_ROWS = (
    GapRow("PSK901", "No image signing", "Consumers cannot tell your image from a forged one.", 1),
    GapRow("PSK902", "No CVE gate", "Known-vulnerable images ship unchallenged.", 2),
    GapRow("PSK111", "Severity gate CRITICAL only",
           "Exploitable HIGH vulnerabilities pass the gate.", 2, rollup=True),
    GapRow("PSK903", "No SBOM", "No quick answer to \"are we affected?\" on the next CVE.", 3),
    GapRow("PSK904", "SBOM not attested", "The SBOM cannot be tied to the image digest.", 3),
    GapRow("PSK906", "Cluster pulls unverified artifacts",
           "Whoever can push to the registry decides what the cluster runs.", 4,
           applies_when=OCI_SOURCE),
    GapRow("PSK905", "No SLSA provenance",
           "Nothing proves where and how the image was built.", 5),
    GapRow("PSK001", "Action versions pinned to tag",
           "A moved tag runs new code with your token and secrets.", 6, rollup=True),
)


def applicable_rows(facts):
    """The gap rows whose repository fact holds, in fix order."""
    return [row for row in GAP_ROWS if row.applies_when in facts]


def row_for(rule_id):
    return next((row for row in GAP_ROWS if row.rule.id == rule_id), None)


def run(repo_path, rules, excluded=None, jobs=None, options=None):
    """``(result, gaps)``: the file run over the repository, and its gap rows as findings at
    path ".". No gaps when no row applies (nothing publishes an image, no Flux OCI source).
    With PolicyReports among the ``options``, ``result.readiness`` holds the Deny readiness
    rows, and PSK907 findings join the gaps."""
    result = engine.run([repo_path], rules, excluded, want_facts=True, jobs=jobs, options=options)
    for key, (path, line) in sorted(result.facts.items(), key=lambda kv: kv[1]):
        if key[0] == "local-uses":
            problem = loader.local_action_problem(repo_path, key[1])
            if problem:
                result.errors.append(FileError(path, f"line {line}: uses: ./{key[1]} {problem}; "
                                                     "the audit cannot follow it"))
    evidence = (options or {}).get(POLICY_REPORTS)
    if evidence is not None:  # each validating policy beside its reports (PSK907's table)
        result.readiness = deny_readiness(result.facts, evidence)
    result.facts = resolve(result.facts)
    builder = Builder(".")
    by_rule = {}
    for f in result.findings:
        by_rule.setdefault(f.rule.id, []).append(f)
    for row in applicable_rows(result.facts):
        if row.rollup:
            hits = by_rule.get(row.rule.id, [])
            if hits:
                where = ", ".join(f"{f.path}:{f.line}" for f in hits[:5])
                more = f" and {len(hits) - 5} more" if len(hits) > 5 else ""
                noun = "finding" if len(hits) == 1 else "findings"
                builder.add(row.rule, (0, f"{len(hits)} {row.rule.id} {noun}: {where}{more}"))
        else:
            for item in row.rule.check(result.facts):
                builder.add(row.rule, item)
    if result.readiness is not None:
        rule = get_rule("PSK907")
        for item in rule.check(result.readiness):
            builder.add(rule, item)
    return result, builder.findings
