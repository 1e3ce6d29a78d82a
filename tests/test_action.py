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
    assert set(action["inputs"]) >= {"command", "paths", "select", "ignore", "exclude", "fail-on",
                                     "config", "format", "output-file", "upload-sarif"}
    # Python 3.11+ from a SHA-pinned setup-python, never the runner's own python3.
    python = next(s for s in action["runs"]["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert len(python["uses"].split("@")[1]) == 40
    major, minor = map(int, str(python["with"]["python-version"]).split("."))
    assert (major, minor) >= (3, 11)
    assert all("python3 " not in s.get("run", "") for s in action["runs"]["steps"])
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


def test_docs_show_every_input_in_a_workflow_that_passes_the_checks(tmp_path):
    """The integrations page's example sets every input the action declares, and the
    workflow passes the project's own checks as a consumer would copy it."""
    import re

    page = (ROOT / "docs" / "integrations.md").read_text()
    blocks = re.findall(r"^```yaml\n(.*?)^```", page, re.M | re.S)
    inputs = set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])
    every = []
    for block in blocks:
        workflow = yaml.safe_load(block)
        if not isinstance(workflow, dict) or "jobs" not in workflow:
            continue
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("platform-skills/platform-skills@") and \
                        set(step.get("with", {})) == inputs:
                    every.append(block)
    assert len(every) == 1, "one example workflow in docs/integrations.md uses every input"
    path = tmp_path / ".github" / "workflows" / "every-input.yml"
    path.parent.mkdir(parents=True)
    path.write_text(every[0])
    proc, data = run_json("check", str(path))
    assert data["findings"] == [] and data["errors"] == [] and proc.returncode == 0, data
