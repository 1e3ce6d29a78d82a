"""The engine on the annotated corpus: every marked (rule, line) and nothing else."""

from support import CORPUS, expected_findings, run_json


def test_corpus_has_expectations_for_every_file_rule():
    from platform_skills.registry import all_rules

    marked = {rule for _, rule, _ in expected_findings(CORPUS)}
    file_rules = {r.id for r in all_rules() if r.scope == "file" and r.id != "PSK006"}
    assert file_rules <= marked, f"rules without a corpus case: {sorted(file_rules - marked)}"


def test_engine_reports_exactly_the_marked_findings():
    proc, data = run_json("check", ".", cwd=CORPUS)
    assert data["errors"] == [], data["errors"]
    got = {(f["path"], f["rule"], f["line"]) for f in data["findings"]}
    expected = expected_findings(CORPUS)
    missing = sorted(expected - got)
    extra = sorted(got - expected)
    assert not missing and not extra, f"missing={missing}\nextra={extra}"
    assert proc.returncode == 1
