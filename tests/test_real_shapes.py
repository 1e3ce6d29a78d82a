"""Integration: the shapes real repositories write (RULES.md 0.3), exactly the contract's
findings, no error, and a skip with a reason for what is not checked.

The tree is ``tests/fixtures/real-shapes`` (its README says what each part stands for).
"""

from support import ROOT, expected_findings, run_cli, run_json

REAL_SHAPES = ROOT / "tests" / "fixtures" / "real-shapes"
# JSON holds no comments: the findings of the JSON manifests are listed here.
JSON_FINDINGS = {("k8s/redis-controller.json", "PSK301", 18)}


def test_real_shapes_give_exactly_the_contracts_findings_and_no_error():
    proc, data = run_json("check", ".", "--no-config", cwd=REAL_SHAPES)
    assert data["errors"] == [], data["errors"]  # the ECR lifecycle policy, fixtures, snippets
    got = {(f["path"], f["rule"], f["line"]) for f in data["findings"]}
    expected = expected_findings(REAL_SHAPES) | JSON_FINDINGS
    assert got == expected, f"missing={sorted(expected - got)}\nextra={sorted(got - expected)}"
    assert proc.returncode == 1


def test_real_shapes_skip_templates_and_broken_files_with_their_reasons():
    proc, data = run_json("check", ".", "--no-config", cwd=REAL_SHAPES)
    skipped = {s["path"]: s["reason"] for s in data["skipped"]}
    assert skipped["charts/shop/templates/deployment.yaml"].startswith("Helm chart template")
    for path in ("tests/fixtures/broken-pod.yaml", "docs/dns-service.yaml"):
        assert skipped[path].startswith("does not parse and nothing says it is a file"), path
    assert len(skipped) == 3
    summary = run_cli("check", ".", "--no-config", cwd=REAL_SHAPES).stdout.splitlines()[-1]
    assert summary.endswith("12 files checked, 3 skipped (run with --show-skipped)")
