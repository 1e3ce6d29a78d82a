"""Evidence from the cluster for ``audit`` (PSK907): an Audit policy that Deny would turn
into an outage. Raised only when PolicyReports were given; each row of the audit's Deny
readiness table is one validating Kyverno policy of the repository beside its results."""

from ...model import rule
from ...readers.policy_reports import describe

SHOWN = 5  # failing resources named in the message


def _deny_would_block(readiness):
    for row in readiness:
        if row.blocking or not row.failing:
            continue
        count = len(row.failing)
        names = ", ".join(describe(r) for r in row.failing[:SHOWN])
        more = f" and {count - SHOWN} more" if count > SHOWN else ""
        noun = "resource fails" if count == 1 else "resources fail"
        results = "result" if row.failed == 1 else "results"
        yield 0, (f"{row.kind} {row.policy} ({row.path}) is in {row.mode}; {count} {noun} it in "
                  f"the PolicyReports ({row.failed} fail {results}), so Deny would block "
                  f"{names}{more}"), [(row.path, row.line, f"the policy, in {row.mode}")]


deny_would_block = rule(
    id="PSK907", name="deny-would-block", severity="high", domain="repository",
    targets=("repository",), reference="references/kyverno.md#flip-to-deny-with-evidence",
    summary="A policy in Audit whose PolicyReports hold failures: Deny would block them",
    rationale=(
        "Kyverno records every resource a policy in Audit would have refused as a `fail` "
        "result in the PolicyReports. Switched to Deny (or Enforce), the same policy refuses "
        "those resources on their next create or update: a rollout, a scale-up through a new "
        "ReplicaSet, a node replacement that recreates a DaemonSet's pods. The reports answer "
        "\"what would this block right now?\" before the switch, from the cluster's own state, "
        "and tie the answer to the policy file that would be flipped."),
    fix=(
        "Keep the policy in Audit. Fix each failing resource (its manifest in the repository, "
        "or the chart values that render it), or give the ones that must be let through a "
        "`PolicyException` with an owner and a review date. Export the reports again after "
        "the fixes roll out (`kubectl get policyreports,clusterpolicyreports -A -o yaml`) and "
        "switch to Deny when the audit reads `ready`."),
    limits=(
        "Only with `--policy-reports` (or `policy-reports` in the configuration); without "
        "reports the audit cannot know what a policy would block, and says nothing. Reports "
        "are the state of one cluster when they were exported: a resource created afterwards, "
        "or only in another cluster, is not in them. Results are matched by the policy's name "
        "(`namespace/name` for namespaced policies) and Kyverno's result source, so a "
        "repository that holds two policies of one name and kind (overlays of one base) gets "
        "the same results on both. A policy whose background scans are off reports only the "
        "requests it saw since it was applied."),
    bad="", good="", since="0.3.0", precision="high",
)(_deny_would_block)
