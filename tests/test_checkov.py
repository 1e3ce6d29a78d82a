"""The same rules inside real Checkov: parity with the native engine, and a lazy CLI."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import CORPUS, ROOT, run_cli, run_json, write_tree

CHECKOV = Path(sys.executable).with_name("checkov")
FRAMEWORKS = ("github_actions", "kubernetes", "yaml", "dockerfile", "terraform")
# Frameworks that report a whole object's or block's range: the finding must lie inside it.
WHOLE_RANGE = ("kubernetes", "terraform")
# Rules Checkov cannot reach: PSK703 reads the `terraform` block, which Checkov 3.3's
# terraform framework never hands to a check (it runs resource, data, provider and module
# checks only).
NOT_IN_CHECKOV = {"PSK703"}


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
    ours = {(f["rule"], f["path"]) for f in native["findings"] if f["rule"] not in NOT_IN_CHECKOV}
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
        if all(kind not in WHOLE_RANGE for kind, _, _ in ranges):
            assert checkov_first == first[key], key
        else:  # the document's or block's range: the finding must lie inside it
            assert any(start <= first[key] <= end for _, start, end in ranges), key


def test_every_file_rule_is_registered_in_checkov(parity):
    from platform_skills.registry import all_rules

    _, checkov = parity
    assert {rule for rule, _ in checkov} >= {r.id for r in all_rules()
                                             if r.scope == "file"} - NOT_IN_CHECKOV


def test_checkov_frameworks_match_the_hook_script():
    from platform_skills.checkov_hook import FRAMEWORKS as HOOK

    assert tuple(HOOK) == FRAMEWORKS


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


HOOK = Path(sys.executable).with_name("platform-skills-checkov")
DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
              "    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n")


def _hook(cwd, *args, env=None):
    return subprocess.run([str(HOOK), *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env=env)


def test_checkov_hook_runs_only_our_checks_by_default(tmp_path):
    """Checkov's own checks would flag the Deployment many times over; the hook shows ours."""
    shutil.copytree(CORPUS / ".github", tmp_path / ".github")
    write_tree(tmp_path, {"k8s/web.yaml": DEPLOYMENT})
    proc = _hook(tmp_path)
    assert proc.returncode == 1, proc.stderr[-2000:]
    ids = set(re.findall(r"^Check: (\S+?):", proc.stdout, re.M))
    assert {"CKV_PSK_001", "CKV_PSK_301"} <= ids
    assert {i for i in ids if not i.startswith("CKV_PSK_")} == set()
    assert "workflows/pinning.yml:11-12" in proc.stdout


def test_checkov_hook_adds_no_selection_when_the_user_chooses(tmp_path):
    write_tree(tmp_path, {"k8s/web.yaml": DEPLOYMENT})
    proc = _hook(tmp_path, "--skip-check", "CKV_PSK_302", "-o", "json")
    reports = json.loads(proc.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    ids = {c["check_id"] for r in reports for c in r["results"]["failed_checks"]}
    assert "CKV_PSK_301" in ids and "CKV_PSK_302" not in ids
    assert any(i.startswith("CKV_K8S_") for i in ids)  # Checkov's own checks run too


@pytest.mark.parametrize("argv, env, config, ours", [
    ([], {}, None, True),
    (["-o", "sarif", "-d", "src"], {}, None, True),
    (["--check", "CKV_PSK_101"], {}, None, False),
    (["--check=CKV_K8S_8"], {}, None, False),
    (["-cCKV_K8S_8"], {}, None, False),
    (["-c", "HIGH"], {}, None, False),
    (["--skip-check", "CKV_PSK_002"], {}, None, False),
    ([], {"CKV_SKIP_CHECK": "CKV_PSK_002"}, None, False),
    ([], {}, "skip-check:\n  - CKV_K8S_8\n", False),
    ([], {}, "framework: [kubernetes]\n", True),
])
def test_checkov_hook_selection(tmp_path, monkeypatch, argv, env, config, ours):
    from platform_skills.checkov_hook import OUR_CHECKS, command

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if config is not None:
        (tmp_path / ".checkov.yaml").write_text(config)
    args = command(argv, env)
    ours_part, users = args[:len(args) - len(argv)], args[len(args) - len(argv):]
    assert users == argv  # the user's arguments come last, unchanged
    assert (ours_part[-2:] == ["--check", OUR_CHECKS]) is ours
    assert ("--check" in ours_part) is ours
