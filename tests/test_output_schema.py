"""Every output format, for the whole rule set, is what its consumers validate against.

SARIF against the official SARIF 2.1.0 JSON schema (draft-04), as code scanning does; JSON
against the contract in RULES.md; the line formats by their shape. The run covers the
annotated corpus (findings of every rule it holds, plus every rule's descriptor in SARIF), a
file that cannot be parsed, and paths that need percent-encoding in a URI.
"""

import json
import shutil
from urllib.parse import unquote

import pytest

from platform_skills.registry import all_rules
from support import CORPUS, ROOT, run_cli

SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
ODD = "50% #1 ünï.yml"  # a space, a percent sign, a hash, non-ASCII letters


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("outputs")
    shutil.copytree(CORPUS, root / "corpus")
    workflow = root / "corpus" / ".github" / "workflows" / ODD
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
                        "      - uses: actions/checkout@v4\n")
    (root / "corpus" / ".github" / "workflows" / "broken.yml").write_text("jobs: [\n")
    return root


@pytest.fixture(scope="module")
def outputs(tree):
    runs = {}
    for command in ("check", "audit"):
        for fmt in ("text", "concise", "json", "sarif", "github"):
            proc = run_cli(command, "corpus", "--no-config", "--format", fmt, cwd=tree)
            assert proc.returncode == 2, (command, fmt, proc.stderr)  # findings and an error
            assert "Traceback" not in proc.stderr
            runs[command, fmt] = proc.stdout
    return runs


@pytest.mark.parametrize("command", ["check", "audit"])
def test_sarif_validates_against_the_official_schema(outputs, command):
    from jsonschema import Draft4Validator

    schema = json.loads(SCHEMA.read_text())
    sarif = json.loads(outputs[command, "sarif"])
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in Draft4Validator(schema).iter_errors(sarif)]
    assert problems == []
    run = sarif["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.id for r in all_rules()]
    if command == "check":
        assert len({r["ruleId"] for r in run["results"]}) > 50  # the corpus fires most rules
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
            for loc in r["locations"] + r.get("relatedLocations", [])]
    uris += [loc["physicalLocation"]["artifactLocation"]["uri"]
             for n in run["invocations"][0]["toolExecutionNotifications"] for loc in n["locations"]]
    assert all(" " not in u and "#" not in u and u.isascii() for u in uris)
    if command == "check":
        encoded = "corpus/.github/workflows/50%25%20%231%20%C3%BCn%C3%AF.yml"
        assert encoded in uris and unquote(encoded) == f"corpus/.github/workflows/{ODD}"


def test_every_rule_descriptor_has_unique_tags(outputs):
    rules = json.loads(outputs["check", "sarif"])["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        tags = rule["properties"]["tags"]
        assert len(tags) == len(set(tags)) and "supply-chain" in tags, rule["id"]


@pytest.mark.parametrize("command", ["check", "audit"])
def test_json_is_the_contract(outputs, command):
    data = json.loads(outputs[command, "json"])
    assert data["version"] == 1
    assert {"version", "findings", "errors", "summary"} <= set(data)
    required = {"rule": str, "name": str, "severity": str, "path": str, "line": int,
                "message": str, "help": str}
    for finding in data["findings"]:
        for key, kind in required.items():
            assert isinstance(finding[key], kind), (key, finding)
        assert finding["severity"] in ("critical", "high", "medium", "low")
    for error in data["errors"]:
        assert set(error) == {"path", "message"} and all(isinstance(v, str) for v in error.values())
    assert "corpus/.github/workflows/broken.yml" in {e["path"] for e in data["errors"]}
    summary = data["summary"]
    assert summary["findings"] == len(data["findings"])
    assert summary["errors"] == len(data["errors"])
    for entry in data.get("skipped", []):
        assert set(entry) == {"path", "reason"}


def test_line_formats_name_every_finding_of_the_json(outputs):
    findings = json.loads(outputs["check", "json"])["findings"]
    concise = outputs["check", "concise"].splitlines()
    github = outputs["check", "github"].splitlines()
    text = outputs["check", "text"]
    for f in findings:
        assert any(line.startswith(f"{f['path']}:{f['line']}") and f["rule"] in line
                   for line in concise), f
        assert f"{f['path']}:{f['line']}: {f['rule']}" in text
    assert len([line for line in github if line.startswith("::") and "PSK" in line]) == len(findings)
