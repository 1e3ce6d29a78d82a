"""Both modes over every scenario: reference (the solution passes, each wrong fix fails) and
agent (an agent fixes the copy, with the skill's material and without it).

A scenario that cannot be run (missing parts, malformed criteria, a patch that no longer
applies) yields one run with its ``error`` set; the other scenarios still run.
"""

import dataclasses
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import agent, criteria, measure, scenarios, score, workspace

REPO = "repo"
NO_CHANGE = "no change"
MIN_BUDGET = 30  # changed lines any fix may take, however small the reference


@dataclass
class Run:
    suite: str
    scenario: str
    variant: str            # "reference", "no change", "wrong: <patch>", "with skill", ...
    expected: str = "pass"  # "fail" for a wrong fix
    passed: bool = False
    failures: list = field(default_factory=list)
    error: str | None = None
    before: dict = field(default_factory=dict)  # findings per rule
    after: dict = field(default_factory=dict)
    seconds: float = 0.0
    note: str = ""

    @property
    def ok(self):
        """The outcome the mode wants: a reference passes, a wrong fix fails."""
        return self.error is None and self.passed == (self.expected == "pass")


class _Broken(Exception):
    """The scenario itself cannot be run; the message says why."""


@dataclass
class _Prepared:
    scenario: scenarios.Scenario
    criteria: criteria.Criteria
    task: str


def _shown(root, path):
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)


def prepare(root, scenario, known, rows):
    missing = scenario.missing_parts()
    if missing:
        raise _Broken(f"{_shown(root, scenario.dir)}: missing {', '.join(missing)}")
    crit = criteria.load(scenario.part("criteria.yaml"), known, rows,
                         shown=_shown(root, scenario.part("criteria.yaml")))
    if (scenario.part(REPO) / agent.MATERIAL_DIR).exists():
        raise _Broken(f"{_shown(root, scenario.part(REPO))}: must not hold {agent.MATERIAL_DIR}/, "
                      "where the runner puts the skill for an agent")
    task = scenario.part("task.md").read_text(encoding="utf-8").strip()
    if not task:
        raise _Broken(f"{_shown(root, scenario.part('task.md'))}: empty")
    if crit.max_changed_lines is None:
        solution = scenario.part("solution.patch")
        reference = workspace.patch_lines(solution) if solution.is_file() else 0
        crit = dataclasses.replace(crit, max_changed_lines=max(MIN_BUDGET, 3 * reference))
    return _Prepared(scenario, crit, task)


def _start(prep, dest, commit=False):
    """The starting repository in ``dest``: repo/ plus pending.patch (left uncommitted)."""
    workspace.copy_repo(prep.scenario.part(REPO), dest)
    if commit:
        workspace.git_init(dest)
    pending = prep.scenario.part(scenarios.PENDING)
    if pending.is_file():
        workspace.apply_patch(pending, dest)
    return dest


def _measure(prep, path):
    return measure.measure(path, prep.criteria.audit_ok, prep.criteria.policy_reports)


def _each(root, only):
    root = Path(root)
    for scenario in scenarios.discover(root):
        if only and not any(scenario.id == o or scenario.suite == o for o in only):
            continue
        yield scenario


def _guarded(scenario, variant, expected, work):
    """Run ``work(run)``; turn the ways a scenario can be broken into the run's error."""
    run = Run(scenario.suite, scenario.name, variant, expected)
    started = time.monotonic()
    try:
        work(run)
    except (criteria.CriteriaError, _Broken, workspace.PatchError, measure.MeasureError) as exc:
        run.error = str(exc)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        run.error = f"{scenario.id}: {type(exc).__name__}: {exc}"
    run.seconds = time.monotonic() - started
    return run


# ------------------------------------------------------------------ reference mode


def reference(root, only=()):
    """Apply each reference solution (it must pass); leave a copy unchanged and apply each
    wrong fix (each must fail)."""
    known, rows = measure.known_rules(), measure.audit_rule_ids()
    runs = []
    for scenario in _each(root, only):
        runs.extend(_reference_one(root, scenario, known, rows))
    return runs


def _reference_one(root, scenario, known, rows):
    holder = {}

    def setup(run):
        prep = prepare(root, scenario, known, rows)
        holder["tmp"] = tmp = Path(tempfile.mkdtemp(prefix="psk-eval-"))
        start = _start(prep, tmp / "start")
        before = _measure(prep, start)
        problems = score.precheck(prep.criteria, before)
        if problems:
            raise _Broken(f"{_shown(root, scenario.part('criteria.yaml'))}: {'; '.join(problems)}")
        holder.update(prep=prep, start=start, before=before)
        _apply_and_score(run, holder, scenario.part("solution.patch"), "reference")

    try:
        runs = [_guarded(scenario, "reference", "pass", setup)]
        if "prep" in holder:
            # Doing nothing must fail too, or the criteria ask for nothing.
            runs.append(_guarded(scenario, NO_CHANGE, "fail",
                                 lambda run: _apply_and_score(run, holder, None, "unchanged")))
            for wrong in holder["prep"].criteria.wrong:
                def variant(run, wrong=wrong):
                    run.note = wrong.why
                    _apply_and_score(run, holder, scenario.part(wrong.patch), wrong.patch)
                runs.append(_guarded(scenario, f"wrong: {wrong.patch}", "fail", variant))
    finally:
        if "tmp" in holder:
            shutil.rmtree(holder["tmp"], ignore_errors=True)
    return runs


def _apply_and_score(run, holder, patch, label):
    prep, before = holder["prep"], holder["before"]
    work = holder["tmp"] / ("run-" + label.replace("/", "_"))
    shutil.copytree(holder["start"], work, symlinks=True)
    if patch is not None:
        workspace.apply_patch(patch, work)
    after = _measure(prep, work)
    run.before, run.after = before.by_rule(), after.by_rule()
    run.failures = score.score(prep.criteria, before, after, holder["start"], work)
    run.passed = not run.failures


# ------------------------------------------------------------------ agent mode

VARIANTS = (("with skill", True), ("without skill", False))


def agent_mode(root, command, timeout, logs, only=(), keep=False):
    """Run ``command`` on every scenario twice, with the skill's material and without."""
    root = Path(root).resolve()
    logs = Path(logs)
    logs.mkdir(parents=True, exist_ok=True)
    known, rows = measure.known_rules(), measure.audit_rule_ids()
    runs = []
    for scenario in _each(root, only):
        for label, with_material in VARIANTS:
            def work(run, scenario=scenario, with_material=with_material):
                _agent_one(run, root, scenario, known, rows, command, timeout, logs,
                           with_material, keep)
            runs.append(_guarded(scenario, label, "pass", work))
    return runs


def _agent_one(run, root, scenario, known, rows, command, timeout, logs, with_material, keep):
    prep = prepare(root, scenario, known, rows)
    if scenario.kind == "command" and not (root / scenario.material).is_file():
        raise _Broken(f"{scenario.material}: no such command for {_shown(root, scenario.dir)}")
    # The pristine start stays in a directory of its own: the agent's parent directory
    # holds nothing but its copy, so anything else appearing there is a write outside.
    base = Path(tempfile.mkdtemp(prefix="psk-eval-start-"))
    parent = Path(tempfile.mkdtemp(prefix="psk-eval-agent-"))
    try:
        start = _start(prep, base / REPO, commit=True)
        work = parent / REPO
        shutil.copytree(start, work, symlinks=True)
        before = _measure(prep, start)
        if with_material:
            agent.inject(root, scenarios.material_files(root, scenario), work)
        watch = [(parent, [work]), (root, [logs]), (base, [])]
        log_path = logs / f"{scenario.suite}--{scenario.name}--{run.variant.replace(' ', '-')}.log"
        result = agent.run(command, agent.prompt(scenario, prep.task, with_material), work,
                           watch, timeout, log_path)
        if with_material:
            shutil.rmtree(work / agent.MATERIAL_DIR, ignore_errors=True)
        after = _measure(prep, work)
        run.before, run.after = before.by_rule(), after.by_rule()
        run.failures = []
        if result.timed_out:
            run.failures.append(f"timed out after {timeout:g}s (agent killed)")
        elif result.exit_status != 0:
            run.failures.append(f"agent exited {result.exit_status}")
        if result.outside:
            shown = ", ".join(result.outside[:5]) + (" ..." if len(result.outside) > 5 else "")
            run.failures.append(f"wrote outside the scenario directory: {shown}")
        run.failures += score.score(prep.criteria, before, after, start, work)
        run.failures += score.answer(prep.criteria, result.log)
        run.passed = not run.failures
        run.note = f"agent {result.seconds:.1f}s, log {log_path.name}" + (
            f", copy kept in {parent}" if keep else "")
    finally:
        if not keep:
            shutil.rmtree(parent, ignore_errors=True)
            shutil.rmtree(base, ignore_errors=True)
