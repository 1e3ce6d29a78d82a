"""YAML, Dockerfiles and HCL in the handbook and in examples/ are tested: good blocks pass,
marked mistakes fail.

Each ```yaml block is checked as ``block-<line>.yaml``, except one titled as a Helm file
(```yaml title="Chart.yaml"``` or ``values.yaml``), which is checked under that name in its
own chart directory (a chart beside a committed ``Chart.lock``; values beside a ``Chart.yaml``).
Each ```hcl block is checked as ``block-<line>/main.tf``, each ```dockerfile block as
``block-<line>/Dockerfile``.
"""

import re

import pytest

from support import ROOT, run_json, write_tree

REFERENCES = sorted((ROOT / "references").glob("*.md"))
_FENCE = re.compile(r"^```(ya?ml|hcl|dockerfile)([^\n]*)\n(.*?)^```", re.M | re.S)
_MARKER = re.compile(r"<!--\s*platform-skills:\s*bad\s+((?:PSK\d{3}\s*)+)-->\s*$")
_TITLE = re.compile(r'title="([^"]+)"')
_HELM_FILES = {"Chart.yaml": ("Chart.lock", "dependencies: []\ndigest: sha256:0\n"),
               "values.yaml": ("Chart.yaml", "apiVersion: v2\nname: example\nversion: 0.1.0\n")}


def example_blocks(path):
    """``(line, file name, text, expected rule set or None)`` for every fenced YAML, HCL or
    Dockerfile block, each under the name the checks read it by."""
    source = path.read_text()
    for match in _FENCE.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        before = source[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.search(before)
        title = _TITLE.search(match.group(2))
        if match.group(1) == "hcl":
            name = f"block-{line}/main.tf"
        elif match.group(1) == "dockerfile":
            name = f"block-{line}/Dockerfile"
        elif title and title.group(1) in _HELM_FILES:
            name = f"block-{line}/{title.group(1)}"
        else:
            name = f"block-{line}.yaml"
        yield line, name, match.group(3), set(marker.group(1).split()) if marker else None


def _tree(blocks):
    files = {}
    for _, name, text, _ in blocks:
        files[name] = text
        sibling = _HELM_FILES.get(name.rsplit("/", 1)[-1])
        if sibling:
            files[name.rsplit("/", 1)[0] + "/" + sibling[0]] = sibling[1]
    return files


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda p: p.name)
def test_reference_example_blocks(reference, tmp_path):
    blocks = list(example_blocks(reference))
    assert blocks, f"{reference.name} has no YAML, HCL or Dockerfile examples"
    write_tree(tmp_path, _tree(blocks))
    _, data = run_json("check", ".", "--no-config", cwd=tmp_path)
    assert data["errors"] == [], data["errors"]
    raised = {}
    for f in data["findings"]:
        raised.setdefault(f["path"], set()).add(f["rule"])
    for line, name, _, expected in blocks:
        got = raised.get(name, set())
        where = f"{reference.name}:{line}"
        if expected is None:
            assert not got, f"{where}: a good-practice block raises {sorted(got)}"
        else:
            assert got == expected, f"{where}: marked bad {sorted(expected)} but raises {sorted(got)}"


def test_hcl_and_helm_blocks_are_checked_under_their_file_names(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- platform-skills: bad PSK704 -->\n```hcl\nresource \"aws_ecr_repository\" \"a\" {\n"
        "  name = \"a\"\n}\n```\n\n```hcl\nresource \"aws_ecr_repository\" \"b\" {\n"
        "  image_tag_mutability = \"IMMUTABLE\"\n}\n```\n\n"
        "<!-- platform-skills: bad PSK602 -->\n```yaml title=\"values.yaml\"\nimage:\n  tag: latest\n```\n\n"
        "```yaml title=\"Chart.yaml\"\napiVersion: v2\nname: a\nversion: 1.0.0\ndependencies:\n"
        "  - name: b\n    version: 1.2.3\n```\n")
    blocks = list(example_blocks(page))
    assert [(line, name, expected) for line, name, _, expected in blocks] == [
        (2, "block-2/main.tf", {"PSK704"}), (8, "block-8/main.tf", None),
        (15, "block-15/values.yaml", {"PSK602"}), (20, "block-20/Chart.yaml", None)]
    root = tmp_path / "tree"
    write_tree(root, _tree(blocks))
    _, data = run_json("check", ".", "--no-config", cwd=root)
    assert data["errors"] == []
    assert {(f["path"], f["rule"]) for f in data["findings"]} == {
        ("block-2/main.tf", "PSK704"), ("block-15/values.yaml", "PSK602")}


def test_references_name_only_real_rules_and_link_them():
    from platform_skills.registry import all_rules

    known = {r.id for r in all_rules()}
    for reference in REFERENCES:
        text = reference.read_text()
        named = set(re.findall(r"\bPSK\d{3}\b", text))
        assert named <= known, f"{reference.name}: unknown {sorted(named - known)}"
        for rule_id in named:
            assert f"../docs/rules.md#{rule_id.lower()}" in text, f"{reference.name}: {rule_id} unlinked"


def test_examples_pass_every_check():
    proc, data = run_json("check", "examples", "--exclude", "examples/insecure-pipeline/*", cwd=ROOT)
    assert data["errors"] == [] and data["findings"] == [], data
    assert data["summary"]["files"] >= 6
    assert proc.returncode == 0
