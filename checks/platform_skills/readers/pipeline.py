"""What a workflow does to images: pushes, cosign calls, SBOMs, provenance (scans: scans.py).

Shared by the supply-chain file rules (PSK1xx) and the repository gap rules (PSK9xx), so
"a gating scan" or "a push" means the same thing in both.
"""

import re

from .. import nodes
from .commands import (
    SBOM_FORMATS,
    TRIVY_IMAGES,
    flag_value,
    has_flag,
    positionals,
    tool_args,
    truthy_input,
)
from .patterns import SLSA_GENERATOR

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DIGEST_REF = re.compile(r"@(?:sha256:[0-9a-fA-F]{64}\b|\$)")

# cosign flags that take a value; every other flag is read as a switch.
COSIGN_VALUE_FLAGS = frozenset((
    "--key", "-a", "--annotations", "--predicate", "--type", "--identity-token",
    "--output-signature", "--output-certificate", "--output-attestation", "--output-payload",
    "--certificate", "--certificate-chain", "--cert-chain", "--rekor-url", "--fulcio-url",
    "--oidc-issuer", "--oidc-client-id", "--oidc-client-secret-file", "--oidc-redirect-url",
    "--oidc-provider", "--bundle", "--signing-config", "--trusted-root", "--attachment",
    "--timeout", "-t", "--slot", "--registry-referrers-mode", "--tsa-server-url",
    "--timestamp-server-url", "--payload", "--fulcio-auth-flow", "--attachment-tag-prefix",
    "--registry-username", "--registry-password", "--registry-token", "--ca-roots",
    "--ca-intermediates", "--certificate-identity", "--certificate-oidc-issuer",
    "--sign-container-identity", "--registry-server-name", "--registry-cacert",
    "--registry-client-cert", "--registry-client-key", "--tsa-certificate-chain",
))


class Cosign:
    """One ``cosign sign`` / ``cosign attest`` call."""

    __slots__ = ("step", "command", "verb", "args", "images", "keyless")

    def __init__(self, step, command, verb, args):
        self.step = step
        self.command = command
        self.verb = verb
        self.args = args
        self.images = positionals(args, COSIGN_VALUE_FLAGS)
        self.keyless = not has_flag(args, "--key", "--sk")

    @property
    def line(self):
        return self.command.line

    def attest_type(self):
        value, _ = flag_value(self.args, "--type")
        return (value or "").lower()


def cosign_calls(wf):
    """Every ``cosign sign|attest`` call of the workflow."""
    for job in wf.jobs:
        yield from cosign_calls_in(job)


def digest_qualified(word):
    return bool(_DIGEST_REF.search(word))


def image_refs_by_tag(call, assigned):
    """The image arguments of a cosign call that are not digest-qualified after expansion."""
    return [t.text for t in call.images
            if not digest_qualified(call.step.expand(t.text, assigned))]


def script_assignments(step, upto, exported=None):
    """Variables set before command ``upto``: earlier steps' GITHUB_ENV, then this script."""
    assigned = dict(exported or {})
    for command in step.commands:
        if command is upto:
            break
        pairs = list(command.assignments) if not command.argv else []
        if command.program in ("export", "declare", "readonly", "local"):
            pairs = command.argv[1:]
        for token in pairs:
            name, eq, value = token.text.partition("=")
            if not eq:
                continue
            if name.endswith("+"):  # VAR+=value appends, as when a loop collects references
                name = name[:-1]
                assigned[name] = assigned.get(name, "") + step.expand(value, assigned)
            else:
                assigned[name] = step.expand(value, assigned)
    return assigned


def github_env_exports(job):
    """Variables earlier steps wrote to ``$GITHUB_ENV``: ``{step_index: {name: value}}``."""
    exported = {}
    seen = {}
    for step in job.steps:
        exported[step.index] = dict(seen)
        for command in step.commands:
            if command.program in ("echo", "printf") and any(
                    "GITHUB_ENV" in t.text for t in command.argv):
                for token in command.argv[1:]:
                    name, eq, value = token.text.partition("=")
                    if eq and _ENV_NAME.match(name):
                        seen[name] = step.expand(value)
    return exported


def pushes(step):
    """Positions in the step that push an image: ``[(command index, line)]``."""
    if step.action == "docker/build-push-action" and truthy_input(step.input("push")):
        return [(-1, nodes.line(step.uses))]
    found = []
    for i, command in enumerate(step.commands):
        if is_push(command):
            found.append((i, command.line))
    return found


def is_push(command, publish_tools=False):
    prog = command.program
    texts = [t.text for t in command.argv]
    if prog in ("docker", "podman"):
        if texts[1:2] == ["push"] or texts[1:3] == ["image", "push"]:
            return True
        if "buildx" in texts[1:2] and ("build" in texts[2:3] or "bake" in texts[2:3]):
            return "--push" in texts or any(t.startswith("--output=type=registry")
                                           or t == "--push=true" for t in texts)
    if publish_tools:
        if prog == "ko" and texts[1:2] in (["publish"], ["build"], ["resolve"]):
            return "--push=false" not in texts
        if prog == "crane" and texts[1:2] in (["push"], ["copy"], ["cp"]):
            return True
    return False


def generates_sbom(step):
    if step.action == "anchore/sbom-action":
        return True
    if step.action == "docker/build-push-action" and truthy_input(step.input("sbom")):
        return True
    if step.action == "aquasecurity/trivy-action" and \
            nodes.text(step.input("format"), "").lower() in SBOM_FORMATS:
        return True
    for command in step.commands:
        if command.invocation("syft") is not None:
            return True
        args = tool_args(command, "trivy", TRIVY_IMAGES)
        if args is not None:
            fmt, _ = flag_value(args, "--format", "-f")
            if (fmt or "").lower() in SBOM_FORMATS:
                return True
        if command.program == "docker" and any(t.text.startswith("--sbom") for t in command.argv):
            return True
    return False


def attest_mode(step):
    """What ``actions/attest`` (v4 folds attest-sbom and attest-build-provenance into it) makes:
    ``sbom`` with ``sbom-path``, ``custom`` with a predicate, ``provenance`` otherwise."""
    if step.input("sbom-path") is not None:
        return "sbom"
    predicate_type = nodes.text(step.input("predicate-type"), "").lower()
    if "slsa.dev/provenance" in predicate_type:
        return "provenance"
    if any(k in predicate_type for k in ("spdx", "cyclonedx")):
        return "sbom"
    if predicate_type or step.input("predicate") is not None or step.input("predicate-path") is not None:
        return "custom"
    return "provenance"


def attests_sbom(wf):
    for step in wf.steps():
        if step.action == "actions/attest-sbom" or (
                step.action == "actions/attest" and attest_mode(step) == "sbom"):
            return True
    return any(call.verb == "attest" and call.attest_type() in ("spdx", "spdxjson", "cyclonedx")
               for call in cosign_calls(wf))


def has_provenance(wf):
    for _, uses, owner in wf.uses_refs():
        if uses.name.startswith(SLSA_GENERATOR) or uses.name == "actions/attest-build-provenance":
            return True
        if uses.name == "actions/attest" and attest_mode(owner) == "provenance":
            return True
    return False


def publishes_image(wf):
    for step in wf.steps():
        if step.action == "docker/build-push-action" and truthy_input(step.input("push")):
            return True
        if any(is_push(c, publish_tools=True) for c in step.commands):
            return True
    return False


def cosign_calls_in(job):
    """``cosign sign|attest`` calls of one job, in step and script order (computed once)."""
    memo = job.workflow.memo.setdefault("cosign", {})
    if job.key not in memo:
        memo[job.key] = [Cosign(step, command, args[0].text, args[1:])
                         for step in job.steps for command in step.commands
                         for args in (command.invocation("cosign"),)
                         if args and args[0].text in ("sign", "attest")]
    return memo[job.key]
