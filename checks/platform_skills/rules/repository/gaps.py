"""Repository gaps for ``audit`` (PSK901-PSK906): what the whole repository lacks.

Each file contributes facts (``readers/facts.py``); these rules read their union.
"""

from ...model import rule
from ...readers.facts import (
    CVE_GATE,
    OCI_SOURCE,
    OCI_VERIFIED,
    PROVENANCE,
    PUBLISHES,
    SBOM,
    SBOM_ATTESTED,
    SIGNS,
    SIGNS_TAG,
    SIGNS_TAG_REPORTED,
)

REF = "references/supply-chain.md"


def _where(evidence):
    return f"{evidence[0]}:{evidence[1]}"


def _gap(missing, needs=PUBLISHES):
    """A gap rule: ``needs`` is in the repository's facts and ``missing`` is not. The message
    names the evidence found, and the place is related so SARIF and text can point at it."""
    def check(facts):
        if needs not in facts or missing in facts:
            return
        evidence = facts[needs]
        message = f"{GAP_MESSAGES[missing]} (evidence: {_where(evidence)})"
        related = [(evidence[0], evidence[1], NEEDS_NOTES[needs])]
        if missing == SIGNS and SIGNS_TAG in facts:
            reported = ", which PSK101 reports" if SIGNS_TAG_REPORTED in facts else ""
            message += (f"; cosign signs only tags, at {_where(facts[SIGNS_TAG])}{reported}: "
                        "sign the digest")
            related.append((facts[SIGNS_TAG][0], facts[SIGNS_TAG][1], "cosign signs a tag"))
        yield 0, message, related
    return check


NEEDS_NOTES = {PUBLISHES: "the image is pushed here", SBOM: "the SBOM is generated here"}


GAP_MESSAGES = {
    SIGNS: "images are published but nothing signs them by digest",
    CVE_GATE: "images are published but no workflow scan can fail the build on CVEs",
    SBOM: "images are published but nothing generates an SBOM",
    SBOM_ATTESTED: "an SBOM is generated but never attested to the image",
    PROVENANCE: "images are published without signed build provenance",
}


_NO_EXAMPLE = ""

# What every pipeline row cannot see; the audit lists each case it meets under "Not followed".
PIPELINE_LIMITS = (
    "The audit follows workflows into local actions and reusable workflows, shell scripts "
    "(five levels deep), Make targets and sub-makes, and goreleaser configurations. It cannot "
    "follow, and reports as `unseen` instead of guessing: remote reusable workflows and actions "
    "other than the known release tools, in a job that can push; local `uses:` paths that do "
    "not exist at rest (`./__BUILDER_CHECKOUT_DIR__/...`, outside the repository); scripts not "
    "in the repository or whose path is known only at run time; Makefile names built by "
    "`$(shell)`, `$(eval)` or unknown variables. "
    "Not listed: Makefile conditionals (both branches count), shell control flow (every command "
    "counts), variables set in another file, same-named targets in two Makefiles (one target), "
    "and CI systems other than GitHub Actions.")


no_image_signing = rule(
    id="PSK901", name="no-image-signing", severity="critical", domain="repository",
    targets=("repository",), reference=REF + "#keyless-signing",
    summary="Publishes an image and no workflow signs it",
    rationale=(
        "Without a signature nobody downstream can tell your image from one pushed with a "
        "stolen registry token. Signing is also what admission policies verify, so every later "
        "control depends on it."),
    fix="Add keyless `cosign sign` by digest after the push (see the sign-and-push example).",
    limits=PIPELINE_LIMITS + (
        " A signature on `$(cat FILE)` counts as by digest only when `ko --image-refs FILE` "
        "writes that file; other values the reader cannot trace count as tags."),
    bad=_NO_EXAMPLE, good=_NO_EXAMPLE,
    precision="high",
)(_gap(SIGNS))

no_cve_gate = rule(
    id="PSK902", name="no-cve-gate", severity="critical", domain="repository",
    targets=("repository",), reference=REF + "#cve-gates",
    summary="Publishes an image and no workflow gates on CVEs",
    rationale=(
        "Without a gating scan, images with known critical vulnerabilities ship as readily as "
        "clean ones; the first person to notice is an attacker or an auditor."),
    fix="Add a Trivy or Grype scan that fails the build on CRITICAL,HIGH before the push.",
    limits=PIPELINE_LIMITS,
    bad=_NO_EXAMPLE, good=_NO_EXAMPLE,
    precision="high",
)(_gap(CVE_GATE))

no_sbom = rule(
    id="PSK903", name="no-sbom", severity="high", domain="repository",
    targets=("repository",), reference=REF + "#sbom-generation-and-attestation",
    summary="Publishes an image and nothing generates an SBOM",
    rationale=(
        "When the next critical library CVE lands, an SBOM per image answers \"are we affected, "
        "where?\" in minutes instead of a week of grepping Dockerfiles."),
    fix="Generate an SPDX or CycloneDX SBOM with `anchore/sbom-action` (Syft) for each image.",
    limits=PIPELINE_LIMITS,
    bad=_NO_EXAMPLE, good=_NO_EXAMPLE,
    precision="high",
)(_gap(SBOM))

sbom_not_attested = rule(
    id="PSK904", name="sbom-not-attested", severity="medium", domain="repository",
    targets=("repository",), reference=REF + "#sbom-generation-and-attestation",
    summary="Publishes an image whose SBOM is generated but never attested",
    rationale=(
        "An SBOM left as a build artifact cannot be tied to the image it describes and expires "
        "with the workflow run. Attesting it signs it and stores it next to the image digest."),
    fix="`cosign attest --predicate sbom.spdx.json --type spdxjson image@digest`, or "
        "`actions/attest` with `sbom-path` (which replaces `actions/attest-sbom`, deprecated since "
        "its v4).",
    limits=PIPELINE_LIMITS,
    bad=_NO_EXAMPLE, good=_NO_EXAMPLE,
    precision="high",
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
    limits=PIPELINE_LIMITS + (
        " Provenance counts only when its subject is the image: `generator_generic_slsa3` and "
        "`subject-path` attestations cover files."),
    bad=_NO_EXAMPLE, good=_NO_EXAMPLE,
    precision="high",
)(_gap(PROVENANCE))


def _cluster_pulls_unverified(facts):
    if OCI_SOURCE in facts and OCI_VERIFIED not in facts:
        source = facts[OCI_SOURCE]
        yield 0, (f"Flux pulls OCI artifacts ({_where(source)} and any others) and no "
                  "OCIRepository verifies their signatures"), [
            (source[0], source[1], "an OCIRepository without spec.verify")]


cluster_pulls_unverified = rule(
    id="PSK906", name="cluster-pulls-unverified", severity="high", domain="repository",
    targets=("repository",), reference="references/fluxcd.md#verifying-oci-artifacts",
    summary="Flux pulls OCI artifacts and no `OCIRepository` verifies a signature",
    rationale=(
        "Signing in the pipeline protects nothing until something verifies. When the "
        "repository's Flux sources pull OCI artifacts and none of them sets `spec.verify`, "
        "the cluster applies whatever the registry serves: a pushed-over tag or a stolen "
        "registry token is enough to change what runs. It is the cluster-side twin of "
        "admission enforcement, and belongs to the same fix step."),
    fix="Add `spec.verify` (cosign keyless with `matchOIDCIdentity`, or a key in `secretRef`) "
        "to every `OCIRepository`; PSK501 lists each one.",
    bad=_NO_EXAMPLE, good=_NO_EXAMPLE, since="0.2.0",
    precision="high",
    limits=("Reads the `OCIRepository` objects of the repository as written: sources "
            "generated by a Kustomize overlay or a Helm chart, or kept in another repository "
            "(a fleet repository), are not seen, and one verifying `OCIRepository` anywhere "
            "satisfies the rule (PSK501 reports each one that does not verify). Verification "
            "done elsewhere, by a Kyverno image policy or a `HelmChart`'s `verify`, is not "
            "counted."),
)(_cluster_pulls_unverified)
