"""Signing, scanning and provenance in workflows (PSK101-PSK130)."""

import re

from .. import nodes
from ..model import rule
from . import pipeline, scans
from .github_actions import SLSA_GENERATOR

REF = "references/supply-chain.md"
_SHA = re.compile(r"^[0-9a-fA-F]{40}$")

_PROVENANCE = """\
on: push
permissions:
  contents: read
jobs:
  provenance:
    permissions:
      actions: read
      id-token: write
      packages: write
    uses: slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@v2.1.0
    with:
      image: ghcr.io/example-org/app
      digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
"""

_SIGN_WORKFLOW = """\
on: push
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
      id-token: write
    steps:
      - uses: sigstore/cosign-installer@faadad0cce49287aee09b3a48701e75088a2c6ad # v4.0.0
      - id: build
        uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0
        with:
          push: true
          tags: ghcr.io/example-org/app:${{ github.sha }}
      - run: cosign sign --yes ghcr.io/example-org/app@${{ steps.build.outputs.digest }}
"""


@rule(
    id="PSK101", name="cosign-by-tag", severity="high", domain="supply-chain",
    targets=("workflow", "action"), reference=REF + "#keyless-signing",
    summary="`cosign sign`/`attest` on a tag instead of a digest",
    rationale=(
        "A signature binds to the manifest digest that the tag pointed at when cosign "
        "resolved it. If the tag moves between the push and the signing (a parallel build, a "
        "re-run), you sign someone else's image. Verifiers and admission controllers check "
        "digests, so sign exactly the digest the build produced."),
    fix=(
        "Sign `image@${{ steps.<build>.outputs.digest }}` (the digest output of "
        "`docker/build-push-action`), or `\"${IMAGE}@${DIGEST}\"` in a script."),
    bad=_SIGN_WORKFLOW.replace("app@${{ steps.build.outputs.digest }}", "app:${{ github.sha }}"),
    good=_SIGN_WORKFLOW,
)
def cosign_by_tag(wf):
    for job in wf.jobs:
        exports = None
        for call in pipeline.cosign_calls_in(job):
            if not pipeline.image_refs_by_tag(call, None):
                continue  # digest-qualified as written: no need to trace variables
            if exports is None:
                exports = pipeline.github_env_exports(job)
            assigned = pipeline.script_assignments(call.step, call.command,
                                                   exports.get(call.step.index))
            refs = pipeline.image_refs_by_tag(call, assigned)
            if refs:
                yield call.line, (f"cosign {call.verb} targets '{refs[0]}', which is not "
                                  "digest-qualified; use image@sha256:<digest>")


@rule(
    id="PSK102", name="keyless-without-id-token", severity="high", domain="supply-chain",
    targets=("workflow",), reference=REF + "#keyless-signing",
    summary="Keyless cosign without `id-token: write`",
    rationale=(
        "Keyless signing trades the job's OIDC token for a short-lived Fulcio certificate. "
        "Without `id-token: write` the job cannot request that token and cosign fails, or, "
        "worse, falls back to an interactive flow that hangs the job until it times out. "
        "Job-level `permissions:` replace the workflow's, so the grant must be where the job "
        "reads it."),
    fix="Grant `id-token: write` (and `packages: write` to push signatures) on the signing job.",
    bad=_SIGN_WORKFLOW.replace("      id-token: write\n", ""),
    good=_SIGN_WORKFLOW,
)
def keyless_without_id_token(wf):
    for job in wf.jobs:
        if job.grants("id-token"):
            continue
        for call in pipeline.cosign_calls_in(job):
            if call.keyless:
                yield call.line, (f"keyless cosign {call.verb} in job '{job.name}', whose token "
                                  "cannot request an OIDC token: grant id-token: write")


@rule(
    id="PSK103", name="cosign-experimental", severity="low", domain="supply-chain",
    targets=("workflow", "action"), reference=REF + "#troubleshooting",
    summary="`COSIGN_EXPERIMENTAL` leftover",
    rationale=(
        "`COSIGN_EXPERIMENTAL=1` switched on keyless signing in cosign 1.x. Since cosign 2.0 "
        "keyless is the default and the variable does nothing, but it signals copy-pasted, "
        "unreviewed signing code and confuses the next reader."),
    fix="Delete the variable; keep `--yes` on `cosign sign` for non-interactive runs.",
    bad=_SIGN_WORKFLOW.replace("    steps:\n", "    env:\n      COSIGN_EXPERIMENTAL: \"1\"\n"
                               "    steps:\n", 1),
    good=_SIGN_WORKFLOW,
)
def cosign_experimental(wf):
    for env in env_mappings(wf):
        key, _ = nodes.get_pair(env, "COSIGN_EXPERIMENTAL")
        if key is not None:
            yield nodes.line(key), "COSIGN_EXPERIMENTAL is a cosign v1 leftover"
    for step in wf.steps():
        for command in step.commands:
            exporting = command.program == "export"
            for token in command.tokens:
                name = token.text.split("=", 1)[0]
                if name == "COSIGN_EXPERIMENTAL" and ("=" in token.text or exporting):
                    yield token.line, "COSIGN_EXPERIMENTAL is a cosign v1 leftover"
                    break


def env_mappings(wf):
    """Every ``env:`` a workflow or composite action can set: top, job, container, service, step."""
    yield wf.env
    for job in wf.jobs:
        yield job.env
        yield nodes.path(job.node, "container", "env")
        for _, _, service in nodes.pairs(nodes.get(job.node, "services")):
            yield nodes.get(service, "env")
        for step in job.steps:
            yield step.env


@rule(
    id="PSK104", name="sign-before-push", severity="medium", domain="supply-chain",
    targets=("workflow", "action"), reference=REF + "#keyless-signing",
    summary="`cosign sign` runs before the image is pushed",
    rationale=(
        "cosign stores the signature next to the image in the registry and signs a digest that "
        "must already exist there. Signing before the push fails, or signs an image that was "
        "built earlier and is about to be replaced."),
    fix="Move the signing step after the push and sign the digest the push step outputs.",
    bad="""\
on: push
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      packages: write
      id-token: write
    steps:
      - run: |
          docker build -t ghcr.io/example-org/app:1.0 .
          cosign sign --yes "ghcr.io/example-org/app@${DIGEST}"
          docker push ghcr.io/example-org/app:1.0
""",
    good="""\
on: push
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      packages: write
      id-token: write
    steps:
      - run: |
          docker build -t ghcr.io/example-org/app:1.0 .
          docker push ghcr.io/example-org/app:1.0
          DIGEST="$(crane digest ghcr.io/example-org/app:1.0)"
          cosign sign --yes "ghcr.io/example-org/app@${DIGEST}"
""",
)
def sign_before_push(wf):
    for job in wf.jobs:
        events = []
        for step in job.steps:
            events.extend(((step.index, i), "push", line) for i, line in pipeline.pushes(step))
        first_push = min((pos for pos, _, _ in events), default=None)
        if first_push is None:
            continue
        for call in pipeline.cosign_calls_in(job):
            if call.verb != "sign":
                continue
            pos = (call.step.index, call.step.commands.index(call.command))
            if pos < first_push:
                yield call.line, "cosign sign runs before the step that pushes the image"


@rule(
    id="PSK110", name="scan-not-gating", severity="high", domain="supply-chain",
    targets=("workflow", "action"), reference=REF + "#cve-gates",
    summary="CVE scan that cannot fail the build",
    rationale=(
        "A scan that always exits 0 is a report nobody reads on the day it matters. Trivy "
        "exits 0 by default whatever it finds; Grype only fails with `--fail-on`; "
        "`anchore/scan-action` with `fail-build: false` never fails. A gate whose failure is "
        "swallowed, by `continue-on-error: true` on the step or job or by `|| true` after "
        "the command, cannot fail the build either."),
    fix=(
        "Trivy: `exit-code: \"1\"` (action) or `--exit-code 1` (CLI), with "
        "`severity: CRITICAL,HIGH`. Grype: `fail-build: true` and `severity-cutoff: high` "
        "(action) or `--fail-on high` (CLI). Keep a non-gating SARIF run as well if you upload "
        "results, but make one run gate."),
    bad="""\
on: push
permissions:
  contents: read
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1 # v0.35.0
        with:
          image-ref: ghcr.io/example-org/app:${{ github.sha }}
          severity: CRITICAL,HIGH
""",
    good="""\
on: push
permissions:
  contents: read
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1 # v0.35.0
        with:
          image-ref: ghcr.io/example-org/app:${{ github.sha }}
          severity: CRITICAL,HIGH
          exit-code: "1"
""",
)
def scan_not_gating(wf):
    for scan in scans.scans(wf):
        if not scan.gating:
            yield scan.line, f"{scan.tool} scan does not gate: {scan.why}"


@rule(
    id="PSK111", name="severity-gate-critical-only", severity="high", domain="supply-chain",
    targets=("workflow", "action"), reference=REF + "#cve-gates",
    summary="CVE gate that lets HIGH findings through",
    rationale=(
        "Most exploited vulnerabilities are rated HIGH, not CRITICAL. A gate on CRITICAL alone "
        "passes images with remotely exploitable HIGH findings. CRITICAL,HIGH is the baseline; "
        "regulated environments add MEDIUM."),
    fix=(
        "Trivy: `severity: CRITICAL,HIGH`. Grype: `severity-cutoff: high` or `--fail-on high`. "
        "Use `ignore-unfixed` or a reviewed ignore file with expiry dates for noise, not a "
        "higher threshold."),
    bad="""\
on: push
permissions:
  contents: read
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - run: grype ghcr.io/example-org/app:1.0 --fail-on critical
""",
    good="""\
on: push
permissions:
  contents: read
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - run: grype ghcr.io/example-org/app:1.0 --fail-on high
""",
)
def severity_gate_critical_only(wf):
    for scan in scans.scans(wf):
        if scan.gating and scans.lets_high_through(scan):
            yield scan.severity_line, (f"{scan.tool} gate threshold '{scan.severity}' lets HIGH "
                                       "vulnerabilities through; gate on CRITICAL,HIGH")


@rule(
    id="PSK130", name="slsa-generator-sha-without-compile", severity="high", domain="supply-chain",
    targets=("workflow",), reference=REF + "#provenance",
    summary="slsa-github-generator pinned by SHA without `compile-generator: true`",
    rationale=(
        "The generator's reusable workflows download their builder binary from the release "
        "that matches the ref they were called with. Called by a commit SHA there is no such "
        "release and the provenance job fails with \"Invalid ref\", unless it is told to "
        "compile the builder from source."),
    fix=(
        "Reference the reusable workflow by its release tag (`@v2.1.0`), or keep the SHA and "
        "add `with: compile-generator: true`."),
    bad=_PROVENANCE.replace("@v2.1.0", "@f7dd8c54c2067bafc12ca7a55595d5ee9b75204a # v2.1.0"),
    good=_PROVENANCE,
)
def slsa_generator_sha_without_compile(wf):
    for job in wf.jobs:
        value = nodes.text(job.uses, "")
        name, _, ref = value.partition("@")
        if not name.lower().startswith(SLSA_GENERATOR + "/.github/workflows/"):
            continue
        compile_generator = nodes.get(nodes.get(job.node, "with"), "compile-generator")
        if not _SHA.match(ref.strip()) or nodes.is_true(compile_generator) \
                or "${{" in nodes.text(compile_generator, ""):
            continue
        yield nodes.line(job.uses), ("slsa-github-generator called by SHA without "
                                     "compile-generator: true fails with 'Invalid ref'")
