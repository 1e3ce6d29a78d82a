"""PSK908: pins (actions by SHA, images by digest) and the update configurations that keep
them fresh: Dependabot entries and directories, Renovate in each of its file locations."""

import pytest

from platform_skills import audit
from platform_skills.registry import all_rules
from support import run_cli, run_json, write_tree

SHA = "08c6903cd8c0fde910a37f88322edcfb5dd907a8"
DIGEST = "sha256:" + "0" * 64
WORKFLOW = f"""\
on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@{SHA} # v5.0.0
      - run: make test
"""
DOCKERFILE = f"FROM alpine:3.20@{DIGEST}\nRUN true\n"
PINNED = {".github/workflows/ci.yml": WORKFLOW, "Dockerfile": DOCKERFILE}


def _dependabot(*entries):
    text = "version: 2\nupdates:\n"
    for ecosystem, directory in entries:
        text += (f"  - package-ecosystem: {ecosystem}\n    directory: {directory}\n"
                 "    schedule:\n      interval: weekly\n")
    return text


def _gap(tmp_path, monkeypatch, files, root="."):
    """The PSK908 finding of an audit of ``files`` (None when there is none), and the run."""
    write_tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    result, gaps = audit.run(root, all_rules(), jobs=1)
    assert result.errors == []
    found = [g for g in gaps if g.rule.id == "PSK908"]
    assert len(found) <= 1
    return (found[0] if found else None), result


def test_neither_dependabot_nor_renovate_names_both_halves(tmp_path, monkeypatch):
    gap, _ = _gap(tmp_path, monkeypatch, PINNED)
    assert gap.message == (
        "actions are pinned by commit SHA (1 pin in 1 file: .github/workflows/ci.yml:8) and "
        "nothing keeps them fresh: no Dependabot configuration and no Renovate configuration; "
        "images are pinned by digest (1 pin in 1 file: Dockerfile:1) and nothing keeps them "
        "fresh: no Dependabot configuration and no Renovate configuration")
    assert [(r.path, r.line) for r in gap.related] == [(".github/workflows/ci.yml", 8),
                                                        ("Dockerfile", 1)]


def test_a_repository_that_pins_nothing_has_no_row(tmp_path, monkeypatch):
    files = {".github/workflows/ci.yml": WORKFLOW.replace(f"{SHA} # v5.0.0", "v5"),
             "Dockerfile": "FROM alpine:3.20\n"}
    gap, result = _gap(tmp_path, monkeypatch, files)
    assert gap is None
    assert [row.rule.id for row in audit.applicable_rows(result.facts)] == []


@pytest.mark.parametrize("entries, stale", [
    ([("github-actions", "/")], ["images"]),
    ([("docker", "/")], ["actions"]),
    ([("github-actions", "/"), ("docker", "/")], []),
    ([("github-actions", "/.github/workflows"), ("docker", "/")], []),
    ([("github-actions", "/src"), ("docker", "/src")], ["actions", "images"]),
    ([("npm", "/")], ["actions", "images"]),
])
def test_dependabot_entries_and_directories(tmp_path, monkeypatch, entries, stale):
    files = {**PINNED, ".github/dependabot.yml": _dependabot(*entries)}
    gap, _ = _gap(tmp_path, monkeypatch, files)
    message = gap.message if gap else ""
    assert ("actions are pinned" in message) == ("actions" in stale)
    assert ("images are pinned" in message) == ("images" in stale)


def test_the_message_says_what_the_dependabot_file_lacks(tmp_path, monkeypatch):
    files = {**PINNED, ".github/dependabot.yml": _dependabot(("npm", "/"), ("docker", "/src"))}
    gap, _ = _gap(tmp_path, monkeypatch, files)
    assert ".github/dependabot.yml has no `github-actions` entry (it updates docker, npm)" in gap.message
    assert ".github/dependabot.yml:7 reads only /src" in gap.message
    assert (".github/dependabot.yml", 7, "docker updates read /src") in \
        [(r.path, r.line, r.note) for r in gap.related]


def test_composite_actions_need_their_own_directory(tmp_path, monkeypatch):
    action = ("name: setup\nruns:\n  using: composite\n  steps:\n"
              f"    - uses: actions/setup-go@{SHA} # v6.0.0\n")
    files = {".github/workflows/ci.yml": WORKFLOW, ".github/actions/setup/action.yml": action,
             ".github/dependabot.yml": _dependabot(("github-actions", "/"))}
    gap, _ = _gap(tmp_path, monkeypatch, files)
    assert "1 pin in 1 file: .github/actions/setup/action.yml:5" in gap.message
    listed = files[".github/dependabot.yml"].replace(
        "directory: /\n", "directories:\n      - /\n      - /.github/actions/*\n")
    gap, _ = _gap(tmp_path, monkeypatch, {**files, ".github/dependabot.yml": listed})
    assert gap is None


def test_an_entry_with_no_open_pull_requests_updates_nothing(tmp_path, monkeypatch):
    text = _dependabot(("github-actions", "/")) + "    open-pull-requests-limit: 0\n"
    files = {".github/workflows/ci.yml": WORKFLOW, ".github/dependabot.yml": text}
    gap, _ = _gap(tmp_path, monkeypatch, files)
    assert ".github/dependabot.yml:3 sets `open-pull-requests-limit: 0`" in gap.message


RENOVATE = '{"extends": ["config:recommended"]}\n'


@pytest.mark.parametrize("where, text", [
    ("renovate.json", RENOVATE), ("renovate.json5", RENOVATE),
    (".github/renovate.json", RENOVATE), (".github/renovate.json5", RENOVATE),
    (".gitlab/renovate.json", RENOVATE), (".gitlab/renovate.json5", RENOVATE),
    (".renovaterc", RENOVATE), (".renovaterc.json", RENOVATE), (".renovaterc.json5", RENOVATE),
    ("package.json", '{"name": "app", "renovate": {"extends": ["config:recommended"]}}\n'),
])
def test_renovate_in_each_location_keeps_pins_fresh(tmp_path, monkeypatch, where, text):
    gap, _ = _gap(tmp_path, monkeypatch, {**PINNED, where: text})
    assert gap is None


def test_renovate_json5_with_comments_that_turns_itself_off(tmp_path, monkeypatch):
    text = ("// Renovate, paused while we migrate\n{\n  extends: ['config:recommended',\n"
            "    'github>example-org/renovate-config', ],\n  /* everything */ enabled: false,\n}\n")
    gap, _ = _gap(tmp_path, monkeypatch, {**PINNED, "renovate.json5": text})
    assert ("renovate.json5:5 sets `enabled: false` (extends config:recommended, "
            "github>example-org/renovate-config)") in gap.message
    assert gap.message.count("renovate.json5:5") == 2  # actions and images


def test_renovate_managers_it_leaves_out(tmp_path, monkeypatch):
    text = '{\n  "enabledManagers": ["dockerfile"]\n}\n'
    gap, _ = _gap(tmp_path, monkeypatch, {**PINNED, "renovate.json": text})
    assert "actions are pinned" in gap.message and "images are pinned" not in gap.message
    assert "renovate.json:2 leaves `github-actions` out of `enabledManagers`" in gap.message
    text = '{"github-actions": {"enabled": false}}'
    gap, _ = _gap(tmp_path, monkeypatch, {**PINNED, "renovate.json": text})
    assert "images are pinned" not in gap.message
    assert 'sets `"github-actions": {"enabled": false}`' in gap.message


def test_renovate_reads_manifests_only_when_told_which(tmp_path, monkeypatch):
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
           f"spec:\n  containers:\n    - name: c\n      image: nginx:1.27@{DIGEST}\n")
    files = {"deploy/pod.yaml": pod, "renovate.json": RENOVATE}
    gap, _ = _gap(tmp_path, monkeypatch, files)
    assert gap.message.startswith("images are pinned by digest (1 pin in 1 file: deploy/pod.yaml:7)")
    assert "no `managerFilePatterns`" in gap.message
    told = '{"extends": ["config:recommended"], "kubernetes": {"managerFilePatterns": ["/deploy/.+\\\\.yaml$/"]}}'
    assert _gap(tmp_path, monkeypatch, {**files, "renovate.json": told})[0] is None
    # A preset we cannot read may configure it: trusted, and named when it does not.
    shared = '{"extends": ["github>example-org/renovate-config"]}'
    assert _gap(tmp_path, monkeypatch, {**files, "renovate.json": shared})[0] is None


def test_both_bots_configured_is_fine(tmp_path, monkeypatch):
    files = {**PINNED, "renovate.json": RENOVATE,
             ".github/dependabot.yml": _dependabot(("github-actions", "/"))}
    assert _gap(tmp_path, monkeypatch, files)[0] is None


def test_only_the_audited_folder_s_configuration_counts(tmp_path, monkeypatch):
    files = {**PINNED, "tests/fixtures/renovate.json": RENOVATE,
             "tests/fixtures/.github/dependabot.yml": _dependabot(("github-actions", "/"))}
    gap, _ = _gap(tmp_path, monkeypatch, files)
    assert "no Dependabot configuration and no Renovate configuration" in gap.message
    # Audit a sub-folder as its own repository: its configuration is the one read.
    sub = {f"svc/{k}": v for k, v in PINNED.items()}
    sub["svc/.github/dependabot.yml"] = _dependabot(("github-actions", "/"), ("docker", "/"))
    gap, _ = _gap(tmp_path / "other", monkeypatch, sub, root="svc")
    assert gap is None


def test_update_configurations_through_the_cli(tmp_path):
    write_tree(tmp_path, {**PINNED, "renovate.json": '{"extends": [\n'})
    proc, data = run_json("audit", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert data["errors"] == [{"path": "renovate.json",
                               "message": "invalid JSON5 at line 2: unexpected end of text"}]
    # A package.json recognised by content that does not parse is skipped, not an error.
    (tmp_path / "renovate.json").unlink()
    (tmp_path / "package.json").write_text('{"renovate": {,}}')
    proc, data = run_json("audit", ".", cwd=tmp_path)
    assert data["errors"] == [] and [s["path"] for s in data["skipped"]] == ["package.json"]
    assert [f["rule"] for f in data["findings"]] == ["PSK908"]
    text = run_cli("audit", ".", cwd=tmp_path).stdout
    assert "7     Pins kept fresh  PSK908  medium    GAP" in text
    assert "7. Keep pins fresh: actions are pinned" in text
    # check reads no update configuration: the file rules are unchanged (the broken JSON is
    # skipped with its reason, as any unparsable file whose kind cannot be told).
    proc, data = run_json("check", ".", "--no-config", cwd=tmp_path)
    assert data["summary"]["files"] == 2
    assert [s["path"] for s in data.get("skipped", [])] == ["package.json"]


def test_the_rule_s_own_examples(tmp_path, monkeypatch):
    from platform_skills.registry import get_rule

    rule = get_rule("PSK908")
    gap, _ = _gap(tmp_path, monkeypatch, {".github/workflows/ci.yml": rule.bad})
    assert gap is not None and "ci.yml:10" in gap.message
    files = {".github/workflows/ci.yml": rule.bad, ".github/dependabot.yml": rule.good}
    assert _gap(tmp_path, monkeypatch, files)[0] is None


def test_dependabot_never_updates_images_in_workflows(tmp_path, monkeypatch):
    job = WORKFLOW.replace("    steps:", f"    container:\n      image: node:22@{DIGEST}\n    steps:")
    files = {".github/workflows/ci.yml": job,
             ".github/dependabot.yml": _dependabot(("github-actions", "/"), ("docker", "/"),
                                                   ("docker", "/.github/workflows"))}
    gap, _ = _gap(tmp_path, monkeypatch, files)
    assert gap.message == (
        "images are pinned by digest (1 pin in 1 file: .github/workflows/ci.yml:8) and nothing "
        "keeps them fresh: Dependabot does not update images in workflow or action files and no "
        "Renovate configuration")
    # Renovate's github-actions manager reads job and service containers.
    assert _gap(tmp_path, monkeypatch, {**files, "renovate.json": RENOVATE})[0] is None


UPDATE_FILES = (".github/dependabot.yml", ".github/dependabot.yaml", "renovate.json",
                "renovate.json5", ".github/renovate.json", ".renovaterc.json", "package.json")


def _titled_blocks(page):
    """``(line, title, text)`` of every fenced block titled as an update configuration."""
    import re

    source = page.read_text()
    for match in re.finditer(r'^```\w+ title="([^"]+)"\n(.*?)^```', source, re.M | re.S):
        if match.group(1) in UPDATE_FILES:
            yield source.count("\n", 0, match.start()) + 1, match.group(1), match.group(2)


def test_the_handbook_s_update_configurations_keep_a_pinned_repository_fresh(tmp_path, monkeypatch):
    """Every Dependabot or Renovate example on the GitHub Actions page parses, and in a
    repository pinning actions (workflow and composite action), a base image and a manifest
    image, it closes PSK908; the same repository without it has the gap."""
    from support import ROOT

    action = ("name: setup\nruns:\n  using: composite\n  steps:\n"
              f"    - uses: actions/setup-go@{SHA} # v6.0.0\n")
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
           f"spec:\n  containers:\n    - name: c\n      image: nginx:1.27@{DIGEST}\n")
    repo = {**PINNED, ".github/actions/setup/action.yml": action, "deploy/pod.yaml": pod}
    blocks = list(_titled_blocks(ROOT / "references" / "github-actions.md"))
    assert {title for _, title, _ in blocks} >= {".github/dependabot.yml", "renovate.json"}
    assert _gap(tmp_path / "bare", monkeypatch, repo)[0] is not None
    for line, title, text in blocks:
        gap, _ = _gap(tmp_path / f"block-{line}", monkeypatch, {**repo, title: text})
        assert gap is None, f"github-actions.md:{line} ({title}) leaves {gap.message}"


def test_pins_in_samples_and_test_data_are_not_counted(tmp_path, monkeypatch):
    files = {"tests/fixtures/.github/workflows/ci.yml": WORKFLOW,  # a fixture repository
             "docs/examples/ci.yml": WORKFLOW,  # workflow-shaped, never run by GitHub
             "e2e/Dockerfile": DOCKERFILE, "policy/.chainsaw-test/Dockerfile": DOCKERFILE,
             "site/static/pod.yaml": (
                 "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                 f"spec:\n  containers:\n    - name: c\n      image: nginx:1.27@{DIGEST}\n")}
    gap, result = _gap(tmp_path, monkeypatch, files)
    assert gap is None and "pins" not in result.facts
    # What the repository itself runs still counts, wherever its composite actions live.
    action = ("name: a\nruns:\n  using: composite\n  steps:\n"
              f"    - uses: actions/setup-go@{SHA} # v6.0.0\n")
    gap, _ = _gap(tmp_path, monkeypatch, {**files, "tools/release/action.yml": action})
    assert "1 pin in 1 file: tools/release/action.yml:5" in gap.message


def test_hostile_update_configurations_are_per_file_errors(tmp_path):
    write_tree(tmp_path, {**PINNED, "renovate.json": "[" * 100000,
                          ".github/renovate.json": '["not", "an", "object"]',
                          ".github/dependabot.yml": "- just\n- a list\n"})
    (tmp_path / "renovate.json5").write_bytes(b'{"a": "\x00"}')
    proc, data = run_json("audit", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert sorted((e["path"], e["message"]) for e in data["errors"]) == [
        (".github/dependabot.yml", "a Dependabot configuration must be a mapping at the top "
                                   "level, found a sequence at line 1"),
        (".github/renovate.json", "a Renovate configuration must be a JSON object at the top level"),
        ("renovate.json", "invalid JSON5 at line 1: nesting too deep"),
        ("renovate.json5", "binary content (NUL bytes); not a text file")]
    # The pins are still read, and no configuration that failed to read counts.
    assert [f["rule"] for f in data["findings"]] == ["PSK908"]


def test_the_table_of_a_repository_that_pins_but_ships_no_image(tmp_path):
    write_tree(tmp_path, {".github/workflows/ci.yml": WORKFLOW})
    text = run_cli("audit", ".", cwd=tmp_path).stdout
    assert text.startswith("No workflow publishes a container image and no Flux source pulls OCI "
                           "artifacts, so the supply-chain part of the table does not apply; only "
                           "the housekeeping row below does.\n\nSupply-chain gap table")
    assert "7. Keep pins fresh: actions are pinned" in text and "Step 4" not in text
    write_tree(tmp_path, {".github/dependabot.yml": _dependabot(("github-actions", "/"))})
    text = run_cli("audit", ".", cwd=tmp_path).stdout
    assert "7     Pins kept fresh  PSK908  medium    ok" in text
    assert "No gaps: an update configuration keeps the repository's pins fresh." in text
