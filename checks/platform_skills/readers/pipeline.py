"""What a workflow does to images: pushes, cosign calls, SBOMs, provenance (scans: scans.py).

Shared by the supply-chain file rules (PSK1xx) and the repository gap rules (PSK9xx), so
"a gating scan" or "a push" means the same thing in both.
"""

from __future__ import annotations

import re

from .. import nodes
from .commands import (
    SBOM_FORMATS,
    TRIVY_IMAGES,
    container_args,
    flag_value,
    has_flag,
    positionals,
    tool_args,
    truthy_input,
)
from .patterns import SLSA_GENERATOR

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from .shell import Command, Token
    from .workflow import Job, Step, Workflow

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DIGEST_REF = re.compile(r"@(?:sha256:[0-9a-fA-F]{64}\b|\$)")
# Commands whose output is a digest reference (``repo@sha256:...``): a value they produce is
# digest-qualified however it travels (a shell variable, $GITHUB_ENV, a step output).
_DIGEST_PRODUCER = re.compile(
    r"(?:\$\(|`)\s*(?:ko\s+(?:build|publish|resolve)\b"
    r"|crane\s+digest\b[^)`]*--full-ref"
    r"|(?:docker|podman)\s+(?:image\s+)?inspect\b[^)`]*RepoDigests"
    r"|docker\s+buildx\s+imagetools\s+inspect\b[^)`]*(?:Manifest|Digest))")
_STEP_OUTPUT = re.compile(r"\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\s*\}\}")

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
    "--certificate-identity-regexp", "--certificate-oidc-issuer-regexp", "--output-file",
    "--output", "--k8s-keychain-secret", "--sk-slot", "--rfc3161-timestamp", "--tlog-url",
    "--new-bundle-format-output", "--predicate-type", "--upload-timeout", "--max-workers",
    "--certificate-github-workflow-repository", "--certificate-github-workflow-ref",
    "--certificate-github-workflow-sha", "--certificate-github-workflow-trigger",
    "--certificate-github-workflow-name", "--insecure-skip-verify-secret", "--attachment-type",
    "--sbom", "--signature", "--payload-type", "--offline-key", "--local-image-path",
))


def cosign_images(args: Sequence[Token]) -> list[Token]:
    """The image arguments of ``cosign sign|attest``: the positionals once every flag that
    takes a value is skipped with it, whether written ``--key k``, ``-key k`` (Go's single
    dash) or ``--key=k``."""
    normal = [_Word("-" + t.text, t) if _single_dash_long(t.text) else _Word(t.text, t)
              for t in args]
    return [w.token for w in positionals(normal, COSIGN_VALUE_FLAGS)]


def _single_dash_long(text: str) -> bool:
    return text.startswith("-") and not text.startswith("--") and len(text.split("=", 1)[0]) > 2


class _Word:
    __slots__ = ("text", "token")

    def __init__(self, text: str, token: Token) -> None:
        self.text = text
        self.token = token


class Cosign:
    """One ``cosign sign`` / ``cosign attest`` call."""

    __slots__ = ("step", "command", "verb", "args", "images", "keyless")

    def __init__(self, step: Step, command: Command, verb: str, args: list[Token]) -> None:
        self.step = step
        self.command = command
        self.verb = verb
        self.args = args
        self.images = cosign_images(args)
        # Keyless and needing the job's OIDC token: no key, and no token handed over
        # (``--identity-token`` or ``SIGSTORE_ID_TOKEN`` from another identity provider).
        self.keyless = not has_flag(args, "--key", "--sk", "--identity-token") and \
            step.env_value("SIGSTORE_ID_TOKEN") is None and \
            not any(t.text.startswith("SIGSTORE_ID_TOKEN=") for t in command.assignments)

    @property
    def line(self) -> int:
        return self.command.line

    def attest_type(self) -> str:
        value, _ = flag_value(self.args, "--type")
        return (value or "").lower()


def cosign_calls(wf: Workflow) -> Iterator[Cosign]:
    """Every ``cosign sign|attest`` call of the workflow."""
    for job in wf.jobs:
        yield from cosign_calls_in(job)


def digest_qualified(word: str) -> bool:
    return bool(_DIGEST_REF.search(word) or _DIGEST_PRODUCER.search(word))


def image_refs_by_tag(call: Cosign, assigned: Mapping[str, str],
                      outputs: Mapping[tuple[str, str], str] | None = None) -> list[str]:
    """The image arguments of a cosign call that are not digest-qualified after expansion
    (shell and env variables, then ``steps.<id>.outputs.<name>`` written earlier)."""
    found = []
    for token in call.images:
        word = call.step.expand(token.text, assigned)
        if outputs and "steps." in word:
            word = _STEP_OUTPUT.sub(lambda m: outputs.get((m.group(1), m.group(2)), m.group(0)),
                                    word)
        if not digest_qualified(word):
            found.append(token.text)
    return found


def step_outputs(job: Job) -> dict[tuple[str, str], str]:
    """``{(step id, name): value}`` that steps write with ``echo "name=value" >> $GITHUB_OUTPUT``."""
    found = {}
    for step in job.steps:
        step_id = nodes.text(nodes.get(step.node, "id"))
        if not step_id:
            continue
        for command in step.commands:
            if command.program in ("echo", "printf") and any(
                    "GITHUB_OUTPUT" in t.text for t in command.argv):
                assigned = script_assignments(step, command)
                for token in command.argv[1:]:
                    name, eq, value = token.text.partition("=")
                    if eq and _ENV_NAME.match(name):
                        found[(step_id, name)] = step.expand(value, assigned)
    return found


def script_assignments(step: Step, upto: Command | None, exported: Mapping[str, str] | None = None,
                       ) -> dict[str, str]:
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


def github_env_exports(job: Job) -> dict[int, dict[str, str]]:
    """Variables earlier steps wrote to ``$GITHUB_ENV``: ``{step_index: {name: value}}``."""
    exported = {}
    seen: dict[str, str] = {}
    for step in job.steps:
        exported[step.index] = dict(seen)
        for command in step.commands:
            if command.program in ("echo", "printf") and any(
                    "GITHUB_ENV" in t.text for t in command.argv):
                assigned = script_assignments(step, command, seen)
                for token in command.argv[1:]:
                    name, eq, value = token.text.partition("=")
                    if eq and _ENV_NAME.match(name):
                        seen[name] = step.expand(value, assigned)
    return exported


def pushes(step: Step) -> list[tuple[int, int]]:
    """Positions in the step that push an image: ``[(command index, line)]``."""
    if step.action == "docker/build-push-action" and truthy_input(step.input("push")):
        return [(-1, nodes.line(step.uses))]  # type: ignore[arg-type]  # an action: uses: is set
    found = []
    for i, command in enumerate(step.commands):
        if is_push(command):
            found.append((i, command.line))
    return found


def is_push(command: Command, publish_tools: bool = False) -> bool:
    """Whether the command pushes an image (``publish_tools``: also ko, crane, skopeo, kaniko)."""
    prog = command.program
    texts = [t.text for t in command.argv]
    if prog in ("docker", "podman", "buildah"):
        if texts[1:2] == ["push"] or texts[1:3] in (["image", "push"], ["manifest", "push"]):
            return True
        if texts[1:4] == ["buildx", "imagetools", "create"]:
            return "--dry-run" not in texts  # writes the tags it is given
        if "buildx" in texts[1:2] and ("build" in texts[2:3] or "bake" in texts[2:3]):
            return "--push" in texts or "--push=true" in texts or any(
                registry_output(o) for o in _outputs(command.argv))
    if publish_tools:
        if prog == "ko" and texts[1:2] in (["publish"], ["build"], ["resolve"]):
            return "--push=false" not in texts and "--local" not in texts and "-L" not in texts
        if prog == "crane" and texts[1:2] in (["push"], ["copy"], ["cp"], ["append"]):
            return True
        if prog == "skopeo" and texts[1:2] == ["copy"]:
            return any(t.startswith("docker://") for t in texts[2:][-1:])
        if _kaniko_args(command) is not None:
            return True
    return False


def _outputs(args: Sequence[Token]) -> list[str]:
    """The values of ``--output``/``-o`` (``--output=v``, ``--output v``, ``-o v``, ``-ov``)."""
    found = []
    for i, token in enumerate(args):
        text = token.text
        if text in ("--output", "-o") and i + 1 < len(args):
            found.append(args[i + 1].text)
        elif text.startswith(("--output=", "-o=")):
            found.append(text.split("=", 1)[1])
        elif text.startswith("-o") and not text.startswith("--") and len(text) > 2:
            found.append(text[2:])
    return found


def registry_output(value: str) -> bool:
    """A buildx exporter that pushes: ``type=registry``, or ``type=image`` with ``push=true``."""
    fields = dict(f.split("=", 1) for f in value.split(",") if "=" in f)
    kind = fields.get("type", "")
    return kind == "registry" or (kind in ("image", "oci") and
                                  fields.get("push", "").lower() == "true")


def _kaniko_args(command: Command) -> list[Token] | None:
    """The arguments of a kaniko ``executor`` run that pushes (``--destination``, no
    ``--no-push``), directly or in its container; None otherwise."""
    args = command.invocation("executor")
    if args is None:
        args = container_args(command, ("kaniko-project/executor", "kaniko-project/executor:debug"))
    if args is None:
        return None
    texts = [t.text for t in args]
    if any(t in ("--no-push", "--no-push=true") for t in texts):
        return None
    if not any(t in ("--destination", "-d") or t.startswith(("--destination=", "-d=")) for t in texts):
        return None
    return args


# Registries that end-to-end tests push to and nobody pulls from.
# ``ko.local`` and ``kind.local`` are ko's names for the local Docker daemon and a kind cluster;
# other ``.local`` names are link-local hosts (a test cluster's registry).
_THROWAWAY = re.compile(r"^(?:ttl\.sh|localhost|127\.0\.0\.1|\[::1\]|kind-registry|[a-z0-9.-]*\.local"
                        r"|[a-z0-9-]+:\d+)(?:[:/]|$)")


def throwaway(reference: str) -> bool:
    """Whether an image reference names a throwaway registry (``ttl.sh``, ``localhost:5000``,
    a ``registry:5000``-style service name); an unresolved one is not assumed throwaway."""
    ref = reference.strip().strip("'\"")
    if ref.startswith("docker://"):
        ref = ref[len("docker://"):]
    return bool(_THROWAWAY.match(ref))


def push_targets(command: Command) -> list[str]:
    """The image references a push command names (best effort; empty when unknown)."""
    texts = [t.text for t in command.argv]
    prog = command.program
    if prog == "ko":
        return []  # ko's destination is KO_DOCKER_REPO; judged by the caller
    kaniko = _kaniko_args(command)
    if kaniko is not None:
        return _flag_values(kaniko, "--destination", "-d")
    if prog == "skopeo" or (prog == "crane" and texts[1:2] in (["copy"], ["cp"])):
        return texts[-1:]
    if prog == "crane":
        return texts[3:4] if texts[1:2] == ["push"] else []
    if texts[1:3] == ["manifest", "push"]:
        return [t for t in texts[3:] if not t.startswith("-")][:1]
    names = [f.split("=", 1)[1] for o in _outputs(command.argv) for f in o.split(",")
             if f.startswith("name=")]
    tagged = _flag_values(command.argv, "--tag", "-t") + [n for v in names for n in v.split(";")]
    if tagged:
        return tagged
    return [t for t in texts[2:] if not t.startswith("-")][-1:]


def _flag_values(args: Sequence[Token], *names: str) -> list[str]:
    found = []
    for i, token in enumerate(args):
        text = token.text
        if text in names and i + 1 < len(args):
            found.append(args[i + 1].text)
        else:
            found.extend(text.split("=", 1)[1] for n in names if text.startswith(n + "="))
    return found


IMAGE_ACTIONS = ("docker/build-push-action", "docker/bake-action")  # actions that push what they build


def publishing_pushes(step: Step) -> list[int]:
    """``[line]`` of the step's pushes that publish: not to a throwaway registry (computed
    once per step: the audit and PSK013/PSK014 both ask)."""
    if not step.commands and step.action not in IMAGE_ACTIONS:
        return []  # most steps: nothing to find, nothing worth keeping
    memo: dict[tuple[nodes.Scalar, int], list[int]] = step.job.workflow.memo.setdefault("publishing-pushes", {})
    key = (step.job.key, step.index)
    if key not in memo:
        memo[key] = _publishing_pushes(step)
    return memo[key]


def _publishing_pushes(step: Step) -> list[int]:
    lines = []
    if step.action in IMAGE_ACTIONS and truthy_input(step.input("push")):
        tags = nodes.text(step.input("tags"), "") + nodes.text(step.input("set"), "")
        refs = [t for t in re.split(r"[\s,]+", tags) if t]
        if not refs or not all(throwaway(r) for r in refs):
            lines.append(nodes.line(step.uses))  # type: ignore[arg-type]
    for command in step.commands:
        if is_push(command, publish_tools=True):
            assigned = script_assignments(step, command)
            if publishes(command, lambda word, known=assigned: step.expand(word, known)):  # type: ignore[misc]
                lines.append(command.line)
    return lines


def publishes(command: Command, expand: Callable[[str], str]) -> bool:
    """Whether a push command publishes: its destination is not a throwaway registry.

    ``expand`` substitutes variables in a word (a step's env and script, or a Makefile's own
    variables). An unknown destination counts as publishing.
    """
    if command.program == "ko":
        assigned = [t.text.split("=", 1)[1] for t in command.assignments
                    if t.text.startswith("KO_DOCKER_REPO=")]
        targets = [expand(t) for t in assigned] or [expand("$KO_DOCKER_REPO")]
    else:
        targets = [expand(t) for t in push_targets(command)]
    targets = [t for t in targets if t and not t.startswith("$")]
    return not targets or not all(throwaway(t) for t in targets)


_SBOM_TOOLS = ("syft", "cdxgen", "cyclonedx-gomod", "cyclonedx-py", "cyclonedx-npm", "cyclonedx",
               "spdx-sbom-generator")


def sbom_command(command: Command) -> bool:
    """Whether a shell command generates an SBOM (Syft, CycloneDX generators, trivy formats)."""
    if any(command.invocation(tool) is not None for tool in _SBOM_TOOLS):
        return True
    args = command.invocation("bom")  # sigs.k8s.io/bom
    if args and args[0].text == "generate":
        return True
    args = tool_args(command, "trivy", TRIVY_IMAGES)
    if args is not None:
        fmt, _ = flag_value(args, "--format", "-f")
        if (fmt or "").lower() in SBOM_FORMATS:
            return True
    texts = [t.text for t in command.argv]
    if command.program == "ko" and is_push(command, publish_tools=True):
        return "--sbom=none" not in texts and "none" not in texts[texts.index("--sbom") + 1:][:1] \
            if "--sbom" in texts else "--sbom=none" not in texts  # ko uploads an SPDX SBOM by default
    if command.program != "docker":
        return False
    # BuildKit's SBOM attestation: --sbom=true, or --attest type=sbom
    return any(t.startswith("--sbom") or t.startswith("--attest=type=sbom") for t in texts) or any(
        a == "--attest" and b.startswith("type=sbom") for a, b in zip(texts, texts[1:], strict=False))


def generates_sbom(step: Step) -> bool:
    if step.action == "anchore/sbom-action":
        return True
    if step.action == "docker/build-push-action" and truthy_input(step.input("sbom")):
        return True
    if step.action == "aquasecurity/trivy-action" and \
            nodes.text(step.input("format"), "").lower() in SBOM_FORMATS:
        return True
    if step.action.startswith("cyclonedx/gh-") and step.action.endswith("generate-sbom"):
        return True
    return any(sbom_command(command) for command in step.commands)


def attest_mode(step: Step) -> str:
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


def sbom_attestation_line(wf: Workflow) -> int | None:
    """The line of the first SBOM attestation (actions/attest, cosign attest), or None."""
    for step in wf.steps():
        if step.action == "actions/attest-sbom" or (
                step.action == "actions/attest" and attest_mode(step) == "sbom"):
            return nodes.line(step.uses)  # type: ignore[arg-type]
    for call in cosign_calls(wf):
        if call.verb == "attest" and call.attest_type() in ("spdx", "spdxjson", "cyclonedx"):
            return call.line
    return None


def provenance_line(wf: Workflow) -> int | None:
    """The line of the first signed provenance whose subject is an image, or None:
    slsa-github-generator's container workflow, ``actions/attest[-build-provenance]`` given an
    image (``subject-name`` + ``subject-digest``, or ``push-to-registry: true``), ``cosign attest
    --type slsaprovenance``. Provenance of files (``generator_generic_slsa3``, ``subject-path``)
    covers binaries, not images."""
    for node, uses, owner in wf.uses_refs():
        if uses.name.startswith(SLSA_GENERATOR) and "generator_container_slsa" in uses.name:
            return nodes.line(node)
        if (uses.name == "actions/attest-build-provenance" or (
                uses.name == "actions/attest" and attest_mode(owner) == "provenance")) and attests_image(owner):  # type: ignore[arg-type]  # a step
            return nodes.line(node)
    for call in cosign_calls(wf):
        if call.verb == "attest" and call.attest_type() in ("slsaprovenance", "slsaprovenance02",
                                                            "slsaprovenance1"):
            return call.line
    return None


def attests_image(step: Step) -> bool:
    """Whether an ``actions/attest*`` step's subject is an image: named with a digest, or
    pushed to the registry beside it."""
    if nodes.is_true(step.input("push-to-registry")):
        return True
    return step.input("subject-name") is not None and step.input("subject-digest") is not None \
        and step.input("subject-path") is None


def publishes_image(wf: Workflow) -> int | None:
    """The line of the first push to a registry someone pulls from, or None."""
    for step in wf.steps():
        lines = publishing_pushes(step)
        if lines:
            return lines[0]
    return None


def cosign_calls_in(job: Job) -> list[Cosign]:
    """``cosign sign|attest`` calls of one job, in step and script order (computed once)."""
    memo: dict[nodes.Scalar, list[Cosign]] = job.workflow.memo.setdefault("cosign", {})
    if job.key not in memo:
        memo[job.key] = [Cosign(step, command, args[0].text, args[1:])
                         for step in job.steps for command in step.commands
                         for args in (command.invocation("cosign"),)
                         if args and args[0].text in ("sign", "attest")]
    return memo[job.key]


def goreleaser_signs(root: nodes.Node) -> list[tuple[int, str, str]]:
    """``[(line, verb, image word)]`` for each cosign ``sign``/``attest`` a goreleaser
    configuration runs on images (``docker_signs``, and ``signs`` whose args sign an image).
    ``docker_signs`` without ``args`` signs ``${artifact}@${digest}``, goreleaser's default."""
    from .shell import Token
    found = []
    for key in ("docker_signs", "signs"):
        for sign in nodes.items(nodes.get(root, key)):
            if not nodes.is_map(sign) or "cosign" not in nodes.text(nodes.get(sign, "cmd"), "cosign"):
                continue
            args = [a for a in nodes.items(nodes.get(sign, "args")) if nodes.is_scalar(a)]
            if not args:
                if key == "docker_signs":
                    found.append((nodes.line(sign), "sign", "${artifact}@${digest}"))
                continue
            verb = nodes.text(args[0], "")
            if verb not in ("sign", "attest"):
                continue  # sign-blob and friends sign files
            tokens = [Token(nodes.text(a, "").replace("{{ .Digest }}", "${digest}"), nodes.line(a))
                      for a in args[1:]]
            for token in cosign_images(tokens):
                found.append((token.line, verb, token.text))
    return found
