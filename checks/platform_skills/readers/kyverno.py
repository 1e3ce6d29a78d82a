"""Kyverno policy documents: which kind a document is, the kinds' scopes, and whether a
policy blocks (PSK201, the audit's Deny readiness)."""

from __future__ import annotations

from .. import nodes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeGuard

CEL_VALIDATING = frozenset(("ValidatingPolicy", "ImageValidatingPolicy",
                            "NamespacedValidatingPolicy", "NamespacedImageValidatingPolicy"))
IMAGE_POLICIES = frozenset(("ImageValidatingPolicy", "NamespacedImageValidatingPolicy"))
CLUSTER_SCOPED = frozenset(("ClusterPolicy", "ValidatingPolicy", "ImageValidatingPolicy",
                            "MutatingPolicy", "GeneratingPolicy", "DeletingPolicy"))
# Namespaced kinds: their reports name them ``namespace/name``.
NAMESPACED = frozenset(("Policy", "NamespacedValidatingPolicy", "NamespacedImageValidatingPolicy",
                        "NamespacedMutatingPolicy", "NamespacedGeneratingPolicy",
                        "NamespacedDeletingPolicy"))


# What the text of a Kyverno policy holds: its apiVersion group (``Rule.requires``).
KYVERNO_TEXT = ("kyverno.io",)


def kyverno_kind(root: nodes.Node | None) -> str | None:
    """The kind of a Kyverno policy document, or None for anything else."""
    api = nodes.text(nodes.get(root, "apiVersion"), "")
    if api.startswith(("kyverno.io/", "policies.kyverno.io/")):
        return nodes.text(nodes.get(root, "kind"))
    return None


def _enforce(node: nodes.Node | None) -> TypeGuard[nodes.Node]:
    return nodes.text(node, "").strip().lower() == "enforce"


def blocking_settings(root: nodes.Node | None, kind: str | None) -> list[tuple[int, str]]:
    """``(line, description)`` of each setting that makes the policy block, in file order.

    A document without a ``spec`` mapping (a test assertion on a policy's status) is not a
    policy. A ClusterPolicy/Policy blocks only through rules that validate or verify images:
    ``Enforce`` on a policy whose rules only mutate or generate blocks nothing.
    """
    spec_key, spec = nodes.get_pair(root, "spec")
    if not nodes.is_map(spec):
        return []
    found: list[tuple[int, str]] = []
    if kind in CEL_VALIDATING:
        actions = nodes.get(spec, "validationActions")
        if actions is None:
            found.append((nodes.line(spec_key), "validationActions is omitted, which defaults to Deny"))  # type: ignore[arg-type]
        for item in nodes.items(actions):
            if nodes.text(item, "").lower() == "deny":
                found.append((nodes.line(item), "validationActions includes Deny"))
    elif kind in ("ClusterPolicy", "Policy"):
        gating = [r for r in nodes.items(nodes.get(spec, "rules"))
                  if nodes.get(r, "validate") is not None or nodes.get(r, "verifyImages") is not None]
        if not gating:
            return []
        def enforcing(owner: nodes.Node | None, key: str, why: str) -> None:
            value = nodes.get(owner, key)
            if _enforce(value):
                found.append((nodes.line(value), why))

        enforcing(spec, "validationFailureAction", "validationFailureAction is Enforce")
        for override in nodes.items(nodes.get(spec, "validationFailureActionOverrides")):
            enforcing(override, "action", "a validationFailureActionOverrides entry enforces")
        for rule_node in gating:
            validate = nodes.get(rule_node, "validate")
            enforcing(validate, "failureAction", "a rule's failureAction is Enforce")
            for override in nodes.items(nodes.get(validate, "failureActionOverrides")):
                enforcing(override, "action", "a failureActionOverrides entry enforces")
            for verify in nodes.items(nodes.get(rule_node, "verifyImages")):
                enforcing(verify, "failureAction", "a verifyImages failureAction is Enforce")
    return sorted(found)


def policy_mode(root: nodes.Node | None, kind: str | None) -> str | None:
    """What the policy does with a violation: ``Deny`` (CEL kinds) or ``Enforce``
    (ClusterPolicy/Policy) when it blocks, ``Audit`` or ``Warn`` when it only reports, None
    when it cannot block at all (no ``spec``, a kind that mutates, generates or deletes, a
    ClusterPolicy whose rules neither validate nor verify images)."""
    if kind not in CEL_VALIDATING and kind not in ("ClusterPolicy", "Policy"):
        return None
    spec = nodes.get(root, "spec")
    if not nodes.is_map(spec):
        return None
    if blocking_settings(root, kind):
        return "Deny" if kind in CEL_VALIDATING else "Enforce"
    if kind in CEL_VALIDATING:
        actions = {nodes.text(a, "").lower() for a in nodes.items(nodes.get(spec, "validationActions"))}
        return "Warn" if "warn" in actions and "audit" not in actions else "Audit"
    gating = any(nodes.get(r, "validate") is not None or nodes.get(r, "verifyImages") is not None
                 for r in nodes.items(nodes.get(spec, "rules")))
    return "Audit" if gating else None


POLICY = "kyverno-policy"


def policy_fact(root: nodes.Node, path: str) -> dict[tuple[str | None, ...], tuple[str, int]]:
    """``{("kyverno-policy", kind, namespace, name, mode, path): (path, line)}`` for a policy
    that validates, so the audit can set each policy of the repository beside its reports;
    ``{}`` for anything else. ``namespace`` is "" when the document names none."""
    kind = kyverno_kind(root)
    mode = policy_mode(root, kind) if kind else None
    name = nodes.text(nodes.path(root, "metadata", "name"))
    if mode is None or not name:
        return {}
    namespace = nodes.text(nodes.path(root, "metadata", "namespace"), "") if kind in NAMESPACED else ""
    return {(POLICY, kind, namespace, name, mode, path): (path, nodes.line(root))}
