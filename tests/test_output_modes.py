"""Output for people and programs: rule docs in the terminal, concise lines, statistics, JSON fields."""

import json
import re

import pytest

from platform_skills.cli import main
from platform_skills.plaintext import plain
from platform_skills.registry import all_rules, get_rule
from support import CORPUS, run_cli, run_json, write_tree

CONCISE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<id>PSK\d{3}) "
                     r"\[(?P<sev>critical|high|medium|low)\] (?P<message>.+)$")


def test_json_findings_carry_the_plain_fix():
    _, data = run_json("check", ".", "--no-config", cwd=CORPUS)
    assert data["version"] == 1 and data["findings"]
    for f in data["findings"]:
        assert f["fix"] and "`" not in f["fix"]
    psk001 = next(f for f in data["findings"] if f["rule"] == "PSK001")
    assert psk001["fix"] == plain(get_rule("PSK001").fix)


def test_rules_json_documents_every_rule():
    catalog = json.loads(run_cli("rules", "--format", "json").stdout)
    assert [r["id"] for r in catalog] == [r.id for r in all_rules()]
    for entry in catalog:
        rule = get_rule(entry["id"])
        assert {"rationale", "fix", "domain", "targets", "checkov_id", "limits"} <= set(entry)
        assert entry["rationale"] == plain(rule.rationale) and entry["rationale"]
        assert entry["fix"] == plain(rule.fix) and entry["fix"]
        assert entry["domain"] == rule.domain and entry["targets"] == list(rule.targets)
        assert entry["checkov_id"] == (rule.checkov_id if rule.scope == "file" else None)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_command_prints_the_whole_record(rule, capsys):
    assert main(["rule", rule.id.lower()]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{rule.id} {rule.name}\n{plain(rule.summary)}")
    flat = " ".join(out.split())  # the text is wrapped to the terminal
    for title, text in (("Why", rule.rationale), ("Fix", rule.fix), ("Known limits", rule.limits)):
        if text:
            assert f"\n{title}\n" in out and " ".join(plain(text).split()) in flat, title
    for title, example in (("Bad", rule.bad), ("Good", rule.good)):
        if example.strip():
            assert re.search(rf"^{title}\b", out, re.M), title
            assert all(f"    {line}" in out.split("\n") for line in example.strip("\n").split("\n") if line)
    for option in rule.options:
        assert f"  {option.name}: " in out
    assert f"severity  {rule.severity}" in out
    assert out.rstrip().endswith(f"Handbook: {rule.help_url}")
    examples = {f"    {line}" for line in (rule.bad + "\n" + rule.good).split("\n")}
    assert not [line for line in out.split("\n") if "`" in line and line not in examples]


def test_rule_command_by_name_and_unknown_rule():
    assert run_cli("rule", "cosign-by-tag").stdout == run_cli("rule", "PSK101").stdout
    proc = run_cli("rule", "cosign-by-tg")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "no rule 'cosign-by-tg'" in proc.stderr and "cosign-by-tag" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert run_cli("rule").returncode == 2


def test_concise_prints_one_line_per_finding():
    _, data = run_json("check", ".", "--no-config", cwd=CORPUS)
    proc = run_cli("check", ".", "--no-config", "--format", "concise", cwd=CORPUS)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[-1] == f"{len(data['findings'])} findings" + lines[-1].split(" findings", 1)[1]
    parsed = [CONCISE.match(line) for line in lines[:-1]]
    assert all(parsed), [line for line, m in zip(lines, parsed, strict=False) if not m]
    assert [(m["path"], int(m["line"]), m["id"], m["sev"], m["message"]) for m in parsed] == [
        (f["path"], f["line"], f["rule"], f["severity"], f["message"]) for f in data["findings"]]
    assert [int(m["col"]) if m["col"] else None for m in parsed] == [f.get("column") for f in data["findings"]]


def test_statistics_counts_findings_per_rule(tmp_path):
    _, data = run_json("check", ".", "--no-config", cwd=CORPUS)
    counts = {}
    for f in data["findings"]:
        counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    for fmt in ("text", "concise"):
        proc = run_cli("check", ".", "--no-config", "--statistics", "--format", fmt, cwd=CORPUS)
        assert proc.returncode == 1
        lines = proc.stdout.splitlines()
        rows = [line.split() for line in lines[:len(counts)]]
        assert {row[1]: int(row[0]) for row in rows} == counts
        assert [int(row[0]) for row in rows] == sorted(counts.values(), reverse=True)
        assert all(row[2] == get_rule(row[1]).name and row[3] == f"[{get_rule(row[1]).severity}]"
                   for row in rows)
        assert lines[len(counts)] == "" and lines[-1].startswith(f"{len(data['findings'])} findings")
    proc = run_cli("check", ".", "--statistics", "--format", "json", cwd=CORPUS)
    assert proc.returncode == 2 and "--statistics" in proc.stderr
    # unreadable files are never hidden behind the counts
    write_tree(tmp_path, {".github/workflows/bad.yml": "on: [\n"})
    proc = run_cli("check", ".", "--statistics", cwd=tmp_path)
    assert proc.returncode == 2 and ".github/workflows/bad.yml: error:" in proc.stdout
