"""Agent mode for agents that are not a command: hand the runs out as folders, grade them later.

Some coding agents run inside an editor or a chat, not as a CLI that reads a prompt on stdin.
``prepare`` writes one folder per scenario and arm (with the skill's material, without it):

    <out>/<suite>--<scenario>--with/      PROMPT.md   the prompt, as agent mode would send it
                                          repo/       the starting repository (committed; the
                                                      skill under repo/.claude/ in the "with" arm)
                                          ANSWER.md   the agent writes its final answer here

``grade`` then scores each folder exactly as agent mode scores a command's run: the checks
before and after, the scenario's criteria, the size of the diff and, where the criteria ask,
what ANSWER.md says. The folders are the record: keep them with the scorecard.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import agent, measure, scenarios, score, workspace
from .runner import VARIANTS, Run, _Broken, _each, _guarded, _measure, _start, prepare

MANIFEST = "handoff.json"
ARMS = {"with skill": "with", "without skill": "without"}


def folder_name(scenario, label):
    return f"{scenario.suite}--{scenario.name}--{ARMS[label]}"


def write(root, out, only=()):
    """Lay out every run's folder under ``out``; returns the manifest written there."""
    root, out = Path(root).resolve(), Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    known, rows = measure.known_rules(), measure.audit_rule_ids()
    runs = []
    for scenario in _each(root, only):
        for label, with_material in VARIANTS:
            prep = prepare(root, scenario, known, rows)
            folder = out / folder_name(scenario, label)
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            work = _start(prep, folder / "repo", commit=True)
            if with_material:
                agent.inject(root, scenarios.material_files(root, scenario), work)
            text = agent.prompt(scenario, prep.task, with_material)
            (folder / "PROMPT.md").write_text(
                text + "\n\nWork only inside repo/. When you are done, write your final answer "
                "(what you changed and why) to ../ANSWER.md.\n", encoding="utf-8")
            runs.append({"suite": scenario.suite, "scenario": scenario.name, "variant": label,
                         "folder": folder.name})
    manifest = {"version": 1, "runs": runs}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def grade(root, out, only=()):
    """Score every folder ``write`` laid out; a folder that is missing is a run error."""
    root, out = Path(root).resolve(), Path(out).resolve()
    known, rows = measure.known_rules(), measure.audit_rule_ids()
    wanted = {(r["suite"], r["scenario"], r["variant"]): r["folder"]
              for r in json.loads((out / MANIFEST).read_text(encoding="utf-8"))["runs"]}
    runs = []
    for scenario in _each(root, only):
        for label, _ in VARIANTS:
            folder = wanted.get((scenario.suite, scenario.name, label))
            if folder is None:
                continue

            def work(run, scenario=scenario, folder=out / folder):
                _grade_one(run, root, scenario, known, rows, folder)
            runs.append(_guarded(scenario, label, "pass", work))
    return runs


def record(out, dest):
    """Keep what each agent did, as a reviewer reads it: ``dest/<folder>.patch`` (the change to
    repo/, new files included, the skill's folder left out) and ``dest/<folder>.answer.md``."""
    out, dest = Path(out), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for entry in json.loads((out / MANIFEST).read_text(encoding="utf-8"))["runs"]:
        folder = out / entry["folder"]
        repo = folder / "repo"
        if not repo.is_dir():
            continue
        git = ["git", "-C", str(repo)]
        subprocess.run([*git, "add", "-A", "--", ".", f":(exclude){agent.MATERIAL_DIR}"],
                       capture_output=True, check=True, env=workspace._git_env(repo))
        diff = subprocess.run([*git, "diff", "--cached", "--no-color"], capture_output=True,
                              check=True, env=workspace._git_env(repo)).stdout
        (dest / f"{entry['folder']}.patch").write_bytes(diff)
        answer = folder / "ANSWER.md"
        if answer.is_file():
            shutil.copyfile(answer, dest / f"{entry['folder']}.answer.md")


def _grade_one(run: Run, root, scenario, known, rows, folder):
    prep = prepare(root, scenario, known, rows)
    work = folder / "repo"
    if not work.is_dir():
        raise _Broken(f"{folder.name}: no repo/ folder to grade")
    base = Path(tempfile.mkdtemp(prefix="psk-eval-start-"))
    try:
        start = _start(prep, base / "repo")
        before = _measure(prep, start)
        graded = base / "graded"
        shutil.copytree(work, graded, symlinks=True, ignore=shutil.ignore_patterns(agent.MATERIAL_DIR))
        after = _measure(prep, graded)
        run.before, run.after = before.by_rule(), after.by_rule()
        answer_path = folder / "ANSWER.md"
        answer = answer_path.read_text(encoding="utf-8", errors="replace") if answer_path.is_file() else ""
        run.failures = score.score(prep.criteria, before, after, start, graded)
        run.failures += score.answer(prep.criteria, answer)
        run.passed = not run.failures
        run.note = f"graded from {folder.name}/" + ("" if answer else " (no ANSWER.md)")
    finally:
        shutil.rmtree(base, ignore_errors=True)
