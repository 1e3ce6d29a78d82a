"""The same rules inside real Checkov: parity with the native engine, and a lazy CLI."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support import CORPUS, ROOT, run_cli, run_json

CHECKOV = Path(sys.executable).with_name("checkov")


def checkov_failures(target):
    """``{(rule, file): [(first line, last line), ...]}`` from Checkov with our checks."""
    checks_dir = run_cli("checkov-dir").stdout.strip()
    proc = subprocess.run(
        [str(CHECKOV), "-d", ".", "--external-checks-dir", checks_dir, "--skip-download",
         "--framework", "github_actions", "kubernetes", "yaml", "dockerfile", "-o", "json", "--quiet"],
        cwd=target, capture_output=True, text=True, timeout=600)
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
