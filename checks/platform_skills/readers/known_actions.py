"""Remote actions and reusable workflows the audit reads by what they are.

The audit cannot read another repository's steps. For the release tools below it does not
need to: what each does is known and read from its inputs elsewhere (``pipeline``,
``publishing``). Tools that only prepare a job (check out, set up a language or a CLI, log
in, compute tags, cache) cannot publish. Any other remote ``uses:`` in a job that can push
to a registry is reported as not followed.
"""

from __future__ import annotations

from functools import lru_cache

from .patterns import SLSA_GENERATOR

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .workflow import Step

_GENERATOR = SLSA_GENERATOR + "/.github/workflows/"

# name -> what the audit knows it does (each entry has its own test in tests/test_pipelines.py)
KNOWN_PUBLISHERS = {
    "docker/build-push-action": "pushes with push: true, an SBOM with sbom: true",
    "docker/bake-action": "pushes with push: true",
    "goreleaser/goreleaser-action": "runs goreleaser, followed to its configuration",
    "ko-build/setup-ko": "installs ko and sets KO_DOCKER_REPO; the ko build after it publishes",
    _GENERATOR + "generator_container_slsa3.yml": "signed provenance of an image",
    _GENERATOR + "generator_generic_slsa3.yml": "provenance of files, not of an image",
    "actions/attest": "provenance or an SBOM attestation, of an image when given one",
    "actions/attest-build-provenance": "provenance, of an image when given one",
    "actions/attest-sbom": "an SBOM attestation",
    "sigstore/cosign-installer": "installs cosign; the cosign commands after it are read",
    "anchore/sbom-action": "generates an SBOM with Syft",
}

# Prefixes of actions that prepare a job, scan or describe it, and publish nothing themselves.
_PREPARES = ("actions/checkout", "actions/setup-", "actions/cache", "actions/upload-artifact",
             "actions/download-artifact", "actions/github-script", "actions/create-github-app-token",
             "docker/setup-", "docker/login-action", "docker/metadata-action",
             "aws-actions/configure-aws-credentials", "aws-actions/amazon-ecr-login",
             "azure/login", "azure/docker-login", "google-github-actions/auth",
             "google-github-actions/setup-gcloud", "aquasecurity/trivy-action",
             "aquasecurity/setup-trivy", "anchore/scan-action", "github/codeql-action/",
             "cyclonedx/gh-",
             "step-security/harden-runner", "imjasonh/setup-crane", "imjasonh/setup-ko",
             "golangci/golangci-lint-action", "codecov/codecov-action", "softprops/action-gh-release",
             "slsa-framework/slsa-verifier/actions/installer", "sigstore/")
_SETUP = "/setup-"  # owner/setup-tool: installs a tool


@lru_cache(maxsize=512)
def role(name: str) -> str | None:
    """``"known"`` for a release tool read by what it is, ``"prepares"`` for a job's set-up,
    None when the audit cannot tell what the remote action or workflow does."""
    if name in KNOWN_PUBLISHERS or name.startswith(_GENERATOR) or any(
            name.startswith(known + "/") for known in KNOWN_PUBLISHERS):  # anchore/sbom-action/download-syft
        return "known"
    if name.startswith(_PREPARES) or _SETUP in name or name.split("/", 1)[-1].startswith("setup-"):
        return "prepares"
    return None


# Registry log-ins: a job that runs one can push whatever its remote steps build.
LOGIN_ACTIONS = ("docker/login-action", "aws-actions/amazon-ecr-login", "azure/docker-login")


def logs_in(step: Step) -> bool:
    """Whether the step logs in to a container registry."""
    if step.action in LOGIN_ACTIONS:
        return True
    for command in step.commands:
        texts = [t.text for t in command.argv]
        if command.program in ("docker", "podman", "buildah", "helm", "oras") and "login" in texts[1:3]:
            return True
        if command.program in ("crane", "cosign", "ko") and texts[1:2] in (["auth"], ["login"]):
            return True
    return False
