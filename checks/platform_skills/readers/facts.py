"""Supply-chain facts a file contributes to the repository model that ``audit`` reads."""

from .. import nodes
from . import pipeline, scans
from .gitops import is_oci_repository, verifies
from .kyverno import IMAGE_POLICIES, kyverno_kind

PUBLISHES, SIGNS, CVE_GATE, SBOM, SBOM_ATTESTED, PROVENANCE, ADMISSION = (
    "publishes", "signs", "cve-gate", "sbom", "sbom-attested", "provenance", "admission")
# The cluster side: Flux pulls OCI artifacts, and whether any of those pulls verifies them.
OCI_SOURCE, OCI_VERIFIED = "oci-source", "oci-verified"


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
    """Whether a manifest enforces image signatures at admission, or pulls OCI artifacts."""
    if is_oci_repository(root):
        return {OCI_SOURCE, OCI_VERIFIED} if verifies(root) else {OCI_SOURCE}
    kind = kyverno_kind(root)
    if kind in IMAGE_POLICIES:
        return {ADMISSION}
    if kind in ("ClusterPolicy", "Policy"):
        for rule_node in nodes.items(nodes.path(root, "spec", "rules")):
            if nodes.get(rule_node, "verifyImages") is not None:
                return {ADMISSION}
    return set()


def document_facts(doc, views):
    """The facts of one document, from the views its kind built for the rules."""
    facts = set()
    if doc.kind in ("workflow", "action"):
        for wf in views:
            facts |= workflow_facts(wf)
    elif doc.kind == "manifest":
        for root in views:
            facts |= manifest_facts(root)
    return facts
