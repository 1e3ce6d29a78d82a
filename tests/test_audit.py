"""``audit``: the gap table on gap-ridden, clean and image-less repositories."""

import re

import pytest

from support import ROOT, run_cli, run_json, write_tree

CLEAN_RELEASE = """\
on:
  push:
    branches: [main]
permissions: {}
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
      id-token: write
      attestations: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - uses: sigstore/cosign-installer@faadad0cce49287aee09b3a48701e75088a2c6ad # v4.0.0
      - id: build
        uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0
        with:
          push: true
          tags: ghcr.io/example-org/app:${{ github.sha }}
      - uses: aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1 # v0.35.0
        with:
          image-ref: ghcr.io/example-org/app@${{ steps.build.outputs.digest }}
          exit-code: "1"
          severity: CRITICAL,HIGH
      - uses: anchore/sbom-action@17ae1740179002c89186b61233e0f892c3118b11 # v0.23.0
        with:
          image: ghcr.io/example-org/app@${{ steps.build.outputs.digest }}
          format: spdx-json
          output-file: sbom.spdx.json
      - env:
          DIGEST: ${{ steps.build.outputs.digest }}
        run: |
          cosign sign --yes "ghcr.io/example-org/app@${DIGEST}"
          cosign attest --yes --type spdxjson --predicate sbom.spdx.json "ghcr.io/example-org/app@${DIGEST}"
      - uses: actions/attest-build-provenance@a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32 # v4.1.0
        with:
          subject-name: ghcr.io/example-org/app
          subject-digest: ${{ steps.build.outputs.digest }}
          push-to-registry: true
"""


# The release pins its actions by SHA; Dependabot keeps them fresh, so PSK908 stays quiet.
FRESH = {".github/dependabot.yml": (
    "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n"
    "    schedule:\n      interval: weekly\n")}


def _rows(data):
    assert all(f["path"] == "." for f in data["findings"])
    return {f["rule"] for f in data["findings"]}


def test_demo_repository_shows_its_gaps_in_fix_order():
    proc, data = run_json("audit", "examples/insecure-pipeline", cwd=ROOT)
    assert proc.returncode == 1
    assert [f["rule"] for f in data["findings"]] == [
        "PSK901", "PSK111", "PSK904", "PSK905", "PSK001"]
    text = run_cli("audit", "examples/insecure-pipeline", cwd=ROOT).stdout
    order = [text.index(step) for step in ("1. Sign images", "2. Gate on CVEs",
                                           "3. Generate and attest SBOMs", "5. Produce SLSA")]
    assert order == sorted(order)


def test_clean_repository_has_no_gaps(tmp_path):
    write_tree(tmp_path, {**FRESH, ".github/workflows/release.yml": CLEAN_RELEASE})
    proc, data = run_json("audit", ".", cwd=tmp_path)
    assert data["findings"] == [] and data["errors"] == []
    assert proc.returncode == 0
    assert run_json("check", ".", cwd=tmp_path)[1]["findings"] == []


@pytest.mark.parametrize("remove, gap", [
    ("          cosign sign --yes \"ghcr.io/example-org/app@${DIGEST}\"\n", "PSK901"),
    ("          exit-code: \"1\"\n", "PSK902"),
    ("          severity: CRITICAL,HIGH\n", None),
])
def test_each_missing_control_is_one_gap(tmp_path, remove, gap):
    write_tree(tmp_path, {**FRESH, ".github/workflows/release.yml": CLEAN_RELEASE.replace(remove, "")})
    _, data = run_json("audit", ".", cwd=tmp_path)
    assert _rows(data) == ({gap} if gap else set())


def test_sbom_and_provenance_gaps(tmp_path):
    text = CLEAN_RELEASE.replace("--type spdxjson", "--type vuln")  # an attestation, not an SBOM's
    text = text[:text.index("      - uses: actions/attest-build-provenance")]
    write_tree(tmp_path, {**FRESH, ".github/workflows/release.yml": text})
    proc, data = run_json("audit", ".", cwd=tmp_path)
    assert _rows(data) == {"PSK904", "PSK905"}
    assert proc.returncode == 0  # medium gaps: audit fails on high and above by default
    assert run_cli("audit", ".", "--fail-on", "medium", cwd=tmp_path).returncode == 1


def test_repository_without_images_reports_no_gap(tmp_path):
    write_tree(tmp_path, {
        ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                                    "    steps:\n      - uses: actions/checkout@v4\n",
        "deploy/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                           "spec: {containers: [{name: c, image: nginx}]}\n"})
    proc, data = run_json("audit", ".", cwd=tmp_path)
    assert data["findings"] == [] and proc.returncode == 0
    assert "does not apply" in run_cli("audit", ".", cwd=tmp_path).stdout


def test_push_via_cli_tools_counts_as_publishing(tmp_path):
    write_tree(tmp_path, {".github/workflows/ko.yml": (
        "on: push\npermissions: {}\njobs:\n  ko:\n    runs-on: ubuntu-latest\n"
        "    permissions: {contents: read, packages: write}\n"
        "    steps:\n      - run: ko build ./cmd/app --bare\n")})
    _, data = run_json("audit", ".", cwd=tmp_path)
    # ko uploads an SPDX SBOM by default (--sbom=none turns it off): generated, not attested
    assert {"PSK901", "PSK902", "PSK904", "PSK905"} <= _rows(data)


@pytest.mark.parametrize("inputs, gaps", [
    ({}, {"PSK904"}),  # provenance mode: provenance yes, SBOM still unattested
    ({"sbom-path": "sbom.spdx.json"}, {"PSK905"}),
    ({"predicate-type": "https://slsa.dev/provenance/v1", "predicate-path": "p.json"}, {"PSK904"}),
    ({"predicate-type": "https://example.com/custom/v1", "predicate": "{}"}, {"PSK904", "PSK905"}),
])
def test_actions_attest_modes(tmp_path, inputs, gaps):
    """actions/attest v4 makes provenance with no predicate, an SBOM attestation with sbom-path."""
    text = CLEAN_RELEASE.replace("--type spdxjson", "--type vuln")
    text = text[:text.index("      - uses: actions/attest-build-provenance")]
    text += ("      - uses: actions/attest@1111111111111111111111111111111111111111 # v4.1.0 (test pin)\n"
             "        with:\n          subject-name: ghcr.io/example-org/app\n"
             "          subject-digest: ${{ steps.build.outputs.digest }}\n")
    text += "".join(f"          {k}: {v!r}\n" for k, v in inputs.items())
    write_tree(tmp_path, {**FRESH, ".github/workflows/release.yml": text})
    _, data = run_json("audit", ".", cwd=tmp_path)
    assert _rows(data) == gaps


def test_audit_sarif_places_gaps_on_the_publishing_workflow():
    """Code scanning rejects results without a file; gap rows land on the workflow that pushes."""
    import json

    proc = run_cli("audit", "examples/insecure-pipeline", "--format", "sarif", cwd=ROOT)
    results = json.loads(proc.stdout)["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"PSK901", "PSK111", "PSK904", "PSK905", "PSK001"}
    text = (ROOT / "examples/insecure-pipeline/.github/workflows/release.yml").read_text()
    push_line = next(n for n, line in enumerate(text.splitlines(), 1)
                     if "docker push" in line)
    for r in results:
        location = r["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == \
            "examples/insecure-pipeline/.github/workflows/release.yml"
        if r["ruleId"].startswith("PSK9"):  # gap rows sit on their evidence: the push
            assert location["region"]["startLine"] == push_line


def test_cosign_slsaprovenance_attestation_counts_as_provenance(tmp_path):
    text = CLEAN_RELEASE.replace("--type spdxjson", "--type slsaprovenance")
    text = text[:text.index("      - uses: actions/attest-build-provenance")]
    write_tree(tmp_path, {**FRESH, ".github/workflows/release.yml": text})
    _, data = run_json("audit", ".", cwd=tmp_path)
    assert _rows(data) == {"PSK904"}


FLUX_OCI = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 10m
  url: oci://ghcr.io/example-org/manifests/{name}
  ref:
    semver: ">=1.0.0 <2.0.0"
"""
FLUX_VERIFY = """\
  verify:
    provider: cosign
    matchOIDCIdentity:
      - issuer: ^https://token\\.actions\\.githubusercontent\\.com$
        subject: ^https://github\\.com/example-org/manifests/\\.github/workflows/release\\.yml@refs/heads/main$
"""


def test_flux_repository_whose_oci_sources_do_not_verify_has_the_cluster_gap(tmp_path):
    write_tree(tmp_path, {"clusters/prod/apps.yaml": FLUX_OCI.format(name="apps"),
                          "clusters/prod/infra.yaml": FLUX_OCI.format(name="infra")})
    proc, data = run_json("audit", ".", cwd=tmp_path)
    assert [f["rule"] for f in data["findings"]] == ["PSK906"]
    assert "clusters/prod/apps.yaml" in data["findings"][0]["message"]
    assert proc.returncode == 1  # high
    text = run_cli("audit", ".", cwd=tmp_path).stdout
    assert "4     Cluster pulls unverified artifacts  PSK906" in text
    assert "4. Enforce at admission:" in text and "No SLSA provenance" not in text
    sarif = __import__("json").loads(run_cli("audit", ".", "--format", "sarif", cwd=tmp_path).stdout)
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "clusters/prod/apps.yaml"


def test_one_verifying_oci_source_closes_the_cluster_gap(tmp_path):
    write_tree(tmp_path, {"clusters/prod/apps.yaml": FLUX_OCI.format(name="apps") + FLUX_VERIFY,
                          "clusters/prod/infra.yaml": FLUX_OCI.format(name="infra")})
    proc, data = run_json("audit", ".", cwd=tmp_path)
    assert data["findings"] == [] and proc.returncode == 0
    assert "Flux verifies the signatures" in run_cli("audit", ".", cwd=tmp_path).stdout
    # The file rule still names the unverified one.
    _, checked = run_json("check", ".", cwd=tmp_path)
    assert [(f["rule"], f["path"]) for f in checked["findings"]] == [
        ("PSK501", "clusters/prod/infra.yaml")]


def test_cluster_gap_sits_with_admission_in_the_fix_order(tmp_path):
    text = CLEAN_RELEASE.replace("--type spdxjson", "--type vuln")
    text = text[:text.index("      - uses: actions/attest-build-provenance")]
    write_tree(tmp_path, {**FRESH, ".github/workflows/release.yml": text,
                          "clusters/prod/apps.yaml": FLUX_OCI.format(name="apps")})
    _, data = run_json("audit", ".", cwd=tmp_path)
    assert [f["rule"] for f in data["findings"]] == ["PSK904", "PSK906", "PSK905"]


def test_rows_left_out_by_the_selection_read_not_checked_never_ok():
    """An audit run with --select that leaves gap rules out must not print their rows as ok."""
    proc = run_cli("audit", "examples/insecure-pipeline", "--select", "PSK0,PSK1", cwd=ROOT)
    lines = {re.search(r"PSK\d{3}", line).group(): line for line in proc.stdout.splitlines()
             if re.match(r"^  \d ", line)}
    assert lines["PSK901"].endswith("not checked") and lines["PSK905"].endswith("not checked")
    assert lines["PSK111"].endswith("GAP")
    assert "Not checked: PSK901, PSK902, PSK903, PSK904, PSK905" in proc.stdout
    assert "No gaps: images are signed" not in proc.stdout
