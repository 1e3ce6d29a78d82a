"""One run of a coding agent on a scenario copy.

The agent command (``PLATFORM_SKILLS_AGENT_CMD``) runs through the shell with the prompt on
stdin and the scenario copy as its working directory. The copy sits alone in a fresh
temporary directory; that directory and the repository checkout are snapshotted before and
after, so a write outside the copy is caught. The command runs in its own process group,
which is killed as a whole when the time is up.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import score, workspace

MATERIAL_DIR = ".claude"  # where Claude Code looks for project skills and commands


@dataclass
class AgentRun:
    exit_status: int | None = None
    timed_out: bool = False
    seconds: float = 0.0
    outside: list = field(default_factory=list)
    log: str = ""


def inject(root, files, work):
    """Mirror ``files`` (repository-relative) under ``work/.claude/`` so relative links
    between them keep resolving: skills/x/SKILL.md -> .claude/skills/x/SKILL.md."""
    for rel in files:
        dest = Path(work, MATERIAL_DIR, rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(root, rel), dest)


def prompt(scenario, task, with_material):
    if not with_material:
        return task
    where = f"{MATERIAL_DIR}/{scenario.material}"
    if scenario.kind == "command":
        lead = (f"The /{scenario.name} command for this task is at {where}: read it first and "
                "follow it, with $ARGUMENTS set to what the task names.")
    else:
        lead = (f"The {scenario.suite} skill for this task is at {where}: read it first and "
                "follow it.")
    return f"{lead}\n\n{task}"


def run(command, text, work, watch, timeout, log_path):
    """Run ``command`` in ``work`` with ``text`` on stdin. ``watch``: directories (with the
    subtrees to leave out of each) that must not change while it runs."""
    before = {top: workspace.snapshot(top, ignore) for top, ignore in watch}
    result = AgentRun()
    started = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, shell=True, cwd=work, stdin=subprocess.PIPE,
                                stdout=log, stderr=subprocess.STDOUT, env=score.command_env(),
                                start_new_session=True)
        try:
            proc.communicate(text.encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            result.timed_out = True
            _kill_group(proc)
        except BrokenPipeError:  # the agent exited without reading its prompt
            proc.wait()
    result.seconds = time.monotonic() - started
    result.exit_status = proc.returncode
    for top, ignore in watch:
        after = workspace.snapshot(top, ignore)
        result.outside.extend(str(Path(top, p)) for p in workspace.changed(before[top], after))
    result.log = Path(log_path).read_text(encoding="utf-8", errors="replace")[-4000:]
    return result


def _kill_group(proc):
    """Kill the agent and everything it started: they share the group made for it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
