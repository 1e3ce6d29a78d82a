"""Kyverno policies that block, and where they apply (PSK201, PSK202)."""

import re

from ... import nodes
from ...model import rule
from ...readers.kyverno import CLUSTER_SCOPED, KYVERNO_TEXT, blocking_settings, kyverno_kind
from ...readers.policy_reports import OPTION, describe
from .examples import IVP, REF

AUDITED_SINCE = "platform-skills.io/audited-since"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def annotation(root, name):
    return nodes.text(nodes.get(nodes.path(root, "metadata", "annotations"), name))


def audit_record_problem(value, today=None):
    """Why an audited-since annotation is not a usable record, or None when it is."""
    if value is None:
        return f"no {AUDITED_SINCE} annotation records its Audit period"
    import datetime  # only blocking policies get here; keep it off the start-up path

    value = value.strip()
    if not _DATE.match(value):
        return f"{AUDITED_SINCE} '{value}' is not a YYYY-MM-DD date"
    try:
        since = datetime.date.fromisoformat(value)
    except ValueError:
        return f"{AUDITED_SINCE} '{value}' is not a valid date"
    if since > (today or datetime.date.today()):
        return f"{AUDITED_SINCE} '{value}' is in the future"
    return None


@rule(
    id="PSK201", name="deny-without-audit", severity="high", domain="kyverno",
    requires=KYVERNO_TEXT,
    targets=("manifest",), reference=REF + "#audit-before-deny",
    summary="Blocking policy with no record of an Audit period",
    rationale=(
        "A policy that goes straight to Deny/Enforce blocks whatever it did not anticipate: "
        "system pods, third-party charts, a hotfix at 3 a.m. Running it in Audit first and "
        "reading the PolicyReports shows what it would have blocked. Given the reports "
        "(`--policy-reports`, or `policy-reports` in the configuration), they are the record: "
        "at least one result for the policy and none `fail`. Without reports, the annotation "
        f"`{AUDITED_SINCE}: \"YYYY-MM-DD\"` records when that Audit period began, so reviewers "
        "can see the policy earned its Deny. Omitting `validationActions` means Deny."),
    fix=(
        "Ship the policy with `validationActions: [Audit]` (or `failureAction: Audit`), watch "
        "`kubectl get policyreports -A`, then switch to Deny: run the checks with the reports "
        "exported while it audited (`kubectl get policyreports,clusterpolicyreports -A -o yaml`), "
        "or add "
        f"`{AUDITED_SINCE}: \"<date the Audit began>\"` under `metadata.annotations`. When the "
        "reports hold `fail` results, fix or except those resources first."),
    limits=(
        "Reports describe the cluster they were exported from, at that moment. A policy that "
        "already enforces there reports only `pass` for the requests it let through (it "
        "blocked the others), so clean reports prove an Audit period only when they were "
        "exported while the policy audited. With reports that hold no result for the policy, "
        "the annotation decides; with `fail` results, the annotation does not help. A "
        "namespaced policy whose file names no namespace takes the results of that name in "
        "every namespace."),
    bad=IVP.replace("[Audit]", "[Deny]"),
    good=IVP.replace("[Audit]", "[Deny]").replace(
        "  name: require-signed-images\n",
        "  name: require-signed-images\n  annotations:\n"
        f"    {AUDITED_SINCE}: \"2026-01-15\"\n"),
    evidence=(OPTION,),
    precision="very-high",
)
def deny_without_audit(root, reports=None):
    kind = kyverno_kind(root)
    if kind is None:
        return
    settings = blocking_settings(root, kind)
    if not settings:
        return
    line, why = settings[0]
    tally = None
    if reports is not None:
        namespace = nodes.text(nodes.path(root, "metadata", "namespace"), "")
        tally = reports.tally(kind, namespace, nodes.text(nodes.path(root, "metadata", "name"), ""))
    if tally is not None and tally.counts["fail"]:
        shown = ", ".join(describe(r) for r in list(tally.failing)[:5])
        more = f" and {len(tally.failing) - 5} more" if len(tally.failing) > 5 else ""
        fails = tally.counts["fail"]
        yield line, (f"{kind} blocks ({why}) but the PolicyReports hold {fails} fail "
                     f"result{'' if fails == 1 else 's'} for it: it would block {shown}{more}"), [], (
            "Set the policy back to Audit (or keep it there) until each failing resource is fixed "
            "or excepted, export the reports again, and switch when they hold no `fail`.")
        return
    if tally is not None and tally.results:
        return  # clean results are the record of the Audit period
    problem = audit_record_problem(annotation(root, AUDITED_SINCE))
    if problem:
        suffix = ", and the PolicyReports hold no result for it" if reports is not None else ""
        yield line, f"{kind} blocks ({why}) but {problem}{suffix}"


@rule(
    id="PSK202", name="cluster-policy-namespaced", severity="medium", domain="kyverno",
    requires=KYVERNO_TEXT,
    targets=("manifest",), reference=REF + "#policy-types",
    summary="Cluster-scoped policy kind with `metadata.namespace`",
    rationale=(
        "ClusterPolicy and the CEL policy kinds without the `Namespaced` prefix are "
        "cluster-scoped: a namespace on them is ignored by the API server, so the author "
        "probably believes the policy is confined to one namespace when it applies to all."),
    fix=(
        "Remove `metadata.namespace`, or use the namespaced kind (`Policy`, "
        "`NamespacedValidatingPolicy`, `NamespacedImageValidatingPolicy`) if the policy "
        "should only apply in that namespace."),
    bad=IVP.replace("  name: require-signed-images\n",
                     "  name: require-signed-images\n  namespace: payments\n"),
    good=IVP,
    precision="high",
    limits=("Reads each document as written: a namespace added later (a Kustomize overlay, "
            "`kubectl apply -n`) is not seen."),
)
def cluster_policy_namespaced(root):
    kind = kyverno_kind(root)
    if kind in CLUSTER_SCOPED:
        key, _ = nodes.get_pair(nodes.get(root, "metadata"), "namespace")
        if key is not None:
            yield nodes.line(key), f"{kind} is cluster-scoped; metadata.namespace has no effect"
