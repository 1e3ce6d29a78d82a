"""Rule texts are Markdown; every plain-text surface shows them without Markdown markers."""

import json

import pytest

from platform_skills.plaintext import plain
from platform_skills.registry import all_rules
from support import ROOT, run_cli, write_tree

MARKERS = ("`", "**", "](")


@pytest.mark.parametrize("markdown, text", [
    ("set `id-token: write`", "set id-token: write"),
    ("**never** sign a tag", "never sign a tag"),
    ("**use `cosign sign`**", "use cosign sign"),
    ("read [the guide](https://example.com/g) first", "read the guide (https://example.com/g) first"),
    ("see [Pinning](../references/github-actions.md#pinning)", "see Pinning"),
    ("<https://example.com/x>", "https://example.com/x"),
    ("[https://example.com](https://example.com)", "https://example.com"),
    ("`**not bold**` stays", "**not bold** stays"),
    ("``a ` b``", "a ` b"),
    # what is not inline Markdown passes through untouched
    ("deploy/dev/** and *.yaml", "deploy/dev/** and *.yaml"),
    ("image@${{ steps.build.outputs.digest }}", "image@${{ steps.build.outputs.digest }}"),
    ("", ""),
])
def test_plain(markdown, text):
    assert plain(markdown) == text


def test_rule_texts_lose_their_markers():
    """The records do use code spans; the helper leaves none of them behind."""
    texts = [t for r in all_rules() for t in (r.summary, r.rationale, r.fix)]
    assert any("`" in t for t in texts)
    assert not [t for t in texts if any(m in plain(t) for m in MARKERS)]


def test_sarif_text_fields_are_plain_and_markdown_fields_keep_markdown(tmp_path):
    write_tree(tmp_path, {".github/workflows/ci.yml":
                          "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n"
                          "      - uses: actions/checkout@v4\n"})
    sarif = json.loads(run_cli("check", ".", "--format", "sarif", cwd=tmp_path).stdout)
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    texts = [r[field]["text"] for r in rules for field in ("shortDescription", "fullDescription", "help")]
    texts += [r["message"]["text"] for r in run["results"]]
    assert texts and not [t for t in texts if "`" in t]
    assert any("`" in r["help"]["markdown"] for r in rules)  # the Markdown field keeps it
    assert all("**Fix:**" in r["help"]["markdown"] for r in rules)


def test_audit_text_and_json_fix_are_plain():
    demo = ROOT / "examples" / "insecure-pipeline"
    text = run_cli("audit", ".", "--no-config", cwd=demo).stdout
    assert "fix:" in text and "`" not in text
    data = json.loads(run_cli("check", ".", "--no-config", "--format", "json", cwd=demo).stdout)
    assert data["findings"] and all(f["fix"] and "`" not in f["fix"] for f in data["findings"])


def test_checkov_check_names_are_plain():
    """The adapters as Checkov registers them: every name is the plain summary."""
    from platform_skills.checkov.adapters import CHECKS

    assert CHECKS
    assert not [c.id for c in CHECKS if any(m in c.name for m in MARKERS)]
    by_id = {c.id: c.name for c in CHECKS}
    for rule in all_rules():
        if rule.checkov_id in by_id:
            assert by_id[rule.checkov_id] == plain(rule.summary)
