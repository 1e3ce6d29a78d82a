"""``Rule.requires`` is a true necessary condition: with and without the prefilters, every
rule finds exactly the same on the corpus, the rules' fixtures, every rule's examples and the
bundled example repositories; and a file without the words is not handed to the rule."""

from platform_skills import engine, loader
from platform_skills.registry import all_rules
from support import CORPUS, ROOT, example_tree, write_tree

FILE_RULES = [r for r in all_rules() if r.scope == "file"]


def _examples(tmp_path):
    """Every file rule's bad and good example, each in a folder of its own."""
    for rule in FILE_RULES:
        for which in ("bad", "good"):
            write_tree(tmp_path / f"{rule.anchor}-{which}", example_tree(rule, getattr(rule, which)))
    return tmp_path


def _findings(paths):
    result = engine.run([str(p) for p in paths], FILE_RULES, jobs=1)
    assert not [e for e in result.errors if "internal error" in e.message]
    return sorted((f.rule.id, f.path, f.line, f.message) for f in result.findings)


def test_every_rule_finds_the_same_without_its_prefilter(tmp_path, monkeypatch):
    paths = [CORPUS, ROOT / "tests" / "rules", ROOT / "tests" / "fixtures" / "real-shapes",
             ROOT / "examples", _examples(tmp_path)]
    with_prefilters = _findings(paths)
    prefiltered = [r for r in FILE_RULES if r.requires]
    assert len(prefiltered) >= 20  # the check below compares something
    for rule in prefiltered:
        monkeypatch.setattr(rule, "requires", ())
    assert _findings(paths) == with_prefilters
    assert len({f[0] for f in with_prefilters} & {r.id for r in prefiltered}) >= 15


def test_a_file_without_the_words_is_not_given_to_the_rule(tmp_path, monkeypatch):
    rule = next(r for r in FILE_RULES if r.id == "PSK003")  # requires "docker://"
    calls = []
    check = rule.check
    monkeypatch.setattr(rule, "check", lambda view: calls.append(view) or check(view))
    workflow = ("on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
                "    steps:\n      - uses: {uses}\n")
    for name, uses in (("plain", "actions/checkout@v4"), ("docker", "docker://alpine:3.20")):
        write_tree(tmp_path / name, {".github/workflows/ci.yml": workflow.replace("{uses}", uses)})
    for name, expected in (("plain", 0), ("docker", 1)):
        doc, _ = loader.load(str(tmp_path / name / ".github/workflows/ci.yml"), str(tmp_path / name))
        findings, _ = engine.check_document(doc, [rule])
        assert len(calls) == expected and len(findings) == expected
