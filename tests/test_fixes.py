"""Safe fixes: they remove the finding, keep every other byte, and a second run does nothing."""

import difflib
import re

import pytest
import yaml

from platform_skills import fixer
from platform_skills.registry import all_rules, get_rule
from support import run_cli, write_tree

FIXABLE = ("PSK011", "PSK012", "PSK014", "PSK019", "PSK308", "PSK310")
FILE_RULES = [r for r in all_rules() if r.scope == "file"]
_BLOCK_START = re.compile(r"[|>][-+0-9]*\s*$")


def _fix(name, text, rules=FILE_RULES):
    return fixer.fix_text(name, text, rules)


def _ids(name, text, rule_id):
    from platform_skills import engine, loader

    doc, problem = loader.document(name, text)
    assert doc is not None, problem
    return [f for f in engine.check_document(doc, FILE_RULES)[0] if f.rule.id == rule_id]


def _commented(text):
    """``text`` with a numbered comment after every line that can carry one."""
    out, block = [], None
    for number, line in enumerate(text.split("\n")):
        indent = len(line) - len(line.lstrip(" "))
        if block is not None and (not line.strip() or indent > block):
            out.append(line)  # inside a block scalar a "#" would be content, not a comment
            continue
        block = indent if _BLOCK_START.search(line) else None
        out.append(f"{line}  # c{number}" if line.strip() and block is None else line)
    return "\n".join(out)


def test_the_fixable_rules_are_the_contracts():
    assert tuple(r.id for r in all_rules() if r.fixable) == FIXABLE


@pytest.mark.parametrize("rule_id", FIXABLE)
@pytest.mark.parametrize("commented", [False, True], ids=["as-is", "commented"])
def test_fix_on_the_bad_example_removes_the_finding_and_keeps_everything_else(rule_id, commented):
    rule = get_rule(rule_id)
    name = rule.example_name or f"{rule.anchor}-bad.yml"
    before = _commented(rule.bad) if commented else rule.bad
    assert _ids(name, before, rule_id), "the bad example must be flagged"
    outcome = _fix(name, before)
    assert outcome.changed and outcome.fixed >= 1
    assert _ids(name, outcome.text, rule_id) == []
    list(yaml.safe_load_all(outcome.text))  # still valid YAML
    comments = re.findall(r"# c\d+\b", before)
    assert sorted(re.findall(r"# c\d+\b", outcome.text)) == sorted(comments)
    removed = [line for line in difflib.ndiff(before.split("\n"), outcome.text.split("\n"))
               if line.startswith("- ")]
    assert len(removed) <= 1, removed  # one value rewritten at most; the rest are new lines
    again = _fix(name, outcome.text)
    assert not again.changed and again.fixed == 0


def test_the_rule_page_shows_the_generated_diff():
    proc = run_cli("rule", "PSK019")
    assert proc.returncode == 0
    assert "fixable   yes" in proc.stdout
    assert "-permissions: read-all\n    +permissions:\n    +  contents: read" in proc.stdout
    assert "fixable" not in run_cli("rule", "PSK001").stdout


WORKFLOW = """\
on: pull_request_target
permissions: {}
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - name: Greet  # the greeting
        env:
          TITLE: fixed
        run: |
          echo "title: ${{ github.event.pull_request.title }}"
          echo 'again' "${{ github.event.pull_request.title }}" "${{ github.event.issue.body }}"
          printf '%s' ${{ github.event.issue.title }}
          echo '${{ github.event.comment.body }}'
"""


def test_injection_fix_adds_to_an_existing_env_reuses_names_and_leaves_unquoted_ones():
    outcome = _fix(".github/workflows/label.yml", WORKFLOW)
    text = outcome.text
    assert "          PULL_REQUEST_TITLE: ${{ github.event.pull_request.title }}\n" \
           "          TITLE: fixed\n" in text
    assert text.count("PULL_REQUEST_TITLE: ") == 1  # one entry for both uses of it
    assert 'echo "title: $PULL_REQUEST_TITLE"' in text
    assert "\"$PULL_REQUEST_TITLE\" \"$ISSUE_BODY\"" in text
    # Unquoted (word splitting would change) and single-quoted (no expansion) stay.
    assert "printf '%s' ${{ github.event.issue.title }}" in text
    assert "echo '${{ github.event.comment.body }}'" in text
    assert outcome.left == 2
    assert "- name: Greet  # the greeting\n" in text


def test_injection_fix_reads_past_here_strings_but_not_into_heredocs():
    here_string = WORKFLOW.replace("          printf", "          read -r x <<< \"$y\"\n          printf")
    assert "$ISSUE_BODY" in _fix(".github/workflows/label.yml", here_string).text
    heredoc = WORKFLOW.replace("        run: |\n", "        run: |\n          cat <<EOF\n          EOF\n")
    assert not _fix(".github/workflows/label.yml", heredoc).changed


def test_injection_fix_picks_a_name_nothing_else_uses():
    text = WORKFLOW.replace("TITLE: fixed", "PULL_REQUEST_TITLE: taken")
    out = _fix(".github/workflows/label.yml", text).text
    assert "PULL_REQUEST_TITLE_2: ${{ github.event.pull_request.title }}" in out
    assert 'echo "title: $PULL_REQUEST_TITLE_2"' in out


@pytest.mark.parametrize("change", [
    ("runs-on: ubuntu-latest", "runs-on: windows-latest"),       # PowerShell by default
    ("runs-on: ubuntu-latest", "runs-on: ${{ matrix.os }}"),      # unknown runner
    ("      - name: Greet", "      - shell: pwsh\n        name: Greet"),
    ("        env:\n          TITLE: fixed\n", "        env: {TITLE: fixed}\n"),  # flow style
])
def test_injection_fix_is_skipped_where_it_is_not_safe(change):
    text = WORKFLOW.replace(*change)
    outcome = _fix(".github/workflows/label.yml", text)
    assert "${{ github.event.pull_request.title }}\"" in outcome.text
    assert not outcome.changed


MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    spec:
      containers:
        - name: api    # the server
          image: registry.example.com/api:1.0
        - name: sidecar
          image: registry.example.com/sidecar:1.0
          securityContext:
            allowPrivilegeEscalation: true
            capabilities:
              add: ["NET_BIND_SERVICE"]
        - name: flow
          image: registry.example.com/flow:1.0
          securityContext: {runAsNonRoot: true}
"""


def test_pod_security_fixes_build_what_is_missing_and_keep_add():
    outcome = _fix("deploy.yaml", MANIFEST)
    assert outcome.text.startswith(MANIFEST.split("          image: registry.example.com/api")[0])
    assert """\
          image: registry.example.com/api:1.0
          securityContext:
            capabilities:
              drop: ["ALL"]
            allowPrivilegeEscalation: false
""" in outcome.text
    assert """\
            allowPrivilegeEscalation: false
            capabilities:
              drop: ["ALL"]
              add: ["NET_BIND_SERVICE"]
""" in outcome.text
    # The flow-style securityContext cannot be edited in one place: its findings stay.
    assert "          securityContext: {runAsNonRoot: true}\n" in outcome.text
    assert outcome.left == 2
    assert not _fix("deploy.yaml", outcome.text).changed


def test_anchored_settings_are_not_edited():
    text = MANIFEST.replace("          securityContext:\n            allowPrivilegeEscalation: true",
                            "          securityContext: &shared\n            allowPrivilegeEscalation: true")
    outcome = _fix("deploy.yaml", text, [get_rule("PSK308")])
    assert "allowPrivilegeEscalation: true" in outcome.text


def test_checkout_fix_adds_to_with_or_creates_it_and_rewrites_true():
    text = get_rule("PSK014").bad
    with_input = text.replace("# v4.2.2\n", "# v4.2.2\n        with:\n          fetch-depth: 0\n", 1)
    out = _fix(".github/workflows/release.yml", with_input).text
    assert "        with:\n          persist-credentials: false\n          fetch-depth: 0\n" in out
    explicit = text.replace("# v4.2.2\n", "# v4.2.2\n        with:\n          persist-credentials: 'true'\n", 1)
    out = _fix(".github/workflows/release.yml", explicit).text
    assert "          persist-credentials: false\n" in out and "'true'" not in out


def test_checkout_fix_is_skipped_when_a_later_step_talks_to_the_remote():
    text = get_rule("PSK014").bad.replace("      - run: python -m build\n",
                                          "      - run: git fetch --tags && python -m build\n")
    outcome = _fix(".github/workflows/release.yml", text)
    assert not outcome.changed and outcome.left == 1


def test_crlf_files_keep_their_line_endings(tmp_path):
    text = get_rule("PSK019").bad.replace("\n", "\r\n")
    path = write_tree(tmp_path, {".github/workflows/ci.yml": ""}) / ".github/workflows/ci.yml"
    path.write_bytes(text.encode())
    proc = run_cli("check", "--fix", ".", cwd=tmp_path)
    data = path.read_bytes()
    assert b"permissions:\r\n  contents: read\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    assert proc.returncode == 0, proc.stdout


def test_diff_writes_nothing_and_fix_writes_what_diff_showed(tmp_path):
    files = {".github/workflows/ci.yml": get_rule("PSK019").bad,
             "deploy/api.yaml": get_rule("PSK308").bad}
    write_tree(tmp_path, files)
    (tmp_path / ".git").mkdir()
    proc = run_cli("check", "--diff", ".", cwd=tmp_path)
    assert proc.returncode == 1
    assert "+++ b/.github/workflows/ci.yml" in proc.stdout and "+++ b/deploy/api.yaml" in proc.stdout
    assert "2 findings fixable in 2 files" in proc.stderr
    for rel, text in files.items():
        assert (tmp_path / rel).read_text() == text
    proc = run_cli("check", "--fix", "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert '"fixed": 2' in proc.stdout
    assert (tmp_path / "deploy/api.yaml").read_text() != files["deploy/api.yaml"]
    again = run_cli("check", "--diff", ".", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == ""


def test_fix_and_diff_together_is_a_usage_error(tmp_path):
    proc = run_cli("check", "--fix", "--diff", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "choose one" in proc.stderr


def test_unsafe_fixes_is_accepted_and_changes_nothing_yet(tmp_path):
    write_tree(tmp_path, {"deploy/api.yaml": get_rule("PSK308").bad})
    safe = run_cli("check", "--diff", ".", cwd=tmp_path).stdout
    unsafe = run_cli("check", "--diff", "--unsafe-fixes", ".", cwd=tmp_path).stdout
    assert safe == unsafe != ""
