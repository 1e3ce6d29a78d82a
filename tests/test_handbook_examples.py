"""YAML and Dockerfiles in the handbook and in examples/ are tested: good blocks pass, marked
mistakes fail. A ```dockerfile block is checked as a file named ``Dockerfile``."""

import re

import pytest

from support import ROOT, run_json, write_tree

REFERENCES = sorted((ROOT / "references").glob("*.md"))
_FENCE = re.compile(r"^```(ya?ml|dockerfile)[^\n]*\n(.*?)^```", re.M | re.S)
_MARKER = re.compile(r"<!--\s*platform-skills:\s*bad\s+((?:PSK\d{3}\s*)+)-->\s*$")


def example_blocks(path):
    """``(line, file name, text, expected rule set or None)`` for every fenced YAML block and
    Dockerfile block, each under the name the checks read it by."""
    source = path.read_text()
    for match in _FENCE.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        before = source[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.search(before)
        name = f"block-{line}/Dockerfile" if match.group(1) == "dockerfile" else f"block-{line}.yaml"
        yield line, name, match.group(2), set(marker.group(1).split()) if marker else None


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda p: p.name)
def test_reference_example_blocks(reference, tmp_path):
    blocks = list(example_blocks(reference))
    assert blocks, f"{reference.name} has no YAML or Dockerfile examples"
    files = {name: text for _, name, text, _ in blocks}
    write_tree(tmp_path, files)
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
