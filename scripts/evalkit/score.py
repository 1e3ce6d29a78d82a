"""Before and after, against the criteria: the list of reasons a fix fails (empty: it passes).

Findings are compared as (rule, path) multisets, never by line: a fix moves lines. Besides
what criteria.yaml asks, every fix must also:

- add no finding (a (rule, path) pair reported more often than before);
- leave no suppression without a reason (no PSK006 anywhere), and add no suppression,
  reasoned or not, of a rule the scenario targets: silencing a finding is not fixing it;
- leave every file checkable (no new parse errors);
- stay reviewable: change no more lines than the scenario's budget (``max_changed_lines``,
  by default three times the reference solution, at least 30): a fix that rewrites the
  repository is not one a reviewer can accept.
"""

import os
import subprocess
import sys
from pathlib import Path

from . import workspace
from .criteria import Target

SUPPRESSION_WITHOUT_REASON = "PSK006"
COMMAND_TIMEOUT = 120  # seconds per criteria command


def precheck(criteria, before):
    """Problems with the scenario itself: a finding to remove that is not there to begin with."""
    return [f"gone: {t} is not reported in the starting repository"
            for t in criteria.gone if before.findings[(t.rule, t.path)] == 0]


def score(criteria, before, after, start_dir, after_dir):
    failures = []
    for t in criteria.gone:
        left = after.findings[(t.rule, t.path)]
        if t.path not in after.files:
            failures.append(f"{t.path} was removed: deleting the file does not fix {t.rule}")
        elif left:
            failures.append(f"{t.rule} still reported in {t.path} ({left} left)")
    absent = criteria.absent + (Target(SUPPRESSION_WITHOUT_REASON, None),)
    for t in absent:
        hits = sorted({p for (r, p), n in after.findings.items()
                       if n and r == t.rule and (t.path is None or p == t.path)})
        if hits:
            failures.append(f"{t.rule} reported in {', '.join(hits)}")
    for (rule, path), n in sorted(after.findings.items()):
        added = n - before.findings[(rule, path)]
        if added > 0 and not any(t.rule == rule and t.path in (None, path) for t in absent):
            failures.append(f"new finding: {rule} in {path} (+{added})")
    failures.extend(_silenced(criteria, before, after))
    for path, message in sorted(after.errors.items()):
        if path not in before.errors:
            failures.append(f"{path} can no longer be checked: {message}")
    failures.extend(_changed(criteria.unchanged, start_dir, after_dir))
    for rule_id in criteria.audit_ok:
        status = after.audit.get(rule_id, "not shown")
        if status == "GAP":
            failures.append(f"audit row {rule_id} reads GAP: {after.audit_messages.get(rule_id, '')}")
        elif status != "ok":
            failures.append(f"audit row {rule_id} not shown: the audit finds no published image")
    failures.extend(run_commands(criteria.commands, after_dir))
    if criteria.max_changed_lines:
        size = workspace.changed_lines(start_dir, after_dir)
        if size > criteria.max_changed_lines:
            failures.append(f"changed {size} lines, over the budget of {criteria.max_changed_lines}: "
                            "not a reviewable fix")
    return failures


def answer(criteria, text):
    """What the agent's answer fails to say: one line per ``answer`` entry none of whose
    patterns matches ``text``."""
    return [f"the answer does not mention {' or '.join(p.pattern for p in entry)}"
            for entry in criteria.answer if not any(p.search(text or "") for p in entry)]


def _silenced(criteria, before, after):
    targeted = criteria.targeted_rules
    out = []
    for (path, ids, reason), n in sorted(after.suppressions.items()):
        if n <= before.suppressions[(path, ids, reason)]:
            continue
        covered = sorted(r for r in targeted
                         if any(r.startswith(i) for i in ids.split(",") if i))
        if covered:
            out.append(f"new suppression of {', '.join(covered)} in {path}"
                       + (f" ({reason!r})" if reason else " without a reason"))
    return out


def _changed(paths, start_dir, after_dir):
    out = []
    for rel in paths:
        before = workspace.digest(Path(start_dir) / rel)
        after = workspace.digest(Path(after_dir) / rel)
        if before == after:
            continue
        what = "created" if before is None else "removed" if after is None else "changed"
        out.append(f"{rel} must not change, but was {what}")
    return out


def command_env():
    """The environment criteria commands run in: this Python's scripts first on PATH, so
    ``platform-skills`` and the dev tools resolve to the ones the runner uses."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("NO_COLOR", "1")
    return env


def run_commands(commands, cwd):
    out = []
    for command in commands:
        try:
            proc = subprocess.run(command, shell=True, cwd=cwd, capture_output=True, text=True,
                                  env=command_env(), timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            out.append(f"command timed out after {COMMAND_TIMEOUT}s: {command}")
            continue
        if proc.returncode != 0:
            lines = [ln for ln in (proc.stdout.strip() or proc.stderr.strip()).splitlines() if ln.strip()]
            tail = " | ".join(lines[-2:])
            out.append(f"command failed (exit {proc.returncode}): {command}"
                       + (f": {tail[:300]}" if tail else ""))
    return out
