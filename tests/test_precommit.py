"""The hooks as a consumer meets them: real ``pre-commit run`` on scratch repositories.

Every test points its consumer at one snapshot of this working tree with one shared store
(``hook_repo`` in conftest.py), so each hook environment is built once per session.
"""

import subprocess
import sys
from pathlib import Path

from hook_repo import PRE_COMMIT
from support import ROOT

BAD = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
       "      - uses: actions/checkout@v4\n")
GOOD = ("on: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n")


def test_hook_fails_on_findings_with_exact_lines(tmp_path, hook_repo):
    consumer = hook_repo.consumer(tmp_path, {".github/workflows/ci.yml": BAD, "README.md": "x\n"},
                                  "platform-skills")
    proc = hook_repo.run(consumer)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ".github/workflows/ci.yml:6: PSK001 unpinned-action" in proc.stdout
    assert ".github/workflows/ci.yml:3: PSK004 missing-permissions" in proc.stdout


def test_hook_passes_on_a_clean_repository(tmp_path, hook_repo):
    consumer = hook_repo.consumer(tmp_path, {".github/workflows/ci.yml": GOOD,
                                             "k8s/cm.yaml": "apiVersion: v1\nkind: ConfigMap\n"},
                                  "platform-skills")
    proc = hook_repo.run(consumer)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_hook_passes_dockerfiles_by_every_name(tmp_path, hook_repo):
    """types_or: [yaml, dockerfile]: identify tags Dockerfile, *.Dockerfile, Containerfile."""
    bad = "FROM python:3.13-slim\nRUN curl -fsSL https://example.com/install.sh | sh\n"
    consumer = hook_repo.consumer(tmp_path, {"Dockerfile": bad, "build/app.Dockerfile": bad,
                                             "Containerfile": bad, "Dockerfile.dev": bad,
                                             "Dockerfile.dockerignore": "node_modules\n"},
                                  "platform-skills")
    proc = hook_repo.run(consumer)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for name in ("Dockerfile", "build/app.Dockerfile", "Containerfile", "Dockerfile.dev"):
        assert f"{name}:1: PSK402 base-image-not-digest" in proc.stdout, name
        assert f"{name}:2: PSK405 pipe-to-shell" in proc.stdout, name
    assert "Dockerfile.dockerignore" not in proc.stdout


def test_audit_hook_runs_on_the_whole_repository(tmp_path, hook_repo):
    release = GOOD.replace("    steps:\n", "    permissions:\n      packages: write\n    steps:\n") + \
        "      - run: docker push ghcr.io/example-org/app:1.0\n"
    consumer = hook_repo.consumer(tmp_path, {".github/workflows/release.yml": release},
                                  "platform-skills-audit")
    proc = hook_repo.run(consumer)
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


def test_pin_verify_hook_runs_only_in_the_manual_stage(tmp_path, hook_repo):
    from pin_remotes import build_remotes

    remotes = tmp_path / "remotes"
    remotes.mkdir()
    commits = build_remotes(remotes)["actions/checkout"]
    lying = GOOD.replace("11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", f"{commits['C1']} # v4.2.2")
    consumer = hook_repo.consumer(tmp_path / "consumer", {".github/workflows/ci.yml": lying},
                                  "platform-skills-pin-verify")
    url = {"PLATFORM_SKILLS_GITHUB_URL": f"file://{remotes}"}
    default = hook_repo.run(consumer, "platform-skills-pin-verify", **url)
    assert default.returncode == 1  # not a hook of the commit stage: it needs the network
    assert "No hook with id `platform-skills-pin-verify` in stage `pre-commit`" in default.stdout
    manual = hook_repo.run(consumer, "--hook-stage", "manual", **url)
    assert manual.returncode == 1, manual.stdout + manual.stderr
    assert ".github/workflows/ci.yml:8: PSK009 pin-comment-mismatch" in manual.stdout


def test_hook_checks_terraform_and_helm_files(tmp_path, hook_repo):
    """The hook's environment carries the HCL parser, and Chart.yaml/values are YAML to it."""
    consumer = hook_repo.consumer(tmp_path, {
        "infra/ecr.tf": 'resource "aws_ecr_repository" "app" {\n  name = "app"\n}\n',
        "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "chart/values.yaml": "image:\n  tag: latest\n"}, "platform-skills")
    proc = hook_repo.run(consumer)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "infra/ecr.tf:1: PSK704 ecr-mutable-tags" in proc.stdout
    assert "chart/values.yaml:2: PSK602 helm-values-latest" in proc.stdout


def test_fix_hook_rewrites_the_file_and_fails_the_commit_for_review(tmp_path, hook_repo):
    workflow = GOOD.replace("permissions:\n  contents: read\n", "permissions: read-all  # why\n")
    consumer = hook_repo.consumer(tmp_path, {".github/workflows/ci.yml": workflow}, "platform-skills-fix")
    proc = hook_repo.run(consumer)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "files were modified by this hook" in proc.stdout
    fixed = (consumer / ".github/workflows/ci.yml").read_text()
    assert fixed == GOOD.replace("permissions:\n", "permissions:  # why\n")


def test_audit_hook_reads_terraform_without_advice_it_cannot_follow(tmp_path, hook_repo):
    """The audit walks *.tf files too: its environment carries the HCL parser, so no file is
    skipped, and nothing tells a pre-commit user to pip install an extra."""
    consumer = hook_repo.consumer(tmp_path, {
        ".github/workflows/ci.yml": GOOD,
        "infra/ecr.tf": 'resource "aws_ecr_repository" "app" {\n  name = "app"\n}\n'},
        "platform-skills-audit")
    proc = hook_repo.run(consumer)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "skipped" not in output and "pip install" not in output
