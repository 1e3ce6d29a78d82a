"""Checkov reads the configuration the CLI reads: one repository with nested settings, the
CLI and real Checkov (through ``platform-skills-checkov``) report the same (rule, file)
pairs, and every configured silence holds in both. Checkov runs once for the scenario."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support import run_cli, run_json, write_tree

HOOK = Path(sys.executable).with_name("platform-skills-checkov")
# PSK304 (host network) and PSK301 (latest tag, no digest) fire.
LATEST = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n"
          "    spec:\n      hostNetwork: true\n      containers:\n        - name: app\n"
          "          image: nginx:latest\n")
TAGGED = LATEST.replace("nginx:latest", "nginx:1.27")  # PSK302 (tag, no digest), not PSK301
WORKFLOW = """name: ci
on: push
permissions: read-all
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: my-org/setup-tool@v2
      - uses: {third_party}
"""
SCENARIO = {
    # The root settings: a trusted owner, an ignored rule, an excluded folder.
    ".platform-skills.yaml": "trusted-owners: [my-org]\nignore: [PSK019]\nexclude: [legacy]\n",
    ".github/workflows/trusted.yml": WORKFLOW.replace("      - uses: {third_party}\n", ""),
    ".github/workflows/third-party.yml": WORKFLOW.format(third_party="actions/checkout@v4"),
    "services/web/deploy.yaml": LATEST.format(name="web"),
    # A per-folder ignore: the nearest file wins whole (so PSK019 is not ignored here).
    "services/api/.platform-skills.yaml": "ignore: [PSK301]\n",
    "services/api/deploy.yaml": LATEST.format(name="api"),
    "services/api/ci/lint.yml": WORKFLOW.replace("      - uses: {third_party}\n", ""),
    # [tool.platform-skills] in a pyproject.toml counts as a configuration file too.
    "services/worker/pyproject.toml": "[project]\nname = 'worker'\n\n"
                                      "[tool.platform-skills]\nselect = ['PSK3']\nignore = ['PSK302']\n",
    "services/worker/deploy.yaml": TAGGED.format(name="worker"),
    "services/worker/ci.yml": WORKFLOW.format(third_party="actions/checkout@v4"),
    # Excluded from above, though it holds settings of its own.
    "legacy/.platform-skills.yaml": "ignore: [PSK019]\n",
    "legacy/deploy.yaml": LATEST.format(name="legacy"),
    "legacy/old.yml": WORKFLOW.format(third_party="actions/checkout@v3"),
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("configured"), SCENARIO)
    (root / ".git").mkdir()  # the repository root: settings are not looked up above it
    return root


def cli_pairs(repo, *extra):
    proc, data = run_json("check", ".", *extra, cwd=repo)
    assert data["errors"] == [], data["errors"]
    return {(f["rule"], f["path"]) for f in data["findings"]}


@pytest.fixture(scope="module")
def checkov_pairs(repo):
    proc = subprocess.run([str(HOOK), "-o", "json"], cwd=repo, capture_output=True, text=True,
                          timeout=600)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    reports = json.loads(proc.stdout)
    pairs = set()
    for report in reports if isinstance(reports, list) else [reports]:
        for failed in report.get("results", {}).get("failed_checks", []):
            pairs.add(("PSK" + failed["check_id"][len("CKV_PSK_"):], failed["file_path"].lstrip("/")))
    return pairs


def test_cli_and_checkov_report_the_same_pairs(repo, checkov_pairs):
    ours = cli_pairs(repo)
    assert ours, "the scenario must raise findings"
    assert ours == checkov_pairs, f"CLI only: {ours - checkov_pairs}; Checkov only: {checkov_pairs - ours}"


def test_configured_silences_hold_in_both(repo, checkov_pairs):
    unconfigured = cli_pairs(repo, "--no-config")
    for pairs in (cli_pairs(repo), checkov_pairs):
        files = {path for _, path in pairs}
        # Each silence removes something that fires without the settings.
        for silenced in [("PSK001", ".github/workflows/trusted.yml"),       # trusted owner
                         ("PSK019", ".github/workflows/third-party.yml"),   # ignored rule
                         ("PSK301", "services/api/deploy.yaml"),            # per-folder ignore
                         ("PSK302", "services/worker/deploy.yaml"),         # pyproject ignore
                         ("PSK001", "services/worker/ci.yml"),              # pyproject select
                         ("PSK301", "legacy/deploy.yaml")]:                 # excluded folder
            assert silenced in unconfigured and silenced not in pairs, silenced
        assert not any(path.startswith("legacy/") for path in files)
        # What the settings leave alone still fires.
        assert {("PSK001", ".github/workflows/third-party.yml"),
                ("PSK301", "services/web/deploy.yaml"),
                ("PSK304", "services/api/deploy.yaml"),
                ("PSK304", "services/worker/deploy.yaml")} <= pairs
        # The nearest file wins whole: the root's PSK019 ignore does not reach services/api.
        assert ("PSK019", "services/api/ci/lint.yml") in pairs
        # select: [PSK3] in services/worker keeps every other rule off its files.
        assert all(rule.startswith("PSK3") for rule, path in pairs if path.startswith("services/worker/"))


def test_a_bad_configuration_stops_the_hook_before_checkov(tmp_path):
    """Exit status 2 and the file's name, as in the CLI; Checkov never starts."""
    write_tree(tmp_path, {"app/.platform-skills.yaml": "ignore: [PSK999]\n",
                          "app/deploy.yaml": LATEST.format(name="app")})
    (tmp_path / ".git").mkdir()
    hook = subprocess.run([str(HOOK)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    cli = run_cli("check", ".", cwd=tmp_path)
    assert hook.returncode == cli.returncode == 2
    for proc in (hook, cli):
        assert "app/.platform-skills.yaml" in proc.stderr and "PSK999" in proc.stderr
    assert "Traceback" not in hook.stderr and hook.stdout == ""


def test_settings_inside_an_excluded_folder_are_not_read(tmp_path, monkeypatch):
    """As in the CLI's walk, which never enters an excluded folder."""
    from platform_skills.checkov_hook import check_settings

    write_tree(tmp_path, {".platform-skills.yaml": "exclude: [legacy]\n",
                          "legacy/.platform-skills.yaml": "ignore: [PSK999]\n",
                          "legacy/deploy.yaml": LATEST.format(name="old"),
                          "app/deploy.yaml": LATEST.format(name="app")})
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    assert check_settings([]) is None
    assert run_cli("check", ".", cwd=tmp_path).returncode == 1  # findings in app/ only
    (tmp_path / "app" / ".platform-skills.yaml").write_text("fail-on: sometimes\n")
    assert "app/.platform-skills.yaml" in check_settings(["-d", "."])
