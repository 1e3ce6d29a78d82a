"""Baselines: findings recorded once, matched again after lines move, new ones still fail."""

import json

from support import run_cli, run_json, write_tree

# Two jobs, each with an unpinned action (PSK001) and a read-all permission (PSK019).
JOB_A = """\
  lint:
    runs-on: ubuntu-latest
    permissions: read-all
    steps:
      - uses: actions/setup-node@v4
"""
JOB_B = """\
  test:
    runs-on: ubuntu-latest
    permissions: read-all
    steps:
      - uses: actions/setup-node@v4
      - uses: actions/cache@v4
"""
HEAD = "on: push\npermissions:\n  contents: read\njobs:\n"
WORKFLOW = ".github/workflows/ci.yml"


def _repo(tmp_path, text):
    write_tree(tmp_path, {WORKFLOW: text})
    (tmp_path / ".git").mkdir(exist_ok=True)
    return tmp_path


def _baseline(tmp_path):
    proc = run_cli("check", "--write-baseline", "baseline.json", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads((tmp_path / "baseline.json").read_text())


def test_written_baseline_is_versioned_sorted_and_complete(tmp_path):
    _repo(tmp_path, HEAD + JOB_A + JOB_B)
    _, report = run_json("check", ".", cwd=tmp_path)
    data = _baseline(tmp_path)
    assert data["version"] == 1
    entries = data["findings"]
    assert len(entries) == len(report["findings"]) == 5  # 3 PSK001, 2 PSK019
    keys = [(e["path"], e["rule"], e["text"], e["occurrence"]) for e in entries]
    assert keys == sorted(keys)
    # The two identical setup-node lines are told apart by their occurrence number.
    node = [e for e in entries if e["rule"] == "PSK001" and "setup-node" in e["text"]]
    assert sorted(e["occurrence"] for e in node) == [1, 2]
    assert len({e["fingerprint"] for e in entries}) == len(entries)


def test_baseline_survives_inserted_lines_and_reordered_jobs(tmp_path):
    _repo(tmp_path, HEAD + JOB_A + JOB_B)
    written = _baseline(tmp_path)
    moved = "# a comment\n\n" + HEAD + JOB_B.replace("    steps:\n", "    # why\n    steps:\n") + JOB_A
    _repo(tmp_path, moved)
    proc, report = run_json("check", "--baseline", "baseline.json", ".", cwd=tmp_path)
    assert proc.returncode == 0, report
    assert report["findings"] == []
    assert report["summary"]["baselined"] == len(written["findings"])
    assert report["summary"]["stale"] == 0


def test_a_new_finding_fails_even_beside_baselined_ones_of_its_rule(tmp_path):
    _repo(tmp_path, HEAD + JOB_A + JOB_B)
    written = _baseline(tmp_path)
    _repo(tmp_path, HEAD + JOB_A + JOB_B + "      - uses: actions/setup-node@v4\n")
    proc, report = run_json("check", "--baseline", "baseline.json", ".", cwd=tmp_path)
    assert proc.returncode == 1
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [("PSK001", 16)]
    assert report["summary"]["baselined"] == len(written["findings"])
    text = run_cli("check", "--baseline", "baseline.json", ".", cwd=tmp_path).stdout
    assert f"1 finding (1 medium); 1 file checked; {len(written['findings'])} baselined, 0 stale" \
        in text


def test_entries_that_match_nothing_are_counted_stale(tmp_path):
    _repo(tmp_path, HEAD + JOB_A + JOB_B)
    written = _baseline(tmp_path)
    _repo(tmp_path, HEAD + JOB_A)  # the second job, and its three findings, are gone
    proc, report = run_json("check", "--baseline", "baseline.json", ".", cwd=tmp_path)
    assert proc.returncode == 0
    assert report["summary"]["stale"] == 3
    assert report["summary"]["baselined"] == len(written["findings"]) - 3


def test_entries_for_files_not_checked_are_not_stale(tmp_path):
    """pre-commit passes only the changed files: the others' entries are not stale."""
    _repo(tmp_path, HEAD + JOB_A)
    write_tree(tmp_path, {".github/workflows/other.yml": HEAD + JOB_B})
    _baseline(tmp_path)
    proc, report = run_json("check", "--baseline", "baseline.json", WORKFLOW, cwd=tmp_path)
    assert proc.returncode == 0
    assert report["summary"]["stale"] == 0
    assert report["summary"]["baselined"] == 2


def test_sarif_partial_fingerprints_equal_the_baseline_fingerprints(tmp_path):
    _repo(tmp_path, HEAD + JOB_A + JOB_B)
    written = _baseline(tmp_path)
    sarif = json.loads(run_cli("check", "--format", "sarif", ".", cwd=tmp_path).stdout)
    results = sarif["runs"][0]["results"]
    found = sorted((r["ruleId"], r["partialFingerprints"]["platformSkills/v1"]) for r in results)
    assert found == sorted((e["rule"], e["fingerprint"]) for e in written["findings"])


def test_configuration_key_names_the_baseline_relative_to_its_file(tmp_path):
    _repo(tmp_path, HEAD + JOB_A)
    _baseline(tmp_path)
    (tmp_path / "ci").mkdir()
    (tmp_path / "baseline.json").rename(tmp_path / "ci" / "known.json")
    write_tree(tmp_path, {".platform-skills.yaml": "baseline: ci/known.json\n"})
    proc, report = run_json("check", ".", cwd=tmp_path)
    assert proc.returncode == 0, report
    assert report["summary"]["baselined"] == 2
    proc = run_cli("check", "--no-config", ".", cwd=tmp_path)
    assert proc.returncode == 1


def test_a_bad_baseline_is_an_error_naming_the_file(tmp_path):
    _repo(tmp_path, HEAD + JOB_A)
    write_tree(tmp_path, {"broken.json": "{not json", "other.json": '{"version": 7, "findings": []}'})
    for name, problem in (("broken.json", "invalid JSON"), ("other.json", "version 7"),
                          ("missing.json", "cannot read")):
        proc = run_cli("check", "--baseline", name, ".", cwd=tmp_path)
        assert proc.returncode == 2
        assert name in proc.stderr and problem in proc.stderr
        assert "Traceback" not in proc.stderr
    write_tree(tmp_path, {".platform-skills.yaml": "baseline: [a, b]\n"})
    proc = run_cli("check", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "baseline must be a file name" in proc.stderr
