"""Skill evals: score every scenario under skills/*/evals/ and evals/commands/ with the checks.

Reference mode (default) applies each scenario's solution.patch to a temporary copy of its
repo/ (it must pass the scenario's criteria.yaml) and each wrong fix its criteria name (each
must fail). Agent mode runs the command in PLATFORM_SKILLS_AGENT_CMD (prompt on stdin,
working directory the scenario copy) twice per scenario, with the skill's folder under
.claude/ and without it, and scores both.

Handoff mode is agent mode for an agent that is not a command (one inside an editor or a
chat): --handoff DIR lays out one folder per scenario and arm, the agent works in each, and
--grade DIR scores them the same way.

Usage:
  python scripts/evals.py [--only SUITE[/SCENARIO]] [--out DIR]
  PLATFORM_SKILLS_AGENT_CMD='my-agent --print' python scripts/evals.py --agent [--timeout S]
  python scripts/evals.py --handoff DIR [--only ...]
  python scripts/evals.py --grade DIR --agent-name 'NAME VERSION' [--only ...]

Exit status: 0 every run came out as its mode requires (reference mode) or every scenario
could be run (agent mode, whose pass rates are measurements); 1 otherwise; 2 usage error.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalkit import handoff, runner, scorecard  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
AGENT_ENV = "PLATFORM_SKILLS_AGENT_CMD"
TIMEOUT_ENV = "PLATFORM_SKILLS_AGENT_TIMEOUT"
DEFAULT_TIMEOUT = 1200.0


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="evals.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--agent", action="store_true",
                        help=f"agent mode: run the command in ${AGENT_ENV} on every scenario")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help=f"per agent run (default ${TIMEOUT_ENV} or {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--only", action="append", default=[], metavar="SUITE[/SCENARIO]",
                        help="run only this skill, 'commands', or one scenario (repeatable)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "evals", metavar="DIR",
                        help="where scorecard.md, scorecard.json and agent logs go "
                             "(default: build/evals)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true",
                        help="agent mode: keep each run's temporary directory")
    parser.add_argument("--handoff", type=Path, metavar="DIR",
                        help="write one folder per scenario and arm for an agent to work in")
    parser.add_argument("--grade", type=Path, metavar="DIR",
                        help="score the folders --handoff wrote, once the agent has worked in them")
    parser.add_argument("--agent-name", default=None, metavar="NAME",
                        help="the agent (and version) the scorecard records")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    timeout = args.timeout
    if timeout is None:
        try:
            timeout = float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT)
        except ValueError:
            print(f"evals.py: error: {TIMEOUT_ENV} must be a number of seconds", file=sys.stderr)
            return 2
    if timeout <= 0:
        print("evals.py: error: the timeout must be positive", file=sys.stderr)
        return 2
    root = args.root.resolve()
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    started = time.monotonic()
    if args.handoff:
        manifest = handoff.write(root, args.handoff, args.only)
        print(f"{len(manifest['runs'])} run folders in {args.handoff}; after the agent's work: "
              f"evals.py --grade {args.handoff} --agent-name NAME")
        return 0 if manifest["runs"] else 2
    if args.grade:
        if not args.agent_name:
            print("evals.py: error: --grade needs --agent-name (the scorecard records it)", file=sys.stderr)
            return 2
        runs = handoff.grade(root, args.grade, args.only)
        handoff.record(args.grade, out / "runs")  # each agent's diff and answer, for review
        mode = "agent"
    elif args.agent:
        command = os.environ.get(AGENT_ENV, "").strip()
        if not command:
            print(f"evals.py: error: agent mode needs ${AGENT_ENV}, a command that reads the "
                  "prompt on stdin", file=sys.stderr)
            return 2
        runs = runner.agent_mode(root, command, timeout, out / "logs", args.only, args.keep)
        mode = "agent"
    else:
        runs = runner.reference(root, args.only)
        mode = "reference"
    if not runs:
        print("evals.py: error: no scenario matched", file=sys.stderr)
        return 2
    card = scorecard.to_json(runs, mode, time.monotonic() - started,
                             args.agent_name or (os.environ.get(AGENT_ENV) if mode == "agent" else None))
    md, js = scorecard.write(card, out)
    for run in runs:
        if run.error:
            print(f"ERROR {run.suite}/{run.scenario}: {run.error}")
        elif not run.ok and mode == "reference":
            what = "passes its criteria" if run.expected == "fail" else "fails"
            print(f"UNEXPECTED {run.suite}/{run.scenario} [{run.variant}] {what}: "
                  f"{'; '.join(run.failures) or run.note}")
    tally = scorecard.counts(runs, mode)
    print(f"{len(runs)} runs in {card['seconds']:.1f}s ({mode} mode): "
          + ", ".join(f"{n} {k}" for k, n in sorted(tally.items())) + f". Scorecard: {md}, {js}")
    if mode == "agent":
        for suite in card["suites"]:
            rates = [f"{v}: {suite[v]['passed']}/{suite[v]['runs']}"
                     for v in ("with skill", "without skill") if v in suite]
            print(f"  {suite['suite']}: " + ", ".join(rates))
    return 0 if card["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
