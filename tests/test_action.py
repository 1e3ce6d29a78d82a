"""The repository's composite GitHub Action and the consumer workflow that uses it."""

import yaml

from support import ROOT, run_json


def test_action_is_a_valid_composite_action():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["name"] and action["description"]
    assert action["runs"]["using"] == "composite"
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
    for step in action["runs"]["steps"]:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", step
            assert "${{ inputs." not in step["run"], "inputs reach scripts through env only"
    assert set(action["inputs"]) >= {"command", "paths", "format", "fail-on", "upload-sarif"}
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.run.outputs.exit-code }}"


def test_action_and_consumer_workflow_pass_the_projects_own_checks():
    for path in ("action.yml", "examples/ci/platform-skills.yml"):
        proc, data = run_json("check", path, cwd=ROOT)
        assert data["summary"]["files"] == 1, path
        assert data["findings"] == [] and data["errors"] == [], (path, data)
        assert proc.returncode == 0


def test_consumer_workflow_uses_this_action_with_sarif_upload():
    workflow = yaml.safe_load((ROOT / "examples/ci/platform-skills.yml").read_text())
    job = workflow["jobs"]["supply-chain"]
    assert job["permissions"]["security-events"] == "write"
    uses = [s for s in job["steps"] if s.get("uses", "").startswith("platform-skills/platform-skills@")]
    assert uses and uses[0]["with"]["format"] == "sarif" and uses[0]["with"]["upload-sarif"] == "true"
