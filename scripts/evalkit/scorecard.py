"""The scorecard: every run, and per suite the pass rates, as JSON and as Markdown."""

import json
import os
import platform
from collections import Counter
from datetime import date


def machine():
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


# Reference-mode variant -> (count of runs, count of runs that came out as required).
_REFERENCE_COUNTS = {"pass": ("references", "reference_passed"),
                     "no change": ("no_change", "no_change_failed"),
                     "fail": ("wrong_fixes", "wrong_failed")}


def summarize(runs, mode):
    """Per suite: scenarios, and the counts the mode cares about."""
    suites = {}
    for run in runs:
        s = suites.setdefault(run.suite, {"suite": run.suite, "scenarios": set(), "errors": 0})
        s["scenarios"].add(run.scenario)
        if run.error:
            s["errors"] += 1
            continue
        if mode == "reference":
            total, key = _REFERENCE_COUNTS[
                "no change" if run.variant == "no change" else run.expected]
            s[total] = s.get(total, 0) + 1
            s[key] = s.get(key, 0) + int(run.ok)
        else:
            rate = s.setdefault(run.variant, {"passed": 0, "runs": 0})
            rate["runs"] += 1
            rate["passed"] += int(run.passed)
    out = []
    for s in suites.values():
        s["scenarios"] = len(s["scenarios"])
        for rate in (v for v in s.values() if isinstance(v, dict)):
            rate["rate"] = round(rate["passed"] / rate["runs"], 3) if rate["runs"] else None
        out.append(s)
    return out


def to_json(runs, mode, seconds, agent=None):
    return {
        "version": 1,
        "mode": mode,
        "agent": agent,
        "date": date.today().isoformat(),
        "machine": machine(),
        "seconds": round(seconds, 2),
        "ok": all(r.ok for r in runs) if mode == "reference" else not any(r.error for r in runs),
        "suites": summarize(runs, mode),
        "runs": [{
            "suite": r.suite, "scenario": r.scenario, "variant": r.variant,
            "expected": r.expected, "passed": r.passed, "ok": r.ok, "error": r.error,
            "failures": r.failures, "findings_before": r.before, "findings_after": r.after,
            "seconds": round(r.seconds, 3), "note": r.note,
        } for r in runs],
    }


def _counts(by_rule):
    return ", ".join(f"{rule}×{n}" if n > 1 else rule for rule, n in by_rule.items()) or "none"


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(card):
    mode = card["mode"]
    lines = [f"# Skill evals: {mode} mode", "",
             f"Run on {card['date']} on {card['machine']}; {card['seconds']:.1f} s in all."
             + (f" Agent: {card['agent']}." if card.get("agent") else ""), ""]
    if mode == "reference":
        lines += ["| suite | scenarios | reference solutions passing | no change failing "
                  "| wrong fixes failing | errors |", "|---|---:|---:|---:|---:|---:|"]
        for s in card["suites"]:
            cells = [f"{s.get(ok, 0)}/{s.get(total, 0)}" for total, ok in _REFERENCE_COUNTS.values()]
            lines.append(f"| {s['suite']} | {s['scenarios']} | {' | '.join(cells)} | {s['errors']} |")
    else:
        lines += ["| suite | scenarios | pass rate with skill | pass rate without skill | errors |",
                  "|---|---:|---:|---:|---:|"]
        for s in card["suites"]:
            cells = []
            for variant in ("with skill", "without skill"):
                rate = s.get(variant, {"passed": 0, "runs": 0, "rate": None})
                pct = "n/a" if rate["rate"] is None else f"{rate['rate']:.0%}"
                cells.append(f"{pct} ({rate['passed']}/{rate['runs']})")
            lines.append(f"| {s['suite']} | {s['scenarios']} | {cells[0]} | {cells[1]} | "
                         f"{s['errors']} |")
    lines += ["", "## Per scenario", ""] + _per_scenario(card)
    lines += ["", "## Every run", "",
              "| scenario | variant | result | findings before | findings after | time (s) | why |",
              "|---|---|---|---|---|---:|---|"]
    for r in card["runs"]:
        result = _outcome(r, mode)
        if r["error"]:
            why = r["error"]
        else:
            why = "; ".join(r["failures"]) or r["note"]
            if r["expected"] == "fail" and r["note"]:
                why = f"{r['note']}: {why}"
        lines.append(f"| {r['suite']}/{r['scenario']} | {r['variant']} | {result} | "
                     f"{_counts(r['findings_before'])} | {_counts(r['findings_after'])} | "
                     f"{r['seconds']:.2f} | {_cell(why)} |")
    return "\n".join(lines) + "\n"


def _outcome(run, mode="reference"):
    """pass or fail; in reference mode, marked when it is not what the variant requires."""
    if run is None:
        return "n/a"
    if run["error"]:
        return "ERROR"
    unexpected = mode == "reference" and not run["ok"]
    return ("pass" if run["passed"] else "fail") + (" (unexpected)" if unexpected else "")


def _per_scenario(card):
    groups = {}
    for r in card["runs"]:
        groups.setdefault(f"{r['suite']}/{r['scenario']}", {})[r["variant"]] = r
    if card["mode"] == "reference":
        lines = ["| scenario | reference | no change | wrong fixes failing | findings before → after "
                 "| time (s) |", "|---|---|---|---:|---|---:|"]
        for name, by in groups.items():
            ref = by.get("reference")
            wrongs = [r for v, r in by.items() if v.startswith("wrong: ")]
            change = (f"{_counts(ref['findings_before'])} → {_counts(ref['findings_after'])}"
                      if ref and not ref["error"] else "")
            total = sum(r["seconds"] for r in by.values())
            lines.append(f"| {name} | {_outcome(ref)} | {_outcome(by.get('no change'))} | "
                         f"{sum(r['ok'] for r in wrongs)}/{len(wrongs)} | {change} | {total:.2f} |")
        return lines
    lines = ["| scenario | with skill | without skill | difference | findings before | after, with skill "
             "| after, without skill | time with / without (s) |", "|---|---|---|---|---|---|---|---|"]
    for name, by in groups.items():
        w, wo = by.get("with skill"), by.get("without skill")
        before = _counts((w or wo or {}).get("findings_before", {}))
        after = [_counts(r["findings_after"]) if r and not r["error"] else "" for r in (w, wo)]
        times = " / ".join(f"{r['seconds']:.1f}" if r else "n/a" for r in (w, wo))
        lines.append(f"| {name} | {_outcome(w, 'agent')} | {_outcome(wo, 'agent')} | {_difference(w, wo)} | "
                     f"{before} | {after[0]} | {after[1]} | {times} |")
    return lines


def _difference(with_skill, without):
    """What the skill changed for one scenario: the outcome the checks gave each arm."""
    if not with_skill or not without or with_skill["error"] or without["error"]:
        return "n/a"
    if with_skill["passed"] == without["passed"]:
        return "none"
    return "skill helped" if with_skill["passed"] else "skill hurt"


def write(card, out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "scorecard.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    (out_dir / "scorecard.md").write_text(to_markdown(card), encoding="utf-8")
    return out_dir / "scorecard.md", out_dir / "scorecard.json"


def counts(runs, mode):
    """``Counter`` of outcomes, for the one-line summary the command prints. In reference
    mode a run is ok when it came out as its variant requires; agent runs pass or fail."""
    if mode == "reference":
        return Counter("error" if r.error else "ok" if r.ok else "unexpected" for r in runs)
    return Counter("error" if r.error else "passed" if r.passed else "failed" for r in runs)

