"""Messages a user meets on day one: usage errors, guesses, annotations, advice."""

import os

import pytest

from support import run_cli, run_json, write_tree

UNPINNED = ("on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
            "    permissions:\n      contents: read\n    steps:\n      - uses: actions/checkout@v4\n")


@pytest.mark.parametrize("value", ["0", "-3", "two"])
def test_jobs_below_one_or_not_a_number_is_a_usage_error(tmp_path, value):
    write_tree(tmp_path, {".github/workflows/ci.yml": UNPINNED})
    for command in ("check", "audit"):
        proc = run_cli(command, "--jobs", value, cwd=tmp_path)
        assert proc.returncode == 2, (command, proc.stderr)
        assert "--jobs" in proc.stderr and "Traceback" not in proc.stderr
        assert proc.stdout == ""


def test_jobs_are_clamped_to_cores_and_files():
    from platform_skills.engine import workers

    cores = os.cpu_count() or 1
    assert workers(200, 450) == min(200, cores)
    assert workers(None, 450) == cores
    assert workers(8, 1) == 1
    assert workers(None, 0) == 1


@pytest.mark.parametrize("typed, meant", [
    ("PSK10l", "PSK101"), ("psk1O1", "PSK101"), ("PSKl0l", "PSK101"), ("PSK3O1", "PSK301"),
    ("cosign-by-tagg", "cosign-by-tag"),
])
def test_did_you_mean_reads_look_alike_letters_as_digits(typed, meant):
    proc = run_cli("rule", typed)
    assert proc.returncode == 2
    assert f"did you mean {meant}?" in proc.stderr, proc.stderr


def test_audit_of_a_missing_path_says_it_does_not_exist(tmp_path):
    proc = run_cli("audit", "no-such-repo", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no-such-repo: does not exist" in proc.stderr
    (tmp_path / "a-file").write_text("x\n")
    assert "a-file: not a directory" in run_cli("audit", "a-file", cwd=tmp_path).stderr


def test_parse_error_annotations_carry_a_line(tmp_path):
    write_tree(tmp_path, {".github/workflows/bad.yml": "on: push\njobs:\n  a: [\n"})
    (tmp_path / ".github/workflows/binary.yml").write_bytes(b"on: push\n\xff\xfe\n")
    proc = run_cli("check", ".", "--format", "github", cwd=tmp_path)
    assert proc.returncode == 2
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    assert errors and all(",line=" in line for line in errors), errors
    yaml_error = next(line for line in errors if "bad.yml" in line)
    assert "line=4," in yaml_error  # where the YAML parser stopped (end of file)
    undecodable = next(line for line in errors if "binary.yml" in line)
    assert "line=1," in undecodable and "UTF-8" in undecodable  # no line known: the first


def test_config_flag_names_one_file_for_every_path(tmp_path):
    write_tree(tmp_path, {".github/workflows/ci.yml": UNPINNED,
                          "settings/strict.yaml": "trusted-owners: [actions]\n",
                          ".platform-skills.yaml": "ignore: [PSK004]\n"})
    (tmp_path / ".git").mkdir()
    _, nearest = run_json("check", ".", cwd=tmp_path)
    assert [f["rule"] for f in nearest["findings"]] == ["PSK001"]
    proc, named = run_json("check", ".", "--config", "settings/strict.yaml", cwd=tmp_path)
    assert proc.returncode == 0 and named["findings"] == []
    missing = run_cli("check", ".", "--config", "nope.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.yaml: no such configuration file" in missing.stderr
    both = run_cli("check", ".", "--config", "settings/strict.yaml", "--no-config", cwd=tmp_path)
    assert both.returncode == 2 and "exclude each other" in both.stderr


def test_audit_checks_files_with_their_nearest_configuration(tmp_path):
    """A nested configuration governs its files in the audit as in check: the PSK001
    roll-up of a publishing repository counts only the workflow no setting trusts."""
    publishing = UNPINNED.replace("contents: read\n", "contents: read\n      packages: write\n") + \
        "      - run: docker push ghcr.io/example-org/app:1.0\n"
    write_tree(tmp_path, {".github/workflows/ci.yml": publishing,
                          "svc/.github/workflows/ci.yml": publishing,
                          "svc/.platform-skills.yaml": "trusted-owners: [actions]\n"})
    (tmp_path / ".git").mkdir()
    _, checked = run_json("check", ".", cwd=tmp_path)
    assert {f["path"] for f in checked["findings"] if f["rule"] == "PSK001"} == \
        {".github/workflows/ci.yml"}
    _, audited = run_json("audit", ".", cwd=tmp_path)
    rollup = [f["message"] for f in audited["findings"] if f["rule"] == "PSK001"]
    assert rollup == ["1 PSK001 finding: .github/workflows/ci.yml:10"]


def test_hcl_parser_advice_fits_where_the_run_happens(monkeypatch):
    from platform_skills import parsers

    monkeypatch.delenv("PRE_COMMIT", raising=False)
    assert "pip install" in parsers.hcl_advice()
    monkeypatch.setenv("PRE_COMMIT", "1")  # what `pre-commit run` sets for its hooks
    advice = parsers.hcl_advice()
    assert "additional_dependencies" in advice and "pip install" not in advice
