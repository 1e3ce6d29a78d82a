"""What a workflow does to images: pushes, cosign calls, CVE scans, SBOMs, provenance.

Shared by the supply-chain file rules (PSK1xx) and the repository gap rules (PSK9xx), so
"a gating scan" or "a push" means the same thing in both.
"""

import re

from .. import nodes
from .shell import basename

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
SBOM_FORMATS = ("spdx-json", "spdx", "cyclonedx", "spdxjson")
TRIVY_SCANS = frozenset(("image", "i", "fs", "filesystem", "repo", "repository", "sbom", "rootfs"))
GRYPE_NON_SCANS = frozenset(("db", "version", "completion", "config", "explain", "help"))
_DOCKER_VALUE_FLAGS = frozenset(("-v", "--volume", "-e", "--env", "--env-file", "-w", "--workdir",
                                 "--name", "--entrypoint", "-u", "--user", "--network", "--net",
                                 "--platform", "--mount", "-p", "--publish", "--pull", "-l",
                                 "--label", "--cpus", "-m", "--memory", "--add-host"))
TRIVY_IMAGES = ("aquasec/trivy", "aquasecurity/trivy")
GRYPE_IMAGES = ("anchore/grype",)


def truthy_input(node):
    """``push: true`` or an expression that may be true (the usual ``${{ ... != 'pull_request' }}``)."""
    value = nodes.text(node, "").strip().lower()
    return value in ("true", "yes", "on") or "${{" in value


def flag_value(args, *names):
    """``(value, token)`` of the first ``--flag value`` / ``--flag=value`` among ``args``."""
    for i, token in enumerate(args):
        text = token.text
        for name in names:
            if text == name:
                if i + 1 < len(args):
                    return args[i + 1].text, token
                return "", token
            if text.startswith(name + "="):
                return text[len(name) + 1:], token
    return None, None


def has_flag(args, *names):
    return any(t.text in names or t.text.split("=", 1)[0] in names for t in args)


def positionals(args, value_flags):
    """Arguments that are neither flags nor flag values."""
    out = []
    skip = False
    for token in args:
        if skip:
            skip = False
            continue
        text = token.text
        if text.startswith("-") and len(text) > 1:
            skip = "=" not in text and text in value_flags
            continue
        out.append(token)
    return out


def container_args(command, images):
    """Arguments after the image of ``docker run <image>`` when the image is one of ``images``."""
    argv = command.argv
    if not argv or basename(argv[0].text) not in ("docker", "podman"):
        return None
    texts = [t.text for t in argv]
    if "run" not in texts[1:3]:
        return None
    i = texts.index("run") + 1
    while i < len(argv):
        text = texts[i]
        if text.startswith("-"):
            i += 2 if (text in _DOCKER_VALUE_FLAGS and "=" not in text) else 1
            continue
        image = text.split("@", 1)[0].rsplit(":", 1)[0] if "/" in text else text
        if any(image.endswith(name) for name in images):
            return argv[i + 1:]
        return None
    return None


def tool_args(command, program, images):
    args = command.invocation(program)
    if args is None:
        args = container_args(command, images)
    return args


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
                    if eq and re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
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


class Scan:
    """A CVE scan: where it is, whether it can fail the build, and its severity threshold."""

    __slots__ = ("tool", "line", "gating", "severity", "severity_line", "step", "why")

    def __init__(self, tool, line, gating, severity, severity_line, step):
        self.tool = tool
        self.line = line
        self.gating = gating
        self.severity = severity          # the threshold text, or None when implicit
        self.severity_line = severity_line
        self.step = step
        self.why = None if gating else (
            "no non-zero exit code" if tool == "trivy" else "it cannot fail the build")

    def neutralise(self, why):
        """The scan would fail, but something around it swallows the failure."""
        if self.gating:
            self.gating = False
            self.why = why


def _env_setting(step, name, assigned=None):
    if assigned and name in assigned:
        return assigned[name]
    return step.env_value(name)


def scans(wf):
    """Every trivy/grype vulnerability scan in the workflow (computed once per workflow)."""
    if "scans" not in wf.memo:
        wf.memo["scans"] = list(_find_scans(wf))
    return wf.memo["scans"]


def _find_scans(wf):
    for step in wf.steps():
        found = []
        action = step.action
        if action == "aquasecurity/trivy-action":
            found.append(_trivy_action(step))
        elif action == "anchore/scan-action":
            found.append(_scan_action(step))
        commands = step.commands
        for index, command in enumerate(commands):
            args = tool_args(command, "trivy", TRIVY_IMAGES)
            if args is not None:
                scan = _trivy_cli(step, command, args)
            else:
                args = tool_args(command, "grype", GRYPE_IMAGES)
                scan = _grype_cli(step, command, args) if args is not None else None
            if scan and _swallowed(commands, index):
                scan.neutralise("'|| ...' after it swallows the failure")
            found.append(scan)
        ignored = _continue_on_error(step)
        for scan in found:
            if scan:
                if ignored:
                    scan.neutralise(f"continue-on-error: true on the {ignored} lets it pass")
                yield scan


def _swallowed(commands, index):
    """``scan || true`` (or any fallback but ``exit N`` / ``false``) turns a failure into success."""
    if commands[index].then != "||" or index + 1 >= len(commands):
        return False
    fallback = [t.text for t in commands[index + 1].argv]
    if fallback[:1] == ["false"]:
        return False
    if fallback[:1] == ["exit"]:
        return len(fallback) < 2 or fallback[1] in ("0", "")
    return True


def _continue_on_error(step):
    for owner, node in (("step", step.node), ("job", step.job.node)):
        if nodes.is_true(nodes.get(node, "continue-on-error")):
            return owner
    return None


def _nonzero(value):
    if value is None:
        return False
    value = value.strip().strip("'\"")
    if "$" in value:
        return True  # decided at run time: give it the benefit of the doubt
    try:
        return int(value) != 0
    except ValueError:
        return False


def _trivy_action(step):
    scan_type = nodes.text(step.input("scan-type"), "image").strip().lower()
    scanners = nodes.text(step.input("scanners"), "vuln").lower()
    fmt = nodes.text(step.input("format"), "").lower()
    if scan_type in ("config", "k8s") or "vuln" not in scanners or fmt in SBOM_FORMATS:
        return None
    if step.input("trivy-config") is not None and step.input("exit-code") is None:
        return None  # the exit code lives in a config file we cannot see
    code = nodes.text(step.input("exit-code"))
    if code is None:
        code = step.env_value("TRIVY_EXIT_CODE")
    key, value = nodes.get_pair(step.with_, "severity")
    severity = nodes.text(value)
    severity_line = nodes.line(key) if key is not None else nodes.line(step.uses)
    if severity is None:
        severity = step.env_value("TRIVY_SEVERITY")
    return Scan("trivy", nodes.line(step.uses), _nonzero(code), severity, severity_line, step)


def _scan_action(step):
    fail = nodes.text(step.input("fail-build"), "true").strip().lower()
    gating = fail not in ("false", "no", "off")
    key, value = nodes.get_pair(step.with_, "severity-cutoff")
    cutoff = nodes.text(value)
    line = nodes.line(key) if key is not None else nodes.line(step.uses)
    return Scan("grype", nodes.line(step.uses), gating, cutoff, line, step)


def _trivy_cli(step, command, args):
    if not any(t.text in TRIVY_SCANS for t in args if not t.text.startswith("-")):
        return None  # not a scan: trivy config, trivy version, ...
    scanners, _ = flag_value(args, "--scanners", "--security-checks")
    fmt, _ = flag_value(args, "--format", "-f")
    if (scanners is not None and "vuln" not in scanners) or (fmt or "").lower() in SBOM_FORMATS:
        return None
    assigned = {t.text.split("=", 1)[0]: t.text.split("=", 1)[1] for t in command.assignments}
    code, _ = flag_value(args, "--exit-code")
    if code is None:
        code = _env_setting(step, "TRIVY_EXIT_CODE", assigned)
    severity, token = flag_value(args, "--severity", "-s")
    severity_line = token.line if token else command.line
    if severity is None:
        severity = _env_setting(step, "TRIVY_SEVERITY", assigned)
    return Scan("trivy", command.line, _nonzero(code), severity, severity_line, step)


def _grype_cli(step, command, args):
    if args and args[0].text in GRYPE_NON_SCANS:
        return None
    if not args:
        return None
    assigned = {t.text.split("=", 1)[0]: t.text.split("=", 1)[1] for t in command.assignments}
    fail_on, token = flag_value(args, "--fail-on", "-f")
    line = token.line if token else command.line
    if fail_on is None:
        fail_on = _env_setting(step, "GRYPE_FAIL_ON_SEVERITY", assigned)
    return Scan("grype", command.line, fail_on is not None and fail_on != "", fail_on, line, step)


def lets_high_through(scan):
    """Whether a gating scan's threshold only fails on CRITICAL findings."""
    value = (scan.severity or "").strip().strip("'\"")
    if not value or "$" in value:
        return False  # default thresholds include HIGH; expressions are decided at run time
    if scan.tool == "trivy":
        return "HIGH" not in value.upper().replace(" ", "").split(",")
    return value.lower() == "critical"


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
    for node, owner in wf.uses_nodes():
        name = node.value.split("@", 1)[0].lower()
        if name.startswith("slsa-framework/slsa-github-generator") or \
                name == "actions/attest-build-provenance":
            return True
        if name == "actions/attest" and attest_mode(owner) == "provenance":
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
