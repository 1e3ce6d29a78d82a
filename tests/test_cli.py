"""The CLI contract: formats, exit codes, selection, configuration, suppressions."""

import json
import re

import pytest

from support import run_cli, run_json, write_tree

WORKFLOW = """\
on: push
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      packages: write
    steps:
      - uses: actions/checkout@v4
      - run: cosign sign --yes ghcr.io/example-org/app:1.0
"""
# PSK001 at 10 (medium), PSK101 and PSK102 at 11 (high)


@pytest.fixture
def repo(tmp_path):
    return write_tree(tmp_path, {".github/workflows/release.yml": WORKFLOW})


def test_json_shape_is_the_contract(repo):
    proc, data = run_json("check", ".", cwd=repo)
    assert proc.returncode == 1
    assert set(data) == {"version", "findings", "errors", "summary"}
    assert data["version"] == 1
    first = data["findings"][0]
    required = {"rule", "name", "severity", "path", "line", "message", "help"}
    added = {"column", "related", "fix"}  # keys added since version 1 (consumers ignore them)
    assert required <= set(first) <= required | added
    assert [(f["rule"], f["line"]) for f in data["findings"]] == [
        ("PSK001", 10), ("PSK101", 11), ("PSK102", 11)]
    assert first["path"] == ".github/workflows/release.yml"
    assert first["help"].endswith("/rules/psk001/")
    assert data["summary"] == {"files": 1, "findings": 3, "errors": 0}


def test_text_format_is_clickable_grouped_and_summarised(repo):
    proc = run_cli("check", ".", cwd=repo)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == (".github/workflows/release.yml:10: PSK001 unpinned-action [medium] "
                        "'actions/checkout' is pinned to ref 'v4', not a full commit SHA")
    assert lines[1].strip().startswith("fix: ")
    assert lines[2].strip() == "see: https://platform-skills.github.io/platform-skills/rules/psk001/"
    assert lines[-1] == "3 findings (2 high, 1 medium); 1 file checked"
    assert "\033[" not in proc.stdout  # not a TTY: no colour


BARE_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
    - name: shell
      image: registry.example.com/tools/shell:2.0.1@sha256:{zeros}
""".format(zeros="0" * 64)


def test_text_groups_one_containers_findings_under_one_header(tmp_path):
    """Six settings missing on one container read as one set, each still clickable."""
    write_tree(tmp_path, {"deploy/pod.yaml": BARE_POD})
    proc = run_cli("check", ".", cwd=tmp_path)
    lines = proc.stdout.splitlines()
    assert lines[0] == "container 'shell' (deploy/pod.yaml:7): 6 findings on line 8"
    clickable = [ln for ln in lines if ln.startswith("deploy/pod.yaml:8: ")]
    assert [ln.split()[1] for ln in clickable] == [
        "PSK308", "PSK309", "PSK310", "PSK311", "PSK312", "PSK320"]
    assert "    deploy/pod.yaml:7: container 'shell'" not in lines  # said once, in the header
    _, data = run_json("check", ".", cwd=tmp_path)
    assert all(f["related"] == [{"path": "deploy/pod.yaml", "line": 7, "note": "container 'shell'"}]
               for f in data["findings"])


def test_a_suppression_on_the_container_name_covers_its_findings(tmp_path):
    text = BARE_POD.replace("- name: shell", "- name: shell  # platform-skills: ignore[PSK312] "
                            "writes its scratch files in place; reviewed 2026-11")
    write_tree(tmp_path, {"deploy/pod.yaml": text})
    _, data = run_json("check", ".", cwd=tmp_path)
    assert sorted(f["rule"] for f in data["findings"]) == [
        "PSK308", "PSK309", "PSK310", "PSK311", "PSK320"]


def test_sarif_is_what_code_scanning_ingests(repo):
    proc = run_cli("check", ".", "--format", "sarif", cwd=repo)
    assert proc.returncode == 1
    sarif = json.loads(proc.stdout)
    assert sarif["version"] == "2.1.0" and "sarif" in sarif["$schema"]
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    assert by_id["PSK101"]["properties"]["security-severity"] == "8.0"
    assert by_id["PSK101"]["helpUri"].endswith("/rules/psk101/")
    assert by_id["PSK101"]["help"]["text"] and by_id["PSK101"]["help"]["markdown"]
    results = run["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in results] == [("PSK001", 10), ("PSK101", 11), ("PSK102", 11)]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
            ".github/workflows/release.yml"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_github_annotations(repo):
    proc = run_cli("check", ".", "--format", "github", cwd=repo)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("::warning file=.github/workflows/release.yml,line=10,"
                               "title=PSK001 unpinned-action::")
    assert lines[1].startswith("::error file=.github/workflows/release.yml,line=11,"
                               "title=PSK101 cosign-by-tag::")


def test_errors_in_every_format(tmp_path):
    write_tree(tmp_path, {".github/workflows/bad.yml": "on: [\n"})
    for fmt in ("text", "json", "sarif", "github"):
        proc = run_cli("check", ".", "--format", fmt, cwd=tmp_path)
        assert proc.returncode == 2, fmt
        assert ".github/workflows/bad.yml" in proc.stdout, fmt
    sarif = json.loads(run_cli("check", ".", "--format", "sarif", cwd=tmp_path).stdout)
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False


@pytest.mark.parametrize("args, rules, code", [
    ((), {"PSK001", "PSK101", "PSK102"}, 1),
    (("--select", "PSK1"), {"PSK101", "PSK102"}, 1),
    (("--select", "PSK001,PSK102"), {"PSK001", "PSK102"}, 1),
    (("--ignore", "PSK10"), {"PSK001"}, 1),
    (("--fail-on", "high", "--select", "PSK001"), {"PSK001"}, 0),
    (("--fail-on", "critical"), {"PSK001", "PSK101", "PSK102"}, 0),
    (("--select", "PSK3"), set(), 0),
])
def test_selection_and_fail_on(repo, args, rules, code):
    proc, data = run_json("check", ".", *args, cwd=repo)
    assert {f["rule"] for f in data["findings"]} == rules
    assert proc.returncode == code


def test_usage_errors_exit_2(repo):
    assert run_cli("check", "--format", "xml", cwd=repo).returncode == 2
    assert run_cli("check", "--fail-on", "severe", cwd=repo).returncode == 2
    proc = run_cli("check", "--select", "PSK999", cwd=repo)
    assert proc.returncode == 2 and "PSK999" in proc.stderr
    assert run_cli("audit", "no-such-dir", cwd=repo).returncode == 2
    assert run_cli("bogus", cwd=repo).returncode == 2


def test_pyproject_configuration(repo):
    (repo / ".git").mkdir()
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.platform-skills]\nignore = ["PSK001"]\n'
        'fail-on = "critical"\nexclude = ["vendor/*"]\n')
    write_tree(repo, {"vendor/.github/workflows/v.yml": WORKFLOW})
    proc, data = run_json("check", ".", cwd=repo)
    assert {(f["path"], f["rule"]) for f in data["findings"]} == {
        (".github/workflows/release.yml", "PSK101"), (".github/workflows/release.yml", "PSK102")}
    assert proc.returncode == 0
    proc, data = run_json("check", ".", "--no-config", cwd=repo)
    assert len(data["findings"]) == 6


def test_yaml_configuration_and_its_errors(repo):
    (repo / ".git").mkdir()
    (repo / ".platform-skills.yaml").write_text("select: [PSK001]\n")
    _, data = run_json("check", ".", cwd=repo)
    assert {f["rule"] for f in data["findings"]} == {"PSK001"}
    (repo / ".platform-skills.yaml").write_text("selct: [PSK001]\n")
    proc = run_cli("check", ".", cwd=repo)
    assert proc.returncode == 2
    assert ".platform-skills.yaml" in proc.stderr and "selct" in proc.stderr


def test_suppressions(tmp_path):
    text = WORKFLOW.replace(
        "      - uses: actions/checkout@v4\n",
        "      # platform-skills: ignore[PSK001] internal mirror keeps tags immutable\n"
        "      - uses: actions/checkout@v4\n").replace(
        "      - run: cosign sign", "      - run: cosign sign")  # unchanged line
    text = text.replace("ghcr.io/example-org/app:1.0\n",
                        "ghcr.io/example-org/app:1.0 # platform-skills: ignore[PSK101]\n")
    write_tree(tmp_path, {".github/workflows/release.yml": text})
    _, data = run_json("check", ".", cwd=tmp_path)
    assert [(f["rule"], f["line"]) for f in data["findings"]] == [("PSK006", 12), ("PSK102", 12)]


def test_rules_command_lists_the_catalog():
    proc = run_cli("rules", "--format", "json")
    catalog = json.loads(proc.stdout)
    ids = [r["id"] for r in catalog]
    assert ids == sorted(ids) and "PSK001" in ids and "PSK905" in ids
    assert all(r["checkov_id"] == ("CKV_PSK_" + r["id"][3:] if r["scope"] == "file" else None)
               for r in catalog)  # repository and online rules have no Checkov check
    text = run_cli("rules").stdout
    assert re.search(r"^PSK101\s+cosign-by-tag\s+high", text, re.M)


def test_version():
    proc = run_cli("--version")
    assert re.fullmatch(r"platform-skills \d+\.\d+\.\d+\n", proc.stdout)


def test_suppression_scope(tmp_path):
    """A trailing comment covers its own line only; a comment line covers the line below."""
    text = (
        "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4 # platform-skills: ignore[PSK001] mirrored\n"
        "      - uses: actions/cache@v4\n"
        "      # platform-skills: ignore[PSK0] vendored, reviewed quarterly\n"
        "      - uses: actions/setup-go@v5\n"
        "      - uses: actions/setup-node@v4\n")
    write_tree(tmp_path, {".github/workflows/ci.yml": text})
    _, data = run_json("check", ".", cwd=tmp_path)
    assert [(f["rule"], f["line"]) for f in data["findings"]] == [("PSK001", 8), ("PSK001", 11)]
