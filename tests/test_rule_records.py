"""Every rule record is complete, and its bad/good examples behave as documented."""

import re

import pytest

from platform_skills.model import DOMAINS, SEVERITIES
from platform_skills.registry import INDEX, all_rules, chosen, get_rule
from support import example_tree, run_json, write_tree

RULES = all_rules()
FILE_RULES = [r for r in RULES if r.scope == "file"]
# The public contract in RULES.md: IDs, names and severities never change.
CONTRACT = {
    "PSK001": ("unpinned-action", "medium"), "PSK002": ("pin-without-version-comment", "low"),
    "PSK003": ("docker-action-not-digest", "medium"), "PSK004": ("missing-permissions", "medium"),
    "PSK005": ("write-all-permissions", "high"), "PSK006": ("suppression-without-reason", "low"),
    "PSK007": ("suppression-unknown-rule", "low"), "PSK008": ("suppression-unused", "low"),
    "PSK009": ("pin-comment-mismatch", "medium"),
    "PSK010": ("untrusted-checkout-privileged-trigger", "critical"),
    "PSK011": ("template-injection", "high"), "PSK012": ("input-injection", "medium"),
    "PSK013": ("cache-in-release", "high"), "PSK014": ("checkout-persists-credentials", "medium"),
    "PSK015": ("static-cloud-credentials", "high"),
    "PSK016": ("hardcoded-registry-credentials", "high"),
    "PSK017": ("job-image-not-digest", "medium"), "PSK018": ("secrets-inherit", "medium"),
    "PSK019": ("read-all-permissions", "low"), "PSK101": ("cosign-by-tag", "high"),
    "PSK102": ("keyless-without-id-token", "high"), "PSK103": ("cosign-experimental", "low"),
    "PSK104": ("sign-before-push", "medium"), "PSK110": ("scan-not-gating", "high"),
    "PSK111": ("severity-gate-critical-only", "high"),
    "PSK130": ("slsa-generator-sha-without-compile", "high"),
    "PSK201": ("deny-without-audit", "high"), "PSK202": ("cluster-policy-namespaced", "medium"),
    "PSK203": ("keyless-identity-too-broad", "high"), "PSK204": ("image-policy-matches-all", "medium"),
    "PSK205": ("tlog-verification-disabled", "medium"),
    "PSK301": ("image-latest-or-untagged", "medium"), "PSK302": ("image-not-digest", "low"),
    "PSK303": ("privileged-container", "critical"), "PSK304": ("host-namespaces", "high"),
    "PSK305": ("host-path-volume", "high"), "PSK306": ("host-port", "medium"),
    "PSK307": ("dangerous-capabilities", "high"),
    "PSK308": ("privilege-escalation-allowed", "medium"), "PSK309": ("runs-as-root", "medium"),
    "PSK310": ("capabilities-not-dropped", "low"), "PSK311": ("seccomp-unconfined", "medium"),
    "PSK312": ("writable-root-filesystem", "low"), "PSK320": ("missing-resources", "low"),
    "PSK330": ("plain-secret-committed", "critical"), "PSK331": ("rbac-wildcard", "high"),
    "PSK332": ("cluster-admin-binding", "high"), "PSK340": ("removed-api-version", "medium"),
    "PSK401": ("base-image-latest-or-untagged", "medium"), "PSK402": ("base-image-not-digest", "low"),
    "PSK403": ("runs-as-root-image", "medium"), "PSK404": ("secret-in-build-arg", "high"),
    "PSK405": ("pipe-to-shell", "high"), "PSK406": ("integrity-check-disabled", "high"),
    "PSK407": ("remote-add-without-checksum", "medium"),
    "PSK901": ("no-image-signing", "critical"), "PSK902": ("no-cve-gate", "critical"),
    "PSK903": ("no-sbom", "high"), "PSK904": ("sbom-not-attested", "medium"),
    "PSK905": ("no-slsa-provenance", "medium"),
    "PSK501": ("flux-oci-not-verified", "high"), "PSK502": ("flux-keyless-identity-missing", "high"),
    "PSK503": ("flux-insecure-source", "high"), "PSK504": ("flux-floating-chart", "medium"),
    "PSK505": ("flux-oci-floating-tag", "medium"),
    "PSK506": ("flux-automation-pushes-default-branch", "medium"),
    "PSK507": ("flux-image-policy-any-tag", "medium"),
    "PSK551": ("argocd-project-wildcard", "high"), "PSK552": ("argocd-default-project", "medium"),
    "PSK553": ("argocd-floating-chart", "medium"),
    "PSK601": ("helm-dependency-unpinned", "low"), "PSK602": ("helm-values-latest", "low"),
    "PSK701": ("github-oidc-trust-too-broad", "critical"),
    "PSK702": ("terraform-module-unpinned", "medium"),
    "PSK703": ("terraform-provider-unbounded", "low"), "PSK704": ("ecr-mutable-tags", "medium"),
    "PSK705": ("iam-wildcard-admin", "high"),
    "PSK906": ("cluster-pulls-unverified", "high"), "PSK907": ("deny-would-block", "high"),
}


def test_contract_ids_names_and_severities():
    for rule_id, (name, severity) in CONTRACT.items():
        rule = get_rule(rule_id)
        assert (rule.name, rule.severity) == (name, severity), rule_id


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_record_is_complete(rule):
    assert re.fullmatch(r"PSK\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.severity in SEVERITIES
    assert rule.domain in {key for key, _ in DOMAINS}
    for field in ("summary", "rationale", "fix", "reference"):
        assert getattr(rule, field).strip(), f"{rule.id} has no {field}"
    assert rule.help_url.endswith(f"/rules/{rule.id.lower()}/")
    assert rule.checkov_id == "CKV_PSK_" + rule.id[3:]
    if rule.scope in ("file", "online"):
        assert rule.bad.strip() and rule.good.strip(), f"{rule.id} needs bad and good examples"


@pytest.mark.parametrize("rule", FILE_RULES, ids=lambda r: r.id)
def test_bad_example_raises_exactly_its_rule(rule, tmp_path):
    write_tree(tmp_path, example_tree(rule, rule.bad))
    proc, data = run_json("check", ".", "--no-config", cwd=tmp_path, in_process=True)
    assert data["errors"] == []
    assert {f["rule"] for f in data["findings"]} == {rule.id}, data["findings"]
    assert proc.returncode == 1


@pytest.mark.parametrize("rule", FILE_RULES, ids=lambda r: r.id)
def test_good_example_raises_nothing(rule, tmp_path):
    tree = example_tree(rule, rule.good)
    write_tree(tmp_path, tree)
    proc, data = run_json("check", ".", "--no-config", cwd=tmp_path, in_process=True)
    checked = sum(1 for name in tree if name != "Chart.lock")
    assert data == {"version": 1, "findings": [], "errors": [],
                    "summary": {"files": checked, "findings": 0, "errors": 0}}
    assert proc.returncode == 0


def test_select_and_ignore_by_prefix():
    picked = {i for i in INDEX if chosen(i, ["PSK1"], ["PSK11"])}
    assert picked == {"PSK101", "PSK102", "PSK103", "PSK104", "PSK130"}
    assert {i for i in INDEX if chosen(i, None, ["PSK0", "PSK1", "PSK2", "PSK3", "PSK4", "PSK5", "PSK6",
                                                 "PSK7", "PSK9"])} == set()


def test_online_rules_never_run_offline(tmp_path):
    """PSK009 needs the action's repository: check stays silent on its bad example."""
    online = [r for r in RULES if r.scope == "online"]
    assert [r.id for r in online] == ["PSK009"]
    write_tree(tmp_path, {".github/workflows/example.yml": online[0].bad})
    proc, data = run_json("check", ".", "--no-config", cwd=tmp_path)
    assert data["findings"] == [] and proc.returncode == 0


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_texts_carry_no_page_relative_links(rule):
    """Rule texts are shown on their own page, in the terminal, SARIF and Checkov: a link to
    an anchor of some other page (``](#selecting-rules)``) breaks on all of them."""
    for field in ("summary", "rationale", "fix", "limits"):
        assert "](#" not in getattr(rule, field), f"{rule.id}.{field}"
