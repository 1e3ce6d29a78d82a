"""``platform-skills pin`` against real bare git repositories served through file://."""

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
from pin_remotes import build_remotes, git

from support import ROOT, run_cli, write_tree


@pytest.fixture(scope="module")
def remotes(tmp_path_factory):
    base = tmp_path_factory.mktemp("remotes")
    shas = build_remotes(base)
    return f"file://{base}", shas


@pytest.fixture
def url(remotes):
    return remotes[0]


@pytest.fixture
def sha(remotes):
    shas = remotes[1]
    return {"co": shas["actions/checkout"], "tool": shas["example/tool"]}


STEP = "jobs:\n  a:\n    steps:\n      - uses: {}\n"


def pin(*args, cwd, env=None):
    return run_cli("pin", *args, cwd=cwd, env=env)


WORKFLOW = """\
name: ci
on: push
permissions:
  contents: read
jobs:
  reuse:
    uses: example/tool/.github/workflows/build.yml@v1.0.0
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout@v4.1.0
      - uses: 'actions/checkout@v5'   # v5
      - name: a branch
        uses: example/tool@feature
      - uses: actions/checkout/subdir@release-4 # a note that stays
      - {uses: actions/checkout@main, with: {fetch-depth: 0}}
      - uses: ./.github/actions/local
"""

ACTION = """\
name: local
runs:
  using: composite
  steps:
    - uses: "actions/checkout@v4.2"
"""


def test_rewrites_tags_and_branches_with_the_most_specific_version_comment(tmp_path, url, sha):
    co, tool = sha["co"], sha["tool"]
    write_tree(tmp_path, {".github/workflows/ci.yml": WORKFLOW,
                          ".github/actions/local/action.yml": ACTION})
    proc = pin("--github-url", url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == f"""\
name: ci
on: push
permissions:
  contents: read
jobs:
  reuse:
    uses: example/tool/.github/workflows/build.yml@{tool['C1']} # v1.0.0
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@{co['C2']} # v4.2.2
      - uses: actions/checkout@{co['C1']} # v4.1.0
      - uses: 'actions/checkout@{co['C3']}'   # v5.0.0
      - name: a branch
        uses: example/tool@{tool['C2']} # feature
      - uses: actions/checkout/subdir@{co['C2']} # release-4 # a note that stays
      - {{uses: actions/checkout@{co['C3']}, with: {{fetch-depth: 0}}}} # main
      - uses: ./.github/actions/local
"""
    assert (tmp_path / ".github/actions/local/action.yml").read_text() == ACTION.replace(
        '"actions/checkout@v4.2"', f'"actions/checkout@{co["C2"]}" # v4.2.2')
    out = proc.stdout.splitlines()
    assert ".github/actions/local/action.yml:5: actions/checkout@v4.2 -> " \
           f"actions/checkout@{co['C2']} # v4.2.2" in out
    assert f".github/workflows/ci.yml:11: actions/checkout@v4 -> actions/checkout@{co['C2']} # v4.2.2" in out
    assert out[-1] == "pinned 8 references in 2 files; 2 files read, 2 remotes asked"
    # the result passes the offline checks it exists for
    check = run_cli("check", ".", "--select", "PSK001", "--no-config", cwd=tmp_path)
    assert check.returncode == 0, check.stdout


def test_annotated_tags_are_peeled_to_their_commit(tmp_path, url, sha):
    tag_object = git("ls-remote", f"{url}/actions/checkout", "refs/tags/v4.1.0", cwd=tmp_path).split()[0]
    assert tag_object != sha["co"]["C1"]  # the tag object is not the commit
    write_tree(tmp_path, {".github/workflows/a.yml": STEP.format("actions/checkout@v4.1.0")})
    assert pin("--github-url", url, cwd=tmp_path).returncode == 0
    assert f"@{sha['co']['C1']} # v4.1.0" in (tmp_path / ".github/workflows/a.yml").read_text()


def test_a_second_run_changes_nothing(tmp_path, url):
    write_tree(tmp_path, {".github/workflows/ci.yml": WORKFLOW,
                          ".github/actions/local/action.yml": ACTION})
    assert pin("--github-url", url, cwd=tmp_path).returncode == 0
    first = {p: p.read_bytes() for p in tmp_path.rglob("*.yml")}
    again = pin("--github-url", url, cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout.strip() == "nothing to pin; 2 files read, 0 remotes asked"
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.yml")} == first


def test_verify_reports_comments_that_name_another_commit(tmp_path, url, sha):
    co, tool = sha["co"], sha["tool"]
    text = f"""\
jobs:
  a:
    steps:
      - uses: actions/checkout@{co['C1']} # v4.2.2
      - uses: actions/checkout@{co['C2']} # v4.2.2
      - uses: actions/checkout@{co['C2']} # 4.2.2
      - uses: actions/checkout@{co['C3']}
      - uses: example/tool@{tool['C1']} # tag=v1.0.0
      - uses: actions/checkout@{co['C1']} # v5.0.0 # platform-skills: ignore[PSK009] vendored fork, reviewed
      - uses: actions/checkout@v4
"""
    write_tree(tmp_path, {".github/workflows/ci.yml": text})
    proc = pin("--verify", "--github-url", url, "--format", "json", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert data["errors"] == []
    assert [(f["rule"], f["line"], f["message"]) for f in data["findings"]] == [
        ("PSK009", 4, f"'actions/checkout' is pinned to {co['C1'][:12]}, but its comment names "
                      f"v4.2.2, which is {co['C2'][:12]}; {co['C1'][:12]} is v4.1.0"),
        ("PSK009", 6, f"'actions/checkout' is pinned to {co['C2'][:12]} with the comment '4.2.2', "
                      f"which is not a tag of its repository; {co['C2'][:12]} is v4, v4.2, v4.2.2"),
    ]
    assert data["findings"][0]["severity"] == "medium"
    assert data["findings"][0]["name"] == "pin-comment-mismatch"
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == text  # never rewritten
    text_out = pin("--verify", "--github-url", url, cwd=tmp_path)
    assert text_out.returncode == 1
    assert text_out.stdout.startswith(".github/workflows/ci.yml:4: PSK009 pin-comment-mismatch [medium] ")
    honest = text.replace(f"{co['C1']} # v4.2.2", f"{co['C1']} # v4.1.0").replace("# 4.2.2", "# v4.2.2")
    write_tree(tmp_path, {".github/workflows/ci.yml": honest})
    clean = pin("--verify", "--github-url", url, cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout
    assert clean.stdout.strip() == "0 findings; 1 file checked"


def test_verify_sarif_and_unreachable_repository(tmp_path, url, sha):
    write_tree(tmp_path, {".github/workflows/ci.yml": f"""\
jobs:
  a:
    steps:
      - uses: actions/checkout@{sha['co']['C1']} # v4.2.2
      - uses: missing/repo@{sha['co']['C1']} # v1.0.0
"""})
    proc = pin("--verify", "--github-url", url, "--format", "sarif", cwd=tmp_path)
    assert proc.returncode == 2  # an error outranks the finding, as in check
    sarif = json.loads(proc.stdout)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["PSK009"]
    text = pin("--verify", "--github-url", url, cwd=tmp_path).stdout
    assert ".github/workflows/ci.yml: error: line 5: cannot verify 'missing/repo@" in text


def test_the_slsa_generator_keeps_its_release_tag(tmp_path, url):
    text = """\
jobs:
  provenance:
    uses: slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@v2.1.0
  other:
    uses: slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2
"""
    write_tree(tmp_path, {".github/workflows/release.yml": text})
    proc = pin("--github-url", url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".github/workflows/release.yml").read_text() == text
    assert "0 remotes asked" in proc.stdout  # not even looked up
    assert proc.stderr.strip() == (
        ".github/workflows/release.yml:5: note: 'slsa-framework/slsa-github-generator/.github/"
        "workflows/generator_generic_slsa3.yml@v2' is left alone: reference the SLSA generator "
        "by a vX.Y.Z release tag, not a SHA (PSK130)")


TRUSTED = """\
jobs:
  a:
    steps:
      - uses: example-org/internal-action@v2
      - uses: other-org/tooling@v1
      - uses: actions/checkout@v4
"""


@pytest.mark.parametrize("config", [
    (".platform-skills.yaml", "trusted-owners: [example-org, other-org/tool*]\n"),
    (".platform-skills.yaml", "rules:\n  PSK001:\n    trusted-owners: [Example-Org, other-org/tooling]\n"),
    ("pyproject.toml", '[tool.platform-skills]\ntrusted-owners = ["example-*", "other-org/tooling"]\n'),
], ids=["top-level", "under-psk001", "pyproject"])
def test_trusted_owners_keep_their_tags(tmp_path, url, sha, config):
    write_tree(tmp_path, {".github/workflows/ci.yml": TRUSTED, config[0]: config[1]})
    proc = pin("--github-url", url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == TRUSTED.replace(
        "actions/checkout@v4", f"actions/checkout@{sha['co']['C2']} # v4.2.2")
    assert "1 remote asked" in proc.stdout
    # and without the configuration they are pinned (and, absent here, fail)
    untrusted = pin("--github-url", url, "--no-config", "--diff", cwd=tmp_path)
    assert untrusted.returncode == 2
    assert "cannot pin 'example-org/internal-action@v2'" in untrusted.stderr


def test_bad_trusted_owners_setting_is_a_usage_error(tmp_path, url):
    write_tree(tmp_path, {".github/workflows/ci.yml": TRUSTED,
                          ".platform-skills.yaml": "rules:\n  PSK001:\n    trusted-owner: [x]\n"})
    proc = pin("--github-url", url, cwd=tmp_path)
    assert proc.returncode == 2
    assert "unknown option 'trusted-owner'" in proc.stderr and ".platform-skills.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == TRUSTED


def test_suppressed_lines_are_left_alone(tmp_path, url, sha):
    text = """\
jobs:
  a:
    container: localhost:1/unreachable:1.0 # platform-skills: ignore[PSK017] a throwaway build image
    steps:
      # platform-skills: ignore[PSK001] internal mirror, tags are immutable there
      - uses: example-org/mirror@v2
      - uses: example-org/other@v3  # platform-skills: ignore[PSK0] reviewed in #12
      - uses: actions/checkout@v4  # platform-skills: ignore[PSK013] unrelated rule
"""
    write_tree(tmp_path, {".github/workflows/ci.yml": text})
    proc = pin("--github-url", url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == text.replace(
        "actions/checkout@v4  #", f"actions/checkout@{sha['co']['C2']} # v4.2.2  #")


def test_an_unresolvable_reference_fails_the_run_but_not_the_others(tmp_path, url, sha):
    text = """\
jobs:
  a:
    steps:
      - uses: missing/repo@v1
      - uses: actions/checkout@v99
      - uses: actions/checkout@abc1234
      - uses: actions/checkout@v4
"""
    write_tree(tmp_path, {".github/workflows/ci.yml": text,
                          ".github/workflows/other.yml": STEP.format("example/tool@v1.0.0")})
    proc = pin("--github-url", url, cwd=tmp_path)
    assert proc.returncode == 2
    errors = proc.stderr.splitlines()
    assert errors[0].startswith(".github/workflows/ci.yml:4: error: cannot pin 'missing/repo@v1': "
                                f"git ls-remote {url}/missing/repo failed: ")
    assert "does not appear to be a git repository" in errors[0]
    assert errors[1:] == [
        ".github/workflows/ci.yml:5: error: cannot pin 'actions/checkout@v99': "
        "actions/checkout has no tag or branch named 'v99'",
        ".github/workflows/ci.yml:6: error: cannot pin 'actions/checkout@abc1234': 'abc1234' looks "
        "like a short SHA, which the git protocol cannot expand; write the full 40-character SHA",
    ]
    assert "Traceback" not in proc.stderr
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == text.replace(
        "actions/checkout@v4", f"actions/checkout@{sha['co']['C2']} # v4.2.2")
    assert f"example/tool@{sha['tool']['C1']} # v1.0.0" in (tmp_path / ".github/workflows/other.yml").read_text()
    assert proc.stdout.splitlines()[-1] == "pinned 2 references in 2 files; 2 files read, 3 remotes asked, 3 errors"
    leftovers = [p.name for p in (tmp_path / ".github/workflows").iterdir()]
    assert sorted(leftovers) == ["ci.yml", "other.yml"]  # no temporary file left behind


def test_line_endings_byte_order_mark_and_permissions_survive(tmp_path, url, sha):
    path = tmp_path / ".github/workflows/ci.yml"
    path.parent.mkdir(parents=True)
    original = ("\ufeffjobs:\r\n  a:\r\n    steps:\r\n      - uses: actions/checkout@v4\r\n"
                "      - uses:   actions/checkout@v4.1.0\t# v4.1\r\n").encode("utf-8")
    path.write_bytes(original)
    path.chmod(0o640)
    link = tmp_path / ".github/workflows/link.yml"
    link.symlink_to("ci.yml")
    proc = pin("--github-url", url, str(link), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    co = sha["co"]
    assert path.read_bytes() == (
        f"\ufeffjobs:\r\n  a:\r\n    steps:\r\n      - uses: actions/checkout@{co['C2']} # v4.2.2\r\n"
        f"      - uses:   actions/checkout@{co['C1']}\t# v4.1.0\r\n").encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert link.is_symlink()  # the link still points at the file it named


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_owner_group_and_hard_links_survive(tmp_path, url, sha):
    """Run as root (as in a container), pin must not take a file over, nor cut its links."""
    write_tree(tmp_path, {".github/workflows/a.yml": STEP.format("actions/checkout@v4"),
                          ".github/workflows/b.yml": STEP.format("actions/checkout@v4.1.0")})
    owned, linked = tmp_path / ".github/workflows/a.yml", tmp_path / ".github/workflows/b.yml"
    os.chown(owned, 4321, 8765)
    owned.chmod(0o604)
    other = tmp_path / "elsewhere.yml"
    os.link(linked, other)
    inode = linked.stat().st_ino
    proc = pin("--github-url", url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    co = sha["co"]
    assert owned.read_text() == STEP.format(f"actions/checkout@{co['C2']} # v4.2.2")
    status = owned.stat()
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (4321, 8765, 0o604)
    assert other.read_text() == linked.read_text() == STEP.format(
        f"actions/checkout@{co['C1']} # v4.1.0")
    assert linked.stat().st_ino == inode and linked.stat().st_nlink == 2
    assert sorted(p.name for p in owned.parent.iterdir()) == ["a.yml", "b.yml"]


def test_diff_prints_a_patch_and_writes_nothing(tmp_path, url):
    write_tree(tmp_path, {".github/workflows/ci.yml": WORKFLOW,
                          ".github/actions/local/action.yml": ACTION})
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.rglob("*.yml")}
    proc = pin("--diff", "--github-url", url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.rglob("*.yml")} == before
    assert proc.stdout.startswith("--- a/.github/actions/local/action.yml\n+++ b/.github/actions/local/action.yml\n")
    assert proc.stderr.strip().endswith("would pin 8 references in 2 files; 2 files read, 2 remotes asked")
    # the patch is exactly what pin writes
    copy = tmp_path.parent / (tmp_path.name + "-copy")
    shutil.copytree(tmp_path, copy)
    subprocess.run(["git", "apply", "-"], input=proc.stdout, text=True, cwd=copy, check=True)
    assert pin("--github-url", url, cwd=tmp_path).returncode == 0
    assert {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*.yml")} == \
           {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.yml")}


def test_github_url_from_the_environment_and_both_repository_layouts(tmp_path, url, sha):
    # actions/checkout is stored as checkout.git, example/tool as a bare "tool" folder
    write_tree(tmp_path, {".github/workflows/ci.yml": "jobs:\n  a:\n    steps:\n"
                                                      "      - uses: actions/checkout@v5\n"
                                                      "      - uses: example/tool@main\n"})
    env = {**os.environ, "PLATFORM_SKILLS_GITHUB_URL": url + "/"}
    proc = pin(cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / ".github/workflows/ci.yml").read_text()
    assert f"actions/checkout@{sha['co']['C3']} # v5.0.0\n" in text  # the release, not -rc.1
    assert f"example/tool@{sha['tool']['C1']} # main\n" in text


def test_each_remote_is_listed_once_per_run(tmp_path, url, sha):
    real_git = shutil.which("git")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "git.log"
    shim = bin_dir / "git"
    shim.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real_git} "$@"\n')
    shim.chmod(0o755)
    repo = tmp_path / "repo"
    files = {f".github/workflows/w{i}.yml": WORKFLOW for i in range(12)}
    write_tree(repo, files)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    proc = pin("--github-url", url, "--jobs", "4", cwd=repo, env=env)
    assert proc.returncode == 0, proc.stderr
    calls = sorted(log.read_text().splitlines())
    assert calls == [f"ls-remote --tags --heads -- {url}/actions/checkout",
                     f"ls-remote --tags --heads -- {url}/example/tool"]
    assert proc.stdout.splitlines()[-1] == "pinned 84 references in 12 files; 12 files read, 2 remotes asked"


def test_plan_computes_every_edit_and_writes_nothing(tmp_path, url):
    from platform_skills.pin.command import plan

    write_tree(tmp_path, {f"w{i}/.github/workflows/ci.yml": WORKFLOW for i in range(3)})
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.yml")}
    result = plan([str(tmp_path)], github_url=url, jobs=2)
    assert result.remotes == 2
    assert result.errors == []
    assert len(result.files) == 3 and all(len(f.changes) == 7 for f in result.files)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.yml")} == before


@pytest.mark.parametrize("args, message", [
    (("--github-url", "github.com"), "--github-url must be a URL"),
    (("--format", "json"), "--format applies to --verify"),
    (("--jobs", "0"), "--jobs must be at least 1"),
    (("--timeout", "0"), "--timeout must be more than 0"),
    (("--github-url", "ghe.example.com/?token=s3cr3t-value"), "'ghe.example.com/?token=***'"),
    (("missing-dir",), "missing-dir: error: no such file or directory"),
])
def test_usage_errors_are_reported_and_nothing_is_written(tmp_path, monkeypatch, capsys, args, message):
    from platform_skills.cli import main

    write_tree(tmp_path, {".github/workflows/ci.yml": WORKFLOW})
    monkeypatch.chdir(tmp_path)
    assert main(["pin", *args]) == 2
    assert message in capsys.readouterr().err
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == WORKFLOW


def test_diff_and_verify_exclude_each_other(tmp_path):
    both = pin("--diff", "--verify", cwd=tmp_path)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    assert "Traceback" not in both.stderr


def test_broken_files_are_errors_and_templates_are_skipped(tmp_path, url):
    write_tree(tmp_path, {".github/workflows/bad.yml": "jobs: [\n",
                          "chart/Chart.yaml": "apiVersion: v2\n",
                          "chart/templates/deploy.yaml": "image: {{ .Values.image }}\n",
                          ".github/workflows/ok.yml": STEP.format("actions/checkout@v4")})
    (tmp_path / "Dockerfile").write_bytes(b"FROM \x00\xff\n")
    proc = pin("--github-url", url, cwd=tmp_path)
    assert proc.returncode == 2
    assert ".github/workflows/bad.yml: error: invalid YAML" in proc.stderr
    assert "Dockerfile: error: binary content" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "# v4.2.2" in (tmp_path / ".github/workflows/ok.yml").read_text()


def test_check_and_audit_never_load_the_pin_package():
    code = ("import sys; from platform_skills.cli import main; "
            f"main(['check', {str(ROOT / 'examples')!r}, '--format', 'json']); "
            f"main(['audit', {str(ROOT / 'examples' / 'insecure-pipeline')!r}]); main(['rules']); "
            "print(sorted(m for m in sys.modules if m.startswith('platform_skills.pin') "
            "or m in ('urllib.request', 'http.client')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stderr


def test_pin_help_lists_its_options():
    proc = run_cli("pin", "--help")
    assert proc.returncode == 0
    for option in ("--verify", "--diff", "--github-url", "--jobs", "--format"):
        assert option in proc.stdout
    assert "pin" in run_cli("--help").stdout


def test_an_aliased_reference_is_rewritten_once(tmp_path, url, sha):
    text = ("jobs:\n  a:\n    steps:\n      - &co {uses: actions/checkout@v4.1.0}\n      - *co\n"
            "  b:\n    steps: [*co]\n")
    write_tree(tmp_path, {".github/workflows/ci.yml": text})
    proc = pin("--github-url", url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == text.replace(
        "{uses: actions/checkout@v4.1.0}", f"{{uses: actions/checkout@{sha['co']['C1']}}} # v4.1.0")
