"""What the checks say about a repository copy: findings, errors, audit rows, suppressions.

The CLI runs in-process through ``platform_skills.cli.main``, the function behind the
console script, with its stdout captured: the same code path, without a Python start-up per
run. ``--no-config`` keeps a configuration file an agent adds from hiding findings, and
``--jobs 1`` keeps each run in this process. Only the CLI's documented interface is used
(its JSON, the gap table's rows, the suppression comment syntax), never the package's
internal modules, which move as the rules grow.
"""

import contextlib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field

from platform_skills import cli

from . import workspace

MAX_SUPPRESSION_SCAN = 2 * 1024 * 1024  # bytes; larger files are data, not configuration
# The documented syntax: "# platform-skills: ignore[PSK001,PSK002] reason".
SUPPRESSION = re.compile(r"#\s*platform-skills:\s*ignore\[([A-Za-z0-9_,\s]*)\]\s*(.*)$")
# Gap-table rows that count file findings rather than repository facts (RULES.md).
ROLLUP_ROWS = {"PSK001", "PSK111"}


class MeasureError(Exception):
    """The CLI gave no usable answer (a crash or output that is not its JSON)."""


def _catalog():
    status, stdout, stderr = run_cli(["rules", "--format", "json"], ".")
    try:
        return {r["id"]: r for r in json.loads(stdout)}
    except (json.JSONDecodeError, TypeError, KeyError):
        raise MeasureError(f"platform-skills rules exited {status} without its JSON: "
                           f"{(stderr or stdout).strip()[:300]}") from None


def known_rules():
    """Every rule ID in the catalog."""
    return set(_catalog())


def audit_rule_ids():
    """Rule IDs of the audit gap table's rows: the repository-scope rules and the roll-ups."""
    return {i for i, r in _catalog().items() if r.get("scope") == "repository"} | ROLLUP_ROWS


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
    """``(exit status, stdout, stderr)`` of ``platform-skills <argv>`` run in ``cwd``."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(argv)
    except SystemExit as exc:  # argparse rejects its arguments this way
        status = exc.code if isinstance(exc.code, int) else 2
    except Exception as exc:  # a crash in the checks must fail the run, not the runner
        raise MeasureError(f"platform-skills {' '.join(argv)} crashed: {exc!r}") from exc
    return status, out.getvalue(), err.getvalue()


def _json(argv, cwd, reports=()):
    evidence = [arg for path in reports for arg in ("--policy-reports", path)]
    status, stdout, stderr = run_cli([*argv, "--format", "json", "--no-config", "--jobs", "1",
                                      *evidence, "."], cwd)
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        raise MeasureError(f"platform-skills {argv[0]} exited {status} without JSON: "
                           f"{(stderr or stdout).strip()[:300]}") from None
    return data


def measure(cwd, audit_rows=(), reports=()):
    """Check the repository in ``cwd``, and read the audit rows named in ``audit_rows``;
    ``reports``: PolicyReport files in it that both commands read as evidence."""
    data = _json(["check"], cwd, reports)
    findings = Counter((f["rule"], f["path"]) for f in data["findings"])
    errors = {e["path"]: e["message"] for e in data["errors"]}
    tree = workspace.files(cwd)
    state = State(findings, errors, suppression_census(tree), files=set(tree))
    if audit_rows:
        gaps = {f["rule"]: f["message"] for f in _json(["audit"], cwd, reports)["findings"]}
        # The JSON holds only the rows that read GAP; whether the table is shown at all (the
        # repository publishes an image) is in the text report, which lists every row.
        evidence = [arg for path in reports for arg in ("--policy-reports", path)]
        _, text, _ = run_cli(["audit", "--no-config", "--jobs", "1", *evidence, "."], cwd)
        for rule_id in audit_rows:
            shown = re.search(rf"\b{rule_id}\s+(?:critical|high|medium|low)\s+(?:ok|GAP)\b", text)
            state.audit[rule_id] = "GAP" if rule_id in gaps else "ok" if shown else "not shown"
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
        if "platform-skills:" not in text:
            continue
        for line in text.split("\n"):
            match = SUPPRESSION.search(line)
            if match:
                ids = sorted({i.strip().upper() for i in match.group(1).split(",") if i.strip()})
                found[(rel, ",".join(ids), match.group(2).strip())] += 1
    return found
