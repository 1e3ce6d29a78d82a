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


def _enforce(node):
    return nodes.text(node, "").strip().lower() == "enforce"


def blocking_settings(root, kind):
    """``(line, description)`` of each setting that makes the policy block, in file order.

    A document without a ``spec`` mapping (a test assertion on a policy's status) is not a
    policy. A ClusterPolicy/Policy blocks only through rules that validate or verify images:
    ``Enforce`` on a policy whose rules only mutate or generate blocks nothing.
    """
    spec_key, spec = nodes.get_pair(root, "spec")
    if not nodes.is_map(spec):
        return []
    found = []
    if kind in CEL_VALIDATING:
        actions = nodes.get(spec, "validationActions")
        if actions is None:
            found.append((nodes.line(spec_key), "validationActions is omitted, which defaults to Deny"))
        for item in nodes.items(actions):
            if nodes.text(item, "").lower() == "deny":
                found.append((nodes.line(item), "validationActions includes Deny"))
    elif kind in ("ClusterPolicy", "Policy"):
        gating = [r for r in nodes.items(nodes.get(spec, "rules"))
                  if nodes.get(r, "validate") is not None or nodes.get(r, "verifyImages") is not None]
        if not gating:
            return []
        value = nodes.get(spec, "validationFailureAction")
        if _enforce(value):
            found.append((nodes.line(value), "validationFailureAction is Enforce"))
        for override in nodes.items(nodes.get(spec, "validationFailureActionOverrides")):
            value = nodes.get(override, "action")
            if _enforce(value):
                found.append((nodes.line(value), "a validationFailureActionOverrides entry enforces"))
        for rule_node in gating:
            validate = nodes.get(rule_node, "validate")
            value = nodes.get(validate, "failureAction")
            if _enforce(value):
                found.append((nodes.line(value), "a rule's failureAction is Enforce"))
            for override in nodes.items(nodes.get(validate, "failureActionOverrides")):
                value = nodes.get(override, "action")
                if _enforce(value):
                    found.append((nodes.line(value), "a failureActionOverrides entry enforces"))
            for verify in nodes.items(nodes.get(rule_node, "verifyImages")):
                value = nodes.get(verify, "failureAction")
                if _enforce(value):
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
