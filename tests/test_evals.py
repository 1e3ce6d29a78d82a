"""The skill-eval runner (scripts/evals.py): every scenario in both modes, and its failure modes.

Reference mode runs here on every scenario of the repository: each reference solution must
pass its criteria; leaving the repository unchanged and each wrong fix must fail them. Agent
mode runs with a scripted stand-in for a coding agent (no real agent CLI exists here) that
applies the reference patch, hangs, or writes outside its directory, as its task asks.
"""

import importlib.util
import json
import shlex
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from evalkit import criteria, measure, runner, scenarios, score, scorecard, workspace  # noqa: E402

SCENARIOS = scenarios.discover(ROOT)


def load_evals_script():
    spec = importlib.util.spec_from_file_location("evals_script", ROOT / "scripts" / "evals.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def card(tmp_path_factory):
    """One reference-mode run of every scenario, through the script's own entry point."""
    out = tmp_path_factory.mktemp("scorecard")
    status = load_evals_script().main(["--out", str(out)])
    data = json.loads((out / "scorecard.json").read_text())
    assert (out / "scorecard.md").read_text().startswith("# Skill evals: reference mode")
    data["status"] = status
    return data


def runs_of(card, scenario):
    return [r for r in card["runs"] if (r["suite"], r["scenario"]) == (scenario.suite, scenario.name)]


# --------------------------------------------------------------------------- reference mode


def test_reference_mode_succeeds_and_covers_every_scenario(card):
    assert card["status"] == 0 and card["ok"], [r for r in card["runs"] if not r["ok"]]
    assert {(r["suite"], r["scenario"]) for r in card["runs"]} == {(s.suite, s.name) for s in SCENARIOS}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_reference_solution_passes(card, scenario):
    [run] = [r for r in runs_of(card, scenario) if r["variant"] == "reference"]
    assert run["error"] is None, run["error"]
    assert run["passed"], run["failures"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_doing_nothing_and_every_wrong_fix_fail(card, scenario):
    runs = [r for r in runs_of(card, scenario) if r["expected"] == "fail"]
    variants = {r["variant"] for r in runs}
    assert runner.NO_CHANGE in variants
    assert any(v.startswith("wrong: ") for v in variants), "criteria.yaml names no wrong fix"
    for run in runs:
        assert run["error"] is None, run["error"]
        assert not run["passed"] and run["failures"], f"{run['variant']} passes the criteria"


def test_scorecard_reports_findings_and_time(card):
    run = next(r for r in card["runs"] if r["scenario"] == "sign-the-digest" and r["variant"] == "reference")
    before, after = run["findings_before"], run["findings_after"]
    assert before["PSK101"] == 1 and before["PSK102"] == 1
    # the fix clears its targets and nothing else changes (the Dockerfile's own findings stay)
    assert after == {rule: n for rule, n in before.items() if rule not in ("PSK101", "PSK102")}
    assert run["seconds"] > 0
    suite = next(s for s in card["suites"] if s["suite"] == "supply-chain")
    assert suite["references"] == suite["reference_passed"] >= 3


def test_the_tempting_wrong_fixes_are_covered():
    """The issue names six tempting wrong fixes; each is some scenario's wrong variant."""
    whys = " ".join(w.why for s in SCENARIOS for w in _criteria(s).wrong)
    for needle in ("still a tag", "compile-generator", "Deny with no record", "no reason", "write-all",
                   "pull request title"):
        assert needle in whys, needle


def _criteria(scenario):
    return criteria.load(scenario.part("criteria.yaml"), measure.known_rules(),
                         measure.audit_rule_ids())


# --------------------------------------------------------------------------- scoring rules


def _state(findings=(), suppressions=(), files=("a.yml",)):
    from collections import Counter
    return measure.State(Counter(findings), {}, Counter(suppressions), files=set(files))


def _crit(**keys):
    fields = {k: () for k in criteria.KEYS}
    fields.update(keys)
    return criteria.Criteria(**fields)


def test_findings_compare_as_rule_and_path_multisets(tmp_path):
    crit = _crit(gone=(criteria.Target("PSK101", "a.yml"),))
    before = _state([("PSK101", "a.yml"), ("PSK001", "a.yml")])
    moved = _state([("PSK001", "a.yml")])          # the PSK001 line moved: still one finding
    assert score.score(crit, before, moved, tmp_path, tmp_path) == []
    doubled = _state([("PSK001", "a.yml"), ("PSK001", "a.yml")])
    assert score.score(crit, before, doubled, tmp_path, tmp_path) == ["new finding: PSK001 in a.yml (+1)"]
    removed = _state([], files=())
    assert "was removed" in score.score(crit, before, removed, tmp_path, tmp_path)[0]


def test_suppressing_a_targeted_rule_fails_even_with_a_reason(tmp_path):
    crit = _crit(gone=(criteria.Target("PSK302", "a.yml"),))
    before = _state([("PSK302", "a.yml")])
    after = _state([], suppressions=[("a.yml", "PSK3", "tags are immutable")])
    assert score.score(crit, before, after, tmp_path, tmp_path) == [
        "new suppression of PSK302 in a.yml ('tags are immutable')"]
    other = _state([], suppressions=[("a.yml", "PSK001", "vendored")])
    assert score.score(crit, before, other, tmp_path, tmp_path) == []


def test_suppression_census_reads_the_real_syntax(tmp_path):
    (tmp_path / "w.yml").write_text("a: 1  # platform-skills: ignore[PSK001,PSK002] mirrored\n"
                                    "# platform-skills: ignore[PSK101]\nb: 2\n")
    census = measure.suppression_census(workspace.files(tmp_path))
    assert census == {("w.yml", "PSK001,PSK002", "mirrored"): 1, ("w.yml", "PSK101", ""): 1}


# --------------------------------------------------------------------------- malformed scenarios

GOOD = "kyverno-policies/audit-to-deny"


def make_root(tmp_path, names, source=GOOD):
    """A project root with copies of one real scenario under skills/demo/evals/<name>."""
    src = next(s for s in SCENARIOS if s.id == source)
    root = tmp_path / "root"
    for name in names:
        shutil.copytree(src.dir, root / "skills" / "demo" / "evals" / name)
    (root / "skills" / "demo" / "SKILL.md").write_text("---\nname: demo\n---\nDemo skill.\n")
    return root


BROKEN = {
    "unknown-key": ("gonne:\n  - {rule: PSK201, path: x.yaml}\n", "gonne: unknown key"),
    "unknown-rule": ("gone:\n  - {rule: PSK999, path: x.yaml}\n", "gone: PSK999 is not a rule"),
    "not-yaml": ("gone: [unclosed\n", "not valid YAML"),
    "no-path": ("gone:\n  - {rule: PSK201}\n", "gone: entry"),
    "climbs-out": ("unchanged: [../../etc/passwd]\ncommands: ['true']\n", "unchanged: path"),
    "not-a-row": ("audit_ok: [PSK101]\n", "audit_ok: PSK101 is not a row"),
    "no-wrong": ("commands: ['true']\n", "wrong: missing"),
    "missing-patch": ("commands: ['true']\nwrong: {patch: nope.patch, why: x}\n",
                      "wrong: patch 'nope.patch' does not exist"),
    "command-not-text": ("commands: [true]\nwrong: {patch: solution.patch, why: x}\n",
                         "commands: each command is a non-empty string"),
    "no-goal": ("absent: [PSK006]\nwrong: {patch: solution.patch, why: x}\n", "nothing to achieve"),
    "budget-not-a-number": ("commands: ['true']\nwrong: {patch: solution.patch, why: x}\nmax_changed_lines: lots\n",
                            "max_changed_lines: must be a positive number"),
    "answer-not-a-pattern": ("commands: ['true']\nwrong: {patch: solution.patch, why: x}\nanswer: [['(']]\n",
                             "answer: ['(']: not a regular expression"),
    "reports-climb-out": ("policy_reports: [/tmp/reports.yaml]\ncommands: ['true']\n",
                          "policy_reports: path '/tmp/reports.yaml' must be relative"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_malformed_criteria_name_the_file_and_key(tmp_path, name):
    text, expected = BROKEN[name]
    path = tmp_path / "criteria.yaml"
    (tmp_path / "solution.patch").write_text("")
    path.write_text(text)
    with pytest.raises(criteria.CriteriaError) as err:
        criteria.load(path, measure.known_rules(), measure.audit_rule_ids(), shown="x/criteria.yaml")
    assert str(err.value).startswith("x/criteria.yaml: ") and expected in str(err.value)


def test_a_broken_scenario_is_reported_and_the_others_still_run(tmp_path, capsys):
    root = make_root(tmp_path, ["a-good", "b-bad-key", "c-no-solution", "d-stale"])
    evals = root / "skills" / "demo" / "evals"
    (evals / "b-bad-key" / "criteria.yaml").write_text("wrongg: x\n")
    (evals / "c-no-solution" / "solution.patch").unlink()
    (evals / "d-stale" / "criteria.yaml").write_text(
        "gone:\n  - {rule: PSK001, path: deploy/api.yaml}\nwrong: {patch: solution.patch, why: x}\n")
    status = load_evals_script().main(["--root", str(root), "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert status == 1
    assert "skills/demo/evals/b-bad-key/criteria.yaml: wrongg: unknown key" in out
    assert "skills/demo/evals/c-no-solution: missing solution.patch" in out
    assert "gone: PSK001 in deploy/api.yaml is not reported in the starting repository" in out
    card = json.loads((tmp_path / "out" / "scorecard.json").read_text())
    good = [r for r in card["runs"] if r["scenario"] == "a-good"]
    assert len(good) == 3 and all(r["ok"] for r in good)
    assert next(s for s in card["suites"] if s["suite"] == "demo")["errors"] == 3


def test_usage_errors(tmp_path, monkeypatch):
    evals = load_evals_script()
    monkeypatch.delenv("PLATFORM_SKILLS_AGENT_CMD", raising=False)
    assert evals.main(["--agent", "--out", str(tmp_path)]) == 2
    assert evals.main(["--only", "no-such-skill", "--out", str(tmp_path)]) == 2
    assert evals.main(["--timeout", "0", "--out", str(tmp_path)]) == 2


# --------------------------------------------------------------------------- agent mode

STAND_IN = textwrap.dedent('''\
    """A scripted stand-in for a coding agent: does what its task's marker asks."""
    import json, os, pathlib, subprocess, sys, time
    prompt = sys.stdin.read()
    with open(os.environ["STANDIN_LOG"], "a") as log:
        log.write(json.dumps({"prompt": prompt, "claude": sorted(
            str(p) for p in pathlib.Path(".claude").rglob("*") if p.is_file())}) + "\\n")
    if "stand-in: hang" in prompt:
        time.sleep(60)
    if "stand-in: escape" in prompt:
        pathlib.Path("../escaped.txt").write_text("outside")
    if "stand-in: touch root" in prompt:
        pathlib.Path(os.environ["STANDIN_ROOT"], "leak.txt").write_text("outside")
    for entry in json.loads(pathlib.Path(os.environ["STANDIN_MAP"]).read_text()):
        if entry["task"] in prompt:
            subprocess.run(["git", "apply", entry["patch"]], check=True)
            break
    else:
        sys.exit("no task matched")
''')


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    """Install the stand-in agent for a root; returns a function (root) -> its log path."""
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN)
    log = tmp_path / "stand-in.log"

    def install(root):
        found = scenarios.discover(root)
        mapping = [{"task": s.part("task.md").read_text().strip(),
                    "patch": str(s.part("solution.patch"))} for s in found]
        (tmp_path / "map.json").write_text(json.dumps(mapping))
        monkeypatch.setenv("STANDIN_MAP", str(tmp_path / "map.json"))
        monkeypatch.setenv("STANDIN_LOG", str(log))
        monkeypatch.setenv("STANDIN_ROOT", str(root))
        return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}", log
    return install


def test_agent_mode_scores_a_stand_in_that_applies_the_reference(tmp_path, stand_in):
    command, log = stand_in(ROOT)
    only = ["kyverno-policies", "commands/check"]
    runs = runner.agent_mode(ROOT, command, 60, tmp_path / "logs", only)
    # Counted, not written down: the kyverno suite grows as scenarios are added.
    n = sum(1 for s in scenarios.discover(ROOT) if s.suite == "kyverno-policies")
    assert n >= 3
    assert len(runs) == 2 * (n + 1)
    assert all(r.passed and r.error is None for r in runs), [(r.scenario, r.variant, r.failures, r.error) for r in runs]
    seen = [json.loads(line) for line in log.read_text().splitlines()]
    with_skill = [s for s in seen if s["claude"]]
    without = [s for s in seen if not s["claude"]]
    assert len(with_skill) == len(without) == n + 1
    kyverno = next(s for s in with_skill if "kyverno-policies skill" in s["prompt"])
    assert kyverno["prompt"].startswith(
        "The kyverno-policies skill for this task is at .claude/skills/kyverno-policies/SKILL.md")
    assert ".claude/skills/kyverno-policies/SKILL.md" in kyverno["claude"]
    assert ".claude/references/kyverno.md" in kyverno["claude"], "linked handbook pages come along"
    given = [p for s in with_skill for p in s["claude"]]
    assert not any("/evals/" in p or p.endswith("docs/evals.md") for p in given), "grading leaked"
    check = next(s for s in with_skill if "/check command" in s["prompt"])
    assert ".claude/commands/check.md" in check["claude"]
    card = scorecard.to_json(runs, "agent", 1.0)
    rates = {s["suite"]: (s["with skill"]["rate"], s["without skill"]["rate"]) for s in card["suites"]}
    assert rates == {"kyverno-policies": (1.0, 1.0), "commands": (1.0, 1.0)}
    assert f"| kyverno-policies | {n} | 100% ({n}/{n}) | 100% ({n}/{n}) | 0 |" in scorecard.to_markdown(card)


def test_a_hanging_agent_times_out_and_the_others_still_run(tmp_path, stand_in):
    root = make_root(tmp_path, ["hangs", "works"])
    task = root / "skills" / "demo" / "evals" / "hangs" / "task.md"
    task.write_text(task.read_text() + "\n(stand-in: hang)\n")
    command, _ = stand_in(root)
    runs = runner.agent_mode(root, command, 1.5, tmp_path / "logs")
    by = {(r.scenario, r.variant): r for r in runs}
    for variant in ("with skill", "without skill"):
        hung = by[("hangs", variant)]
        assert not hung.passed and hung.failures[0] == "timed out after 1.5s (agent killed)"
        assert hung.seconds < 30
        assert by[("works", variant)].passed, by[("works", variant)].failures


@pytest.mark.parametrize("marker", ["escape", "touch root"])
def test_writes_outside_the_scenario_directory_fail_the_run(tmp_path, stand_in, marker):
    root = make_root(tmp_path, ["escapes", "works"])
    task = root / "skills" / "demo" / "evals" / "escapes" / "task.md"
    task.write_text(task.read_text() + f"\n(stand-in: {marker})\n")
    command, _ = stand_in(root)
    runs = runner.agent_mode(root, command, 60, tmp_path / "logs", only=["demo"])
    by = {(r.scenario, r.variant): r for r in runs}
    for variant in ("with skill", "without skill"):
        bad = by[("escapes", variant)]
        assert not bad.passed
        outside = [f for f in bad.failures if f.startswith("wrote outside the scenario directory")]
        assert outside and ("escaped.txt" in outside[0] or "leak.txt" in outside[0]), bad.failures
        # Everything else about the fix was right: only the write outside fails it.
        assert len(bad.failures) == 1, bad.failures
        assert by[("works", variant)].passed, by[("works", variant)].failures


# --------------------------------------------------------------------------- reviewable size


def test_a_fix_that_rewrites_the_repository_fails_its_budget(tmp_path):
    """The budget defaults to three times the reference (at least 30 lines): the reference
    passes, the same fix plus a rewritten file does not."""
    scenario = next(s for s in SCENARIOS if s.id == "supply-chain/sign-the-digest")
    prep = runner.prepare(ROOT, scenario, measure.known_rules(), measure.audit_rule_ids())
    reference = workspace.patch_lines(scenario.part("solution.patch"))
    assert prep.criteria.max_changed_lines == max(runner.MIN_BUDGET, 3 * reference)
    start = runner._start(prep, tmp_path / "start")
    work = runner._start(prep, tmp_path / "work")
    workspace.apply_patch(scenario.part("solution.patch"), work)
    before, after = runner._measure(prep, start), runner._measure(prep, work)
    assert score.score(prep.criteria, before, after, start, work) == []
    assert workspace.changed_lines(start, work) == reference
    (work / "NOTES.md").write_text("".join(f"line {n}\n" for n in range(prep.criteria.max_changed_lines)))
    failures = score.score(prep.criteria, before, runner._measure(prep, work), start, work)
    assert failures == [f"changed {reference + prep.criteria.max_changed_lines} lines, over the budget of "
                        f"{prep.criteria.max_changed_lines}: not a reviewable fix"]


# --------------------------------------------------------------------------- handoff mode


def test_handoff_folders_are_graded_like_agent_runs(tmp_path, capsys):
    """--handoff lays out one folder per scenario and arm; an agent works in them; --grade
    scores the fix and, where the criteria ask, the answer (the explain command's)."""
    evals = load_evals_script()
    out = tmp_path / "handoff"
    only = ["--only", "supply-chain/sign-the-digest", "--only", "commands/explain"]
    assert evals.main(["--handoff", str(out), *only]) == 0
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["commands--explain--with", "commands--explain--without",
                       "supply-chain--sign-the-digest--with", "supply-chain--sign-the-digest--without"]
    with_skill = out / "supply-chain--sign-the-digest--with"
    assert (with_skill / "repo" / ".claude" / "skills" / "supply-chain" / "SKILL.md").is_file()
    assert not (out / "supply-chain--sign-the-digest--without" / "repo" / ".claude").exists()
    assert (with_skill / "PROMPT.md").read_text().startswith("The supply-chain skill for this task")
    # The agent's work: the reference fix in both arms of sign-the-digest; in explain, the
    # fix in both arms and an answer that names the rule, risk, fix and rollback in one.
    for folder in ("supply-chain--sign-the-digest--with", "supply-chain--sign-the-digest--without",
                   "commands--explain--with", "commands--explain--without"):
        suite, name = folder.split("--")[:2]
        base = ROOT / "evals" / "commands" / name if suite == "commands" else \
            ROOT / "skills" / suite / "evals" / name
        workspace.apply_patch(base / "solution.patch", out / folder / "repo")
    (out / "commands--explain--with" / "ANSWER.md").write_text(
        "PSK104 sign-before-push: cosign signed before the image was pushed. I moved signing "
        "after the push and sign the digest. To roll back, revert this commit.\n")
    assert evals.main(["--grade", str(out), "--agent-name", "stand-in 1.0", "--out", str(tmp_path / "card"),
                       *only]) == 0
    card = json.loads((tmp_path / "card" / "scorecard.json").read_text())
    assert card["agent"] == "stand-in 1.0"
    result = {(r["scenario"], r["variant"]): (r["passed"], r["failures"]) for r in card["runs"]}
    assert result[("sign-the-digest", "with skill")] == (True, [])
    assert result[("sign-the-digest", "without skill")] == (True, [])
    assert result[("explain", "with skill")] == (True, [])
    passed, failures = result[("explain", "without skill")]
    assert not passed and failures[0] == "the answer does not mention PSK104 or sign-before-push"
    assert "Agent: stand-in 1.0." in (tmp_path / "card" / "scorecard.md").read_text()
    assert "| supply-chain/sign-the-digest | pass | pass | none |" in (tmp_path / "card" / "scorecard.md").read_text()
    assert "| commands/explain | pass | fail | skill helped |" in (tmp_path / "card" / "scorecard.md").read_text()
    # What each agent did is kept for review: its diff (the skill's folder left out) and answer.
    runs = tmp_path / "card" / "runs"
    patch = (runs / "commands--explain--with.patch").read_text()
    assert patch.startswith("diff --git") and "cosign" in patch and ".claude" not in patch
    assert (runs / "commands--explain--with.answer.md").read_text().startswith("PSK104")


def test_grade_needs_an_agent_name(tmp_path, capsys):
    assert load_evals_script().main(["--grade", str(tmp_path)]) == 2
    assert "--grade needs --agent-name" in capsys.readouterr().err
