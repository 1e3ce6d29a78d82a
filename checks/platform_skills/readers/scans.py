"""CVE scans (Trivy, Grype) in a workflow: where each is, whether it can fail the build, and
its severity threshold. PSK110/PSK111 read them, and so does the audit's "CVE gate" row.

A setting the command line and the environment leave unset is read from the scanner's
config file, as the scanner itself would: ``--config FILE`` (``-c``), else ``trivy.yaml`` /
``.grype.yaml`` in the directory the step runs in. The file is asked of the document's
``Surroundings``; a path this reader cannot resolve (an expression) is given the benefit of
the doubt."""

from __future__ import annotations

import os

from .. import nodes
from .commands import GRYPE_IMAGES, SBOM_FORMATS, TRIVY_IMAGES, flag_value, tool_args

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from typing import Any

    from .following import ScriptView
    from .shell import Command, Token
    from .workflow import Step, Workflow

    StepLike = Step | ScriptView  # a workflow step, or a script read like one

TRIVY_SCANS = frozenset(("image", "i", "fs", "filesystem", "repo", "repository", "sbom", "rootfs"))


GRYPE_NON_SCANS = frozenset(("db", "version", "completion", "config", "explain", "help"))


# What each scanner reads when no --config is given, and the key that makes it fail.
_DEFAULT_CONFIGS = {"trivy": ("trivy.yaml",), "grype": (".grype.yaml", ".grype/config.yaml")}
_GATE_KEYS = {"trivy": "exit-code", "grype": "fail-on-severity"}
UNKNOWN: Any = object()  # a config file this reader cannot locate


def _repository_root(wf: Workflow) -> str:
    """The folder a workflow's steps start in (the checkout of its repository): above
    ``.github/workflows/``; for a composite action, the checked tree."""
    path = "/" + wf.doc.path
    head, sep, _ = path.rpartition("/.github/workflows/")
    if sep and wf.kind == "workflow":
        return head.lstrip("/") or os.curdir
    around = wf.doc.around
    return around.top if around is not None else os.curdir


def _working_directory(step: StepLike, wf: Workflow, runs_script: bool) -> str:
    """The step's directory relative to the workspace ("" for the workspace), or UNKNOWN."""
    found = None
    if runs_script:
        found = nodes.get(step.node, "working-directory")
        for owner in (step.job.node, wf.root):
            if found is None:
                found = nodes.path(owner, "defaults", "run", "working-directory")
    text = nodes.text(found, "").strip()
    if "${{" in text or "$" in text or text.startswith("/"):
        return UNKNOWN  # type: ignore[no-any-return]
    return text


def config_setting(step: StepLike, tool: str, explicit: str | None, runs_script: bool,
                   ) -> tuple[str | None, str | None]:
    """``(value, path)`` of the scanner's gate setting in its config file: ``explicit`` (the
    ``--config`` value, relative to the step's directory) or the scanner's default file
    there. ``(None, None)`` when there is no such file, ``(UNKNOWN, None)`` when its place
    cannot be told."""
    wf = getattr(step.job, "workflow", None)
    if wf is None:  # a script the audit followed: its directory is its caller's, not known here
        return None, None
    around = wf.doc.around
    if around is None:
        return None, None
    directory = _working_directory(step, wf, runs_script)
    if directory is UNKNOWN or (explicit is not None and ("$" in explicit or not explicit.strip())):
        return UNKNOWN, None
    base = os.path.join(_repository_root(wf), directory)
    names = (explicit.strip(),) if explicit is not None else _DEFAULT_CONFIGS[tool]
    for name in names:
        path = os.path.normpath(name if os.path.isabs(name) else os.path.join(base, name))
        roots = around.yaml(path)
        if roots is None:
            if explicit is not None and not around.exists(path):
                return UNKNOWN, None  # named but not in this tree: cannot be judged
            continue
        value = nodes.get(roots[0], _GATE_KEYS[tool]) if roots else None
        return nodes.text(value), path
    return None, None


class Scan:
    """A CVE scan: where it is, whether it can fail the build, and its severity threshold."""

    __slots__ = ("tool", "line", "gating", "severity", "severity_line", "step", "why")

    def __init__(self, tool: str, line: int, gating: bool, severity: str | None, severity_line: int,
                 step: StepLike) -> None:
        self.tool = tool
        self.line = line
        self.gating = gating
        self.severity = severity          # the threshold text, or None when implicit
        self.severity_line = severity_line
        self.step = step
        self.why = None if gating else (
            "no non-zero exit code" if tool == "trivy" else "it cannot fail the build")

    def neutralise(self, why: str) -> None:
        """The scan would fail, but something around it swallows the failure."""
        if self.gating:
            self.gating = False
            self.why = why


def _env_setting(step: StepLike, name: str, assigned: Mapping[str, str] | None = None) -> str | None:
    if assigned and name in assigned:
        return assigned[name]
    return step.env_value(name)


def scans(wf: Workflow) -> list[Scan]:
    """Every trivy/grype vulnerability scan in the workflow (computed once per workflow)."""
    if "scans" not in wf.memo:
        wf.memo["scans"] = list(_find_scans(wf))
    return wf.memo["scans"]  # type: ignore[no-any-return]


def _find_scans(wf: Workflow) -> Iterator[Scan]:
    for step in wf.steps():
        found = []
        action = step.action
        if action == "aquasecurity/trivy-action":
            found.append(_trivy_action(step))
        elif action == "anchore/scan-action":
            found.append(_scan_action(step))
        found.extend(command_scans(step, step.commands))
        ignored = _continue_on_error(step) if any(found) else None
        for scan in found:
            if scan:
                if ignored:
                    scan.neutralise(f"continue-on-error: true on the {ignored} lets it pass")
                yield scan


def command_scans(step: StepLike, commands: Sequence[Command]) -> list[Scan]:
    """The trivy/grype scans among ``commands`` (a step's, a script's or a recipe's)."""
    found = []
    for index, command in enumerate(commands):
        args = tool_args(command, "trivy", TRIVY_IMAGES)
        if args is not None:
            scan = _trivy_cli(step, command, args)
        else:
            args = tool_args(command, "grype", GRYPE_IMAGES)
            scan = _grype_cli(step, command, args) if args is not None else None
        if scan and _swallowed(commands, index):
            scan.neutralise("'|| ...' after it swallows the failure")
        if scan:
            found.append(scan)
    return found


def _swallowed(commands: Sequence[Command], index: int) -> bool:
    """``scan || true`` (or any fallback but ``exit N`` / ``false``) turns a failure into success."""
    if commands[index].then != "||" or index + 1 >= len(commands):
        return False
    fallback = [t.text for t in commands[index + 1].argv]
    if fallback[:1] == ["false"]:
        return False
    if fallback[:1] == ["exit"]:
        return len(fallback) < 2 or fallback[1] in ("0", "")
    return True


def _continue_on_error(step: Step) -> str | None:
    for owner, node in (("step", step.node), ("job", step.job.node)):
        if nodes.is_true(nodes.get(node, "continue-on-error")):
            return owner
    return None


def _nonzero(value: str | None) -> bool:
    if value is None:
        return False
    value = value.strip().strip("'\"")
    if "$" in value:
        return True  # decided at run time: give it the benefit of the doubt
    try:
        return int(value) != 0
    except ValueError:
        return False


def _trivy_action(step: Step) -> Scan | None:
    scan_type = nodes.text(step.input("scan-type"), "image").strip().lower()
    scanners = nodes.text(step.input("scanners"), "vuln").lower()
    fmt = nodes.text(step.input("format"), "").lower()
    if scan_type in ("config", "k8s") or "vuln" not in scanners or fmt in SBOM_FORMATS:
        return None
    code = nodes.text(step.input("exit-code"))
    if code is None:
        code = step.env_value("TRIVY_EXIT_CODE")
    configured = None
    if code is None:  # trivy then reads trivy-config, else trivy.yaml in the workspace
        code, configured = config_setting(step, "trivy", nodes.text(step.input("trivy-config")), False)
        if code is UNKNOWN:
            return None  # the exit code lives in a config file this reader cannot see
    key, value = nodes.get_pair(step.with_, "severity")
    severity = nodes.text(value)
    severity_line = nodes.line(key) if key is not None else nodes.line(step.uses)  # type: ignore[arg-type]
    if severity is None:
        severity = step.env_value("TRIVY_SEVERITY")
    return _configured(Scan("trivy", nodes.line(step.uses), _nonzero(code), severity,  # type: ignore[arg-type]
                            severity_line, step), configured)


def _configured(scan: Scan, path: str | None) -> Scan:
    """Name the config file in the reason a scan does not gate, when one was read."""
    if path is not None and not scan.gating:
        scan.why = f"{scan.why} (nor in {path})"
    return scan


def _scan_action(step: Step) -> Scan:
    fail = nodes.text(step.input("fail-build"), "true").strip().lower()
    gating = fail not in ("false", "no", "off")
    key, value = nodes.get_pair(step.with_, "severity-cutoff")
    cutoff = nodes.text(value)
    line = nodes.line(key) if key is not None else nodes.line(step.uses)  # type: ignore[arg-type]
    return Scan("grype", nodes.line(step.uses), gating, cutoff, line, step)  # type: ignore[arg-type]


def _trivy_cli(step: StepLike, command: Command, args: Sequence[Token]) -> Scan | None:
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
    configured = None
    if code is None:
        explicit, _ = flag_value(args, "--config", "-c")
        if explicit is None:
            explicit = _env_setting(step, "TRIVY_CONFIG", assigned)
        code, configured = config_setting(step, "trivy", explicit, True)
        if code is UNKNOWN:
            return None
    severity, token = flag_value(args, "--severity", "-s")
    severity_line = token.line if token else command.line
    if severity is None:
        severity = _env_setting(step, "TRIVY_SEVERITY", assigned)
    return _configured(Scan("trivy", command.line, _nonzero(code), severity, severity_line, step),
                       configured)


def _grype_cli(step: StepLike, command: Command, args: Sequence[Token]) -> Scan | None:
    if args and args[0].text in GRYPE_NON_SCANS:
        return None
    if not args:
        return None
    assigned = {t.text.split("=", 1)[0]: t.text.split("=", 1)[1] for t in command.assignments}
    fail_on, token = flag_value(args, "--fail-on", "-f")
    line = token.line if token else command.line
    if fail_on is None:
        fail_on = _env_setting(step, "GRYPE_FAIL_ON_SEVERITY", assigned)
    configured = None
    if fail_on is None:
        explicit, _ = flag_value(args, "--config", "-c")
        fail_on, configured = config_setting(step, "grype", explicit, True)
        if fail_on is UNKNOWN:
            return None
    return _configured(Scan("grype", command.line, fail_on is not None and fail_on != "", fail_on,
                            line, step), configured)


def lets_high_through(scan: Scan) -> bool:
    """Whether a gating scan's threshold only fails on CRITICAL findings."""
    value = (scan.severity or "").strip().strip("'\"")
    if not value or "$" in value:
        return False  # default thresholds include HIGH; expressions are decided at run time
    if scan.tool == "trivy":
        return "HIGH" not in value.upper().replace(" ", "").split(",")
    return value.lower() == "critical"
