"""Integration: the engine on the annotated corpus, every marked (rule, line) and nothing else.

Per-rule cases live in tests/rules/ (test_rule_fixtures.py); this tree mixes rules in one
repository the way real ones do.
"""

from support import CORPUS, expected_findings, run_json


def test_engine_reports_exactly_the_marked_findings():
    proc, data = run_json("check", ".", cwd=CORPUS)
    assert data["errors"] == [], data["errors"]
    got = {(f["path"], f["rule"], f["line"]) for f in data["findings"]}
    expected = expected_findings(CORPUS)
    missing = sorted(expected - got)
    extra = sorted(got - expected)
    assert not missing and not extra, f"missing={missing}\nextra={extra}"
    assert proc.returncode == 1
