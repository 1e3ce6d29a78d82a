"""What the checks say about a repository copy: findings, errors, audit rows, suppressions.

The CLI runs in-process through ``platform_skills.cli.main``, the function behind the
console script, with its stdout captured: the same code path, without a Python start-up per
run. ``--no-config`` keeps a configuration file an agent adds from hiding findings, and
``--jobs 1`` keeps each run in this process.
"""

import contextlib
import io
import json
from collections import Counter
from dataclasses import dataclass, field

from platform_skills import cli
from platform_skills.registry import all_rules, gap_rows
from platform_skills.rules import suppressions

from . import workspace

MAX_SUPPRESSION_SCAN = 2 * 1024 * 1024  # bytes; larger files are data, not configuration


class MeasureError(Exception):
    """The CLI gave no usable answer (a crash or output that is not its JSON)."""


def known_rules():
    return {r.id for r in all_rules()}


def audit_rule_ids():
    return {row.rule.id for row in gap_rows()}


@dataclass
class State:
    """One measurement of a repository copy."""

    findings: Counter                        # (rule, path) -> count
    errors: dict                             # path -> message
    suppressions: Counter                    # (path, rule IDs, reason) -> count
    audit: dict = field(default_factory=dict)  # row rule ID -> "ok" | "GAP" | "not shown"
    audit_messages: dict = field(default_factory=dict)
    files: set = field(default_factory=set)  # every file path, for "file removed" checks

    def by_rule(self):
        counts = Counter()
        for (rule, _), n in self.findings.items():
            counts[rule] += n
        return dict(sorted(counts.items()))


def run_cli(argv, cwd):
    """``(exit status, stdout)`` of ``platform-skills <argv>`` run in ``cwd``."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(argv)
    except SystemExit as exc:  # argparse rejects its arguments this way
        status = exc.code if isinstance(exc.code, int) else 2
    except Exception as exc:  # a crash in the checks must fail the run, not the runner
        raise MeasureError(f"platform-skills {' '.join(argv)} crashed: {exc!r}") from exc
    return status, out.getvalue(), err.getvalue()


def _json(argv, cwd):
    status, stdout, stderr = run_cli([*argv, "--format", "json", "--no-config", "--jobs", "1",
                                      "."], cwd)
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        raise MeasureError(f"platform-skills {argv[0]} exited {status} without JSON: "
                           f"{(stderr or stdout).strip()[:300]}") from None
    return data


def measure(cwd, audit=False):
    """Check (and, when ``audit``, audit) the repository in ``cwd``."""
    data = _json(["check"], cwd)
    findings = Counter((f["rule"], f["path"]) for f in data["findings"])
    errors = {e["path"]: e["message"] for e in data["errors"]}
    tree = workspace.files(cwd)
    state = State(findings, errors, suppression_census(tree), files=set(tree))
    if audit:
        gaps = {f["rule"]: f["message"] for f in _json(["audit"], cwd)["findings"]}
        # The JSON holds only the rows that read GAP; whether the table applies at all (the
        # repository publishes an image) shows in the text report, which lists every row.
        _, text, _ = run_cli(["audit", "--no-config", "--jobs", "1", "."], cwd)
        for rule_id in audit_rule_ids():
            state.audit[rule_id] = "GAP" if rule_id in gaps else (
                "ok" if rule_id in text else "not shown")
        state.audit_messages = gaps
    return state


def suppression_census(tree):
    """Every ``# platform-skills: ignore[...]`` comment in the tree, as (path, IDs, reason)."""
    found = Counter()
    for rel, path in tree.items():
        try:
            if path.stat().st_size > MAX_SUPPRESSION_SCAN:
                continue
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            continue
        if suppressions.MARKER not in text:
            continue
        comments = {}
        for entries in suppressions.parse(text.split("\n")).values():
            for ids, reason, line in entries:
                comments[line] = (rel, ",".join(sorted(ids)), reason)
        found.update(comments.values())
    return found
