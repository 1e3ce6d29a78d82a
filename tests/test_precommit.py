"""The hooks as a consumer meets them: real ``pre-commit try-repo`` on a scratch repository."""

import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, write_tree

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _consumer(path, files):
    write_tree(path, files)
    _git(path, "init", "-q")
    _git(path, "add", ".")
    return path


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(consumer, hook, home):
    env = {"PRE_COMMIT_HOME": str(home), "PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent),
           "HOME": str(home), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    return subprocess.run([*PRE_COMMIT, "try-repo", str(ROOT), hook, "--all-files"],
                          cwd=consumer, capture_output=True, text=True, env=env, timeout=600)


BAD = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
       "      - uses: actions/checkout@v4\n")
GOOD = ("on: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n")


def test_hook_fails_on_findings_with_exact_lines(tmp_path, pre_commit_home):
    consumer = _consumer(tmp_path, {".github/workflows/ci.yml": BAD, "README.md": "x\n"})
    proc = _try_repo(consumer, "platform-skills", pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ".github/workflows/ci.yml:6: PSK001 unpinned-action" in proc.stdout
    assert ".github/workflows/ci.yml:3: PSK004 missing-permissions" in proc.stdout


def test_hook_passes_on_a_clean_repository(tmp_path, pre_commit_home):
    consumer = _consumer(tmp_path, {".github/workflows/ci.yml": GOOD,
                                    "k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\n"})
    proc = _try_repo(consumer, "platform-skills", pre_commit_home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_hook_passes_dockerfiles_by_every_name(tmp_path, pre_commit_home):
    """types_or: [yaml, dockerfile]: identify tags Dockerfile, *.Dockerfile, Containerfile."""
    bad = "FROM python:3.13-slim\nRUN curl -fsSL https://example.com/install.sh | sh\n"
    consumer = _consumer(tmp_path, {"Dockerfile": bad, "build/app.Dockerfile": bad,
                                    "Containerfile": bad, "Dockerfile.dev": bad,
                                    "Dockerfile.dockerignore": "node_modules\n"})
    proc = _try_repo(consumer, "platform-skills", pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for name in ("Dockerfile", "build/app.Dockerfile", "Containerfile", "Dockerfile.dev"):
        assert f"{name}:1: PSK402 base-image-not-digest" in proc.stdout, name
        assert f"{name}:2: PSK405 pipe-to-shell" in proc.stdout, name
    assert "Dockerfile.dockerignore" not in proc.stdout


def test_audit_hook_runs_on_the_whole_repository(tmp_path, pre_commit_home):
    release = GOOD.replace("    steps:\n", "    permissions:\n      packages: write\n    steps:\n") + \
        "      - run: docker push ghcr.io/example-org/app:1.0\n"
    consumer = _consumer(tmp_path, {".github/workflows/release.yml": release})
    proc = _try_repo(consumer, "platform-skills-audit", pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "No image signing" in proc.stdout and "GAP" in proc.stdout


def test_the_projects_own_hooks_pass(tmp_path):
    """yamllint, ruff and the project's own check on examples/, as a contributor runs them."""
    env = {"PRE_COMMIT_HOME": str(tmp_path), "HOME": str(tmp_path),
           "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    proc = subprocess.run([*PRE_COMMIT, "run", "--all-files"], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "platform-skills check (own workflows, action and examples)" in proc.stdout


def test_pin_verify_hook_runs_only_in_the_manual_stage(tmp_path, pre_commit_home):
    from pin_remotes import build_remotes

    remotes = tmp_path / "remotes"
    remotes.mkdir()
    commits = build_remotes(remotes)["actions/checkout"]
    lying = GOOD.replace("11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", f"{commits['C1']} # v4.2.2")
    consumer = _consumer(tmp_path / "consumer", {".github/workflows/ci.yml": lying})
    env = {"PRE_COMMIT_HOME": str(pre_commit_home), "HOME": str(pre_commit_home),
           "PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent),
           "PLATFORM_SKILLS_GITHUB_URL": f"file://{remotes}"}
    run = [*PRE_COMMIT, "try-repo", str(ROOT), "platform-skills-pin-verify", "--all-files"]
    default = subprocess.run(run, cwd=consumer, capture_output=True, text=True, env=env, timeout=600)
    assert default.returncode == 1  # not a hook of the commit stage: it needs the network
    assert "No hook with id `platform-skills-pin-verify` in stage `pre-commit`" in default.stdout
    manual = subprocess.run([*run, "--hook-stage", "manual"], cwd=consumer, capture_output=True,
                            text=True, env=env, timeout=600)
    assert manual.returncode == 1, manual.stdout + manual.stderr
    assert ".github/workflows/ci.yml:8: PSK009 pin-comment-mismatch" in manual.stdout


def test_hook_checks_terraform_and_helm_files(tmp_path, pre_commit_home):
    """The hook's environment carries the HCL parser, and Chart.yaml/values are YAML to it."""
    consumer = _consumer(tmp_path, {
        "infra/ecr.tf": 'resource "aws_ecr_repository" "app" {\n  name = "app"\n}\n',
        "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "chart/values.yaml": "image:\n  tag: latest\n"})
    proc = _try_repo(consumer, "platform-skills", pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "infra/ecr.tf:1: PSK704 ecr-mutable-tags" in proc.stdout
    assert "chart/values.yaml:2: PSK602 helm-values-latest" in proc.stdout


def test_audit_hook_reads_terraform_without_advice_it_cannot_follow(tmp_path, pre_commit_home):
    """The audit walks *.tf files too: its environment carries the HCL parser, so no file is
    skipped, and nothing tells a pre-commit user to pip install an extra."""
    consumer = _consumer(tmp_path, {
        ".github/workflows/ci.yml": GOOD,
        "infra/ecr.tf": 'resource "aws_ecr_repository" "app" {\n  name = "app"\n}\n'})
    proc = _try_repo(consumer, "platform-skills-audit", pre_commit_home)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "skipped" not in output and "pip install" not in output
