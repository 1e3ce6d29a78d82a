"""The one table of rules, ID -> record: the CLI, the site, SARIF and Checkov all read it.

Explicit on purpose: a rule exists when it is listed here, and the contract test reads this
table. Each record is validated against the input-kinds table when the registry loads.
"""

from __future__ import annotations

from . import kinds
from .model import id_matches
from .rules.containers import base_images, build_secrets, downloads, user
from .rules.github_actions import (
    containers,
    credentials,
    injection,
    permissions,
    pin_comment,
    pinning,
    releases,
    suppressions,
    triggers,
)
from .rules.gitops import argocd, flux, helm
from .rules.kubernetes import api_versions, images, pod_security, rbac, resources, secrets
from .rules.kyverno import policies, verification
from .rules.repository import deny_readiness, freshness, gaps
from .rules.supply_chain import provenance, scanning, signing
from .rules.terraform import ecr, iam, modules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from .model import Rule

RULES = {rule.id: rule for rule in (
    pinning.unpinned_action,
    pinning.pin_without_version_comment,
    pinning.docker_action_not_digest,
    pin_comment.pin_comment_mismatch,
    permissions.missing_permissions,
    permissions.write_all_permissions,
    suppressions.suppression_without_reason,
    suppressions.suppression_unknown_rule,
    suppressions.suppression_unused,
    triggers.untrusted_checkout_privileged_trigger,
    injection.template_injection,
    injection.input_injection,
    releases.cache_in_release,
    releases.checkout_persists_credentials,
    credentials.static_cloud_credentials,
    credentials.hardcoded_registry_credentials,
    containers.job_image_not_digest,
    credentials.secrets_inherit,
    permissions.read_all_permissions,
    signing.cosign_by_tag,
    signing.keyless_without_id_token,
    signing.cosign_experimental,
    signing.sign_before_push,
    scanning.scan_not_gating,
    scanning.severity_gate_critical_only,
    provenance.slsa_generator_sha_without_compile,
    policies.deny_without_audit,
    policies.cluster_policy_namespaced,
    verification.keyless_identity_too_broad,
    verification.image_policy_matches_all,
    verification.tlog_verification_disabled,
    images.image_latest_or_untagged,
    images.image_not_digest,
    pod_security.privileged_container,
    pod_security.host_namespaces,
    pod_security.host_path_volume,
    pod_security.host_port,
    pod_security.dangerous_capabilities,
    pod_security.privilege_escalation_allowed,
    pod_security.runs_as_root,
    pod_security.capabilities_not_dropped,
    pod_security.seccomp_unconfined,
    pod_security.writable_root_filesystem,
    resources.missing_resources,
    secrets.plain_secret_committed,
    rbac.rbac_wildcard,
    rbac.cluster_admin_binding,
    api_versions.removed_api_version,
    base_images.base_image_latest_or_untagged,
    base_images.base_image_not_digest,
    user.runs_as_root_image,
    build_secrets.secret_in_build_arg,
    downloads.pipe_to_shell,
    downloads.integrity_check_disabled,
    downloads.remote_add_without_checksum,
    flux.flux_oci_not_verified,
    flux.flux_keyless_identity_missing,
    flux.flux_insecure_source,
    flux.flux_floating_chart,
    flux.flux_oci_floating_tag,
    flux.flux_automation_pushes_default_branch,
    flux.flux_image_policy_any_tag,
    argocd.argocd_project_wildcard,
    argocd.argocd_default_project,
    argocd.argocd_floating_chart,
    helm.helm_dependency_unpinned,
    helm.helm_values_latest,
    iam.github_oidc_trust_too_broad,
    modules.terraform_module_unpinned,
    modules.terraform_provider_unbounded,
    ecr.ecr_mutable_tags,
    iam.iam_wildcard_admin,
    gaps.no_image_signing,
    gaps.no_cve_gate,
    gaps.no_sbom,
    gaps.sbom_not_attested,
    gaps.no_slsa_provenance,
    gaps.cluster_pulls_unverified,
    freshness.pins_without_updates,
    deny_readiness.deny_would_block,
)}
RULES = dict(sorted(RULES.items()))
for _rule in RULES.values():
    kinds.validate(_rule)


def all_rules() -> list[Rule]:
    """Every rule, in ID order."""
    return list(RULES.values())


def get_rule(rule_id: str) -> Rule:
    return RULES[rule_id]


def matches_any(rule_id: str, patterns: Iterable[str]) -> bool:
    return any(id_matches(rule_id, p) for p in patterns)


def select(rules: Iterable[Rule], select: Iterable[str] | None = None,
           ignore: Iterable[str] | None = None) -> list[Rule]:
    """Rules matching ``select`` (IDs or prefixes; default all) and not ``ignore``."""
    return [r for r in rules if (not select or matches_any(r.id, select))
            and not (ignore and matches_any(r.id, ignore))]
