"""Repository gaps for ``audit`` (PSK901-PSK905) and the gap table they form.

Each workflow contributes facts ("publishes", "signs", ...); the gap rules read the union.
"""

from .. import nodes
from ..model import rule
from . import pipeline, scans
from .kyverno import IMAGE_POLICIES, kyverno_kind

REF = "references/supply-chain.md"

PUBLISHES, SIGNS, CVE_GATE, SBOM, SBOM_ATTESTED, PROVENANCE, ADMISSION = (
    "publishes", "signs", "cve-gate", "sbom", "sbom-attested", "provenance", "admission")

FIX_ORDER = ("Sign images", "Gate on CVEs", "Generate and attest SBOMs", "Enforce at admission",
             "Produce SLSA provenance", "Pin actions")


def workflow_facts(wf):
    """What one workflow or composite action does for the supply chain."""
    facts = set()
    if pipeline.publishes_image(wf):
        facts.add(PUBLISHES)
    if any(call.verb == "sign" for call in pipeline.cosign_calls(wf)):
        facts.add(SIGNS)
    if any(scan.gating for scan in scans.scans(wf)):
        facts.add(CVE_GATE)
    if any(pipeline.generates_sbom(step) for step in wf.steps()):
        facts.add(SBOM)
    if pipeline.attests_sbom(wf):
        facts.add(SBOM_ATTESTED)
    if pipeline.has_provenance(wf):
        facts.add(PROVENANCE)
    return facts


def manifest_facts(root):
    """Whether a manifest enforces image signatures at admission."""
    kind = kyverno_kind(root)
    if kind in IMAGE_POLICIES:
        return {ADMISSION}
    if kind in ("ClusterPolicy", "Policy"):
        for rule_node in nodes.items(nodes.path(root, "spec", "rules")):
            if nodes.get(rule_node, "verifyImages") is not None:
                return {ADMISSION}
    return set()


def _gap(missing, needs=PUBLISHES):
    def check(facts):
        if needs in facts and missing not in facts:
            yield 0, None
    return check


_NO_EXAMPLE = ""


no_image_signing = rule(
    id="PSK901", name="no-image-signing", severity="critical", domain="repository",
    targets=("repository",), reference=REF + "#keyless-signing",
    summary="Publishes an image and no workflow signs it",
    rationale=(
        "Without a signature nobody downstream can tell your image from one pushed with a "
        "stolen registry token. Signing is also what admission policies verify, so every later "
        "control depends on it."),
    fix="Add keyless `cosign sign` by digest after the push (see the sign-and-push example).",
    bad=_NO_EXAMPLE, good=_NO_EXAMPLE,
)(_gap(SIGNS))

no_cve_gate = rule(
    id="PSK902", name="no-cve-gate", severity="critical", domain="repository",
    targets=("repository",), reference=REF + "#cve-gates",
    summary="Publishes an image and no workflow gates on CVEs",
    rationale=(
        "Without a gating scan, images with known critical vulnerabilities ship as readily as "
        "clean ones; the first person to notice is an attacker or an auditor."),
    fix="Add a Trivy or Grype scan that fails the build on CRITICAL,HIGH before the push.",
    bad=_NO_EXAMPLE, good=_NO_EXAMPLE,
)(_gap(CVE_GATE))

no_sbom = rule(
    id="PSK903", name="no-sbom", severity="high", domain="repository",
    targets=("repository",), reference=REF + "#sbom-generation-and-attestation",
    summary="Publishes an image and nothing generates an SBOM",
    rationale=(
        "When the next critical library CVE lands, an SBOM per image answers \"are we affected, "
        "where?\" in minutes instead of a week of grepping Dockerfiles."),
    fix="Generate an SPDX or CycloneDX SBOM with `anchore/sbom-action` (Syft) for each image.",
    bad=_NO_EXAMPLE, good=_NO_EXAMPLE,
)(_gap(SBOM))

sbom_not_attested = rule(
    id="PSK904", name="sbom-not-attested", severity="medium", domain="repository",
    targets=("repository",), reference=REF + "#sbom-generation-and-attestation",
    summary="Publishes an image whose SBOM is generated but never attested",
    rationale=(
        "An SBOM left as a build artifact cannot be tied to the image it describes and expires "
        "with the workflow run. Attesting it signs it and stores it next to the image digest."),
    fix="`cosign attest --predicate sbom.spdx.json --type spdxjson image@digest`, or "
        "`actions/attest` with `sbom-path` (`actions/attest-sbom` before v4).",
    bad=_NO_EXAMPLE, good=_NO_EXAMPLE,
)(_gap(SBOM_ATTESTED, needs=SBOM))

no_slsa_provenance = rule(
    id="PSK905", name="no-slsa-provenance", severity="medium", domain="repository",
    targets=("repository",), reference=REF + "#provenance",
    summary="Publishes an image without signed build provenance",
    rationale=(
        "Provenance records which repository, commit, workflow and builder produced the "
        "digest. It lets a verifier reject an image that was built anywhere else, even with a "
        "valid signature."),
    fix="Call `slsa-github-generator`'s container workflow by tag, or add `actions/attest` "
        "(provenance is its default mode; `actions/attest-build-provenance` before v4).",
    bad=_NO_EXAMPLE, good=_NO_EXAMPLE,
)(_gap(PROVENANCE))


class GapRow:
    """One row of the audit gap table, in fix order."""

    __slots__ = ("rule_id", "title", "impact", "step", "rollup")

    def __init__(self, rule_id, title, impact, step, rollup=False):
        self.rule_id = rule_id
        self.title = title
        self.impact = impact
        self.step = step
        self.rollup = rollup  # counted from file findings rather than repository facts


GAP_ROWS = (
    GapRow("PSK901", "No image signing", "Consumers cannot tell your image from a forged one.", 1),
    GapRow("PSK902", "No CVE gate", "Known-vulnerable images ship unchallenged.", 2),
    GapRow("PSK111", "Severity gate CRITICAL only",
           "Exploitable HIGH vulnerabilities pass the gate.", 2, rollup=True),
    GapRow("PSK903", "No SBOM", "No quick answer to \"are we affected?\" on the next CVE.", 3),
    GapRow("PSK904", "SBOM not attested", "The SBOM cannot be tied to the image digest.", 3),
    GapRow("PSK905", "No SLSA provenance",
           "Nothing proves where and how the image was built.", 5),
    GapRow("PSK001", "Action versions pinned to tag",
           "A moved tag runs new code with your token and secrets.", 6, rollup=True),
)
