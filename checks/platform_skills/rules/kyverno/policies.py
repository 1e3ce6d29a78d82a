"""Kyverno policies that block, and where they apply (PSK201, PSK202)."""

import re

from ... import nodes
from ...model import rule
from ...readers.kyverno import CEL_VALIDATING, CLUSTER_SCOPED, kyverno_kind
from .examples import IVP, REF

AUDITED_SINCE = "platform-skills.io/audited-since"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def annotation(root, name):
    return nodes.text(nodes.get(nodes.path(root, "metadata", "annotations"), name))


def blocking_settings(root, kind):
    """``(line, description)`` of each setting that makes the policy block, in file order."""
    spec_key, spec = nodes.get_pair(root, "spec")
    found = []
    if kind in CEL_VALIDATING:
        actions = nodes.get(spec, "validationActions")
        if actions is None:
            line = nodes.line(spec_key) if spec_key is not None else nodes.line(root)
            found.append((line, "validationActions is omitted, which defaults to Deny"))
        for item in nodes.items(actions):
            if nodes.text(item, "").lower() == "deny":
                found.append((nodes.line(item), "validationActions includes Deny"))
    elif kind in ("ClusterPolicy", "Policy"):
        value = nodes.get(spec, "validationFailureAction")
        if nodes.text(value, "").lower() == "enforce":
            found.append((nodes.line(value), "validationFailureAction is Enforce"))
        for rule_node in nodes.items(nodes.get(spec, "rules")):
            value = nodes.path(rule_node, "validate", "failureAction")
            if nodes.text(value, "").lower() == "enforce":
                found.append((nodes.line(value), "a rule's failureAction is Enforce"))
            for verify in nodes.items(nodes.get(rule_node, "verifyImages")):
                value = nodes.get(verify, "failureAction")
                if nodes.text(value, "").lower() == "enforce":
                    found.append((nodes.line(value), "a verifyImages failureAction is Enforce"))
    return sorted(found)


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
    targets=("manifest",), reference=REF + "#audit-before-deny",
    summary="Blocking policy with no record of an Audit period",
    rationale=(
        "A policy that goes straight to Deny/Enforce blocks whatever it did not anticipate: "
        "system pods, third-party charts, a hotfix at 3 a.m. Running it in Audit first and "
        "reading the PolicyReports shows what it would have blocked. The annotation "
        f"`{AUDITED_SINCE}: \"YYYY-MM-DD\"` records when that Audit period began, so reviewers "
        "can see the policy earned its Deny. Omitting `validationActions` means Deny."),
    fix=(
        "Ship the policy with `validationActions: [Audit]` (or `failureAction: Audit`), watch "
        "`kubectl get policyreports -A`, then switch to Deny and add "
        f"`{AUDITED_SINCE}: \"<date the Audit began>\"` under `metadata.annotations`."),
    bad=IVP.replace("[Audit]", "[Deny]"),
    good=IVP.replace("[Audit]", "[Deny]").replace(
        "  name: require-signed-images\n",
        "  name: require-signed-images\n  annotations:\n"
        f"    {AUDITED_SINCE}: \"2026-01-15\"\n"),
)
def deny_without_audit(root):
    kind = kyverno_kind(root)
    if kind is None:
        return
    settings = blocking_settings(root, kind)
    if not settings:
        return
    problem = audit_record_problem(annotation(root, AUDITED_SINCE))
    if problem:
        line, why = settings[0]
        yield line, f"{kind} blocks ({why}) but {problem}"


@rule(
    id="PSK202", name="cluster-policy-namespaced", severity="medium", domain="kyverno",
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
)
def cluster_policy_namespaced(root):
    kind = kyverno_kind(root)
    if kind in CLUSTER_SCOPED:
        key, _ = nodes.get_pair(nodes.get(root, "metadata"), "namespace")
        if key is not None:
            yield nodes.line(key), f"{kind} is cluster-scoped; metadata.namespace has no effect"
