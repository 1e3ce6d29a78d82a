"""The same rules inside real Checkov: parity with the native engine, and a lazy CLI."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support import CORPUS, ROOT, run_cli, run_json

CHECKOV = Path(sys.executable).with_name("checkov")


def checkov_failures(target):
    """``{(rule, file): [(framework, first line, last line), ...]}`` from Checkov run the way
    the ``platform-skills-checkov`` hook runs it (its arguments and its environment)."""
    from platform_skills.checkov_hook import command, environment

    args = command(["-o", "json"])
    assert Path(args[0]) == CHECKOV and run_cli("checkov-dir").stdout.strip() in args
    proc = subprocess.run(args, cwd=target, capture_output=True, text=True, timeout=600,
                          env=environment())
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    reports = json.loads(proc.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    found = {}
    for report in reports:
        for failed in report.get("results", {}).get("failed_checks", []):
            if failed["check_id"].startswith("CKV_PSK_"):
                key = ("PSK" + failed["check_id"][8:], failed["file_path"].lstrip("/"))
                found.setdefault(key, []).append((report["check_type"], *failed["file_line_range"]))
    return found


@pytest.fixture(scope="module")
def parity():
    _, native = run_json("check", ".", cwd=CORPUS)
    return native, checkov_failures(CORPUS)


def test_same_rule_file_pairs_as_the_native_engine(parity):
    native, checkov = parity
    ours = {(f["rule"], f["path"]) for f in native["findings"]}
    assert ours == set(checkov), f"native only: {ours - set(checkov)}; checkov only: {set(checkov) - ours}"


def test_each_finding_comes_from_one_framework(parity):
    """The yaml fallback answers only where github_actions and kubernetes cannot."""
    _, checkov = parity
    twice = {key: ranges for key, ranges in checkov.items()
             if len({kind for kind, _, _ in ranges}) > 1}
    assert not twice, twice


def test_hidden_directories_and_schema_rejected_workflows_are_reached(parity):
    """Composite actions under .github/actions/ (Checkov skips dot directories by default)
    and workflows Checkov's own schema rejects (newer permission scopes, reusable-only jobs)
    are answered by the yaml framework."""
    _, checkov = parity
    assert {kind for kind, _, _ in checkov[("PSK012", ".github/actions/publish/action.yml")]} == {"yaml"}
    assert {kind for kind, _, _ in checkov[("PSK130", ".github/workflows/provenance-only.yml")]} == {"yaml"}
    assert {kind for kind, _, _ in checkov[("PSK130", ".github/workflows/slsa.yaml")]} == {"github_actions"}


def test_hook_environment_keeps_user_settings():
    from platform_skills.checkov_hook import environment

    env = environment({"CKV_IGNORE_HIDDEN_DIRECTORIES": "true", "CKV_IGNORED_DIRECTORIES": "build"})
    assert env["CKV_IGNORE_HIDDEN_DIRECTORIES"] == "true"
    skipped = env["CKV_IGNORED_DIRECTORIES"].split(",")
    assert skipped[0] == "build" and {".git", ".venv", "node_modules"} <= set(skipped)
    default = environment({})
    assert default["CKV_IGNORE_HIDDEN_DIRECTORIES"] == "false"
    assert {".serverless", ".terraform", ".git"} <= set(default["CKV_IGNORED_DIRECTORIES"].split(","))


def test_same_first_line_where_checkov_narrows_the_range(parity):
    native, checkov = parity
    first = {}
    for f in native["findings"]:
        key = (f["rule"], f["path"])
        first[key] = min(first.get(key, f["line"]), f["line"])
    for key, ranges in checkov.items():
        checkov_first = min(start for _, start, _ in ranges)
        if all(kind != "kubernetes" for kind, _, _ in ranges):
            assert checkov_first == first[key], key
        else:  # kubernetes reports the document's range: the finding must lie inside it
            assert any(start <= first[key] <= end for _, start, end in ranges), key


def test_every_file_rule_is_registered_in_checkov(parity):
    from platform_skills.registry import all_rules

    _, checkov = parity
    assert {rule for rule, _ in checkov} >= {r.id for r in all_rules()
                                             if r.scope == "file"}


def test_cli_path_never_imports_checkov_or_mkdocs():
    code = ("import sys; from platform_skills.cli import main; "
            f"main(['check', {str(CORPUS)!r}, '--format', 'json']); "
            "main(['audit', " + repr(str(ROOT / 'examples' / 'insecure-pipeline')) + "]); "
            "main(['checkov-dir']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('checkov', 'mkdocs')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_checkov_dir_is_loadable():
    path = Path(run_cli("checkov-dir").stdout.strip())
    assert path.is_absolute() and (path / "__init__.py").is_file() and (path / "adapters.py").is_file()


def test_checkov_hook_script_runs_checkov_with_our_checks():
    exe = Path(sys.executable).with_name("platform-skills-checkov")
    proc = subprocess.run([str(exe), "-d", str(CORPUS / ".github")], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 1
    assert "CKV_PSK_001" in proc.stdout and "workflows/pinning.yml:11-12" in proc.stdout
