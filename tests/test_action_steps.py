"""The composite Action's own scripts, run here as the runner would run them.

The ``run:`` steps of ``action.yml`` are executed with bash, their ``env:`` expressions
filled in from the inputs (defaults from ``action.yml``) and from earlier steps' outputs
(``$GITHUB_OUTPUT``). The two ``uses:`` steps are GitHub's: setup-python is stood in for by
this interpreter (3.11+, as it would provide), and the upload's condition is evaluated only.
The install is the real one (hash-locked wheels, then the action built from its files), once.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import ROOT, run_cli, write_tree

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
_EXPR = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
UNPINNED = ("on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
            "    permissions:\n      contents: read\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - uses: my-org/setup@v1\n")
LATEST = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  hostNetwork: true\n"
          "  containers:\n    - name: web\n      image: nginx:latest\n")


class Run:
    """One use of the Action: the steps' outputs, logs and exit statuses."""

    def __init__(self):
        self.outputs, self.logs, self.codes, self.would_run = {}, [], [], []


def _value(expr, inputs, action_path, outputs):
    if expr.startswith("inputs."):
        return inputs[expr[len("inputs."):]]
    if expr == "github.action_path":
        return str(action_path)
    step, _, name = expr[len("steps."):].partition(".outputs.")
    if expr.startswith("steps.") and name:
        return outputs.get(step, {}).get(name, "")
    raise AssertionError(f"expression the test does not know: {expr}")


def _condition(text, inputs, outputs):
    """The upload step's ``if:``, in the only shape it has (``&&`` of comparisons)."""
    for part in (p.strip() for p in text.split("&&")):
        if part == "always()":
            continue
        left, op, right = re.fullmatch(r"(\S+) (==|!=) '(.*)'", part).groups()
        value = _value(left, inputs, None, outputs)
        if (value == right) != (op == "=="):
            return False
    return True


def use_action(steps, workspace, runner_temp, action_path, python, **given):
    """Run ``steps`` of the Action in ``workspace`` with inputs ``given`` (names as in
    action.yml)."""
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, unknown
    inputs.update(given)
    run = Run()
    for step in steps:
        if "uses" in step:
            if step["uses"].startswith("actions/setup-python@"):
                run.outputs[step["id"]] = {"python-path": python}
            elif _condition(step["if"], inputs, run.outputs):
                run.would_run.append(step["uses"])  # would run on GitHub; not here
            continue
        env = {"PATH": "/usr/bin:/bin", "HOME": str(runner_temp), "RUNNER_TEMP": str(runner_temp),
               "GITHUB_OUTPUT": str(runner_temp / f"output-{len(run.codes)}")}
        for key, value in step.get("env", {}).items():
            env[key] = _EXPR.sub(lambda m: _value(m.group(1), inputs, action_path, run.outputs), value)
        Path(env["GITHUB_OUTPUT"]).write_text("")
        # GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
        script = runner_temp / "step.sh"
        script.write_text(step["run"])
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workspace, env=env, capture_output=True, text=True, timeout=600)
        run.logs.append(proc.stdout + proc.stderr)
        run.codes.append(proc.returncode)
        lines = Path(env["GITHUB_OUTPUT"]).read_text().splitlines()
        if "id" in step:
            run.outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)
        if proc.returncode != 0:
            break  # a failed step ends the job
    return run


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The action's files as a consumer's runner checks them out, and its install step run."""
    base = tmp_path_factory.mktemp("action")
    action_path = base / "action"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (action_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, action_path / name)
    runner_temp = base / "runner-temp"
    runner_temp.mkdir()
    install = next(s for s in STEPS if s.get("name") == "Install platform-skills")
    run = use_action([s for s in STEPS if "uses" in s or s is install], base, runner_temp,
                     action_path, sys.executable)
    assert run.codes == [0], run.logs
    assert (runner_temp / "platform-skills" / "bin" / "platform-skills").is_file()
    assert "--require-hashes" in install["run"] and "--only-binary :all:" in install["run"]
    return base, runner_temp, action_path


@pytest.fixture
def workspace(tmp_path):
    write_tree(tmp_path, {".github/workflows/ci.yml": UNPINNED, "k8s/pod.yaml": LATEST,
                          "legacy/pod.yaml": LATEST, "k8s/Dockerfile": "FROM python:3.12\n",
                          "policy/settings.yaml": "trusted-owners: [my-org]\n",
                          ".platform-skills.yaml": "ignore: [PSK001]\n"})
    (tmp_path / ".git").mkdir()
    return tmp_path


def _later_steps(installed, workspace, **given):
    _, runner_temp, action_path = installed
    steps = [s for s in STEPS if s.get("name") != "Install platform-skills"]  # ran once, above
    return use_action(steps, workspace, runner_temp, action_path, sys.executable, **given)


def test_every_input_reaches_the_cli(installed, workspace):
    report = workspace / "out" / "report.json"
    report.parent.mkdir()
    run = _later_steps(installed, workspace, command="check", paths=".github k8s legacy",
                       select="PSK0,PSK3", ignore="PSK302", exclude="legacy/*",
                       **{"fail-on": "high", "config": "policy/settings.yaml", "format": "json",
                          "output-file": str(report), "upload-sarif": "false"})
    data = json.loads(report.read_text())
    found = {(f["rule"], f["path"]) for f in data["findings"]}
    # config: the named file governs (my-org trusted, PSK001 not ignored as the root file says);
    # select/ignore narrow the rules; exclude drops legacy/.
    assert ("PSK001", ".github/workflows/ci.yml") in found
    assert not any(f["message"].startswith("'my-org/") for f in data["findings"])
    assert all(rule.startswith(("PSK0", "PSK3")) for rule, _ in found)  # not the Dockerfile's PSK4
    assert "PSK302" not in {r for r, _ in found}
    assert not any(p.startswith("legacy/") for _, p in found)
    assert ("PSK304", "k8s/pod.yaml") in found  # high: fails the step with fail-on high
    assert run.outputs["run"]["exit-code"] == "1" and run.outputs["run"]["report"] == str(report)
    assert run.codes == [0, 1]  # the run step records the status; the last step fails the job


def test_defaults_print_annotations_with_the_nearest_configuration(installed, workspace):
    run = _later_steps(installed, workspace)
    log = run.logs[0]
    assert "::warning file=k8s/pod.yaml" in log and "PSK001" not in log  # the root file ignores it
    assert "file=k8s/Dockerfile" in log and "file=legacy/pod.yaml" in log
    assert run.outputs["run"]["exit-code"] == "1" and run.codes[-1] == 1


def test_config_none_ignores_configuration_files(installed, workspace):
    run = _later_steps(installed, workspace, config="none", select="PSK001", format="concise")
    assert "PSK001" in run.logs[0] and "my-org/setup" in run.logs[0]


def test_audit_and_a_clean_pass(installed, workspace):
    run = _later_steps(installed, workspace, command="audit", paths=". ignored-second-path",
                       format="text")
    assert run.outputs["run"]["exit-code"] == "0" and run.codes == [0, 0], run.logs


def test_upload_sarif_writes_sarif_and_would_upload(installed, workspace):
    _, runner_temp, _ = installed
    run = _later_steps(installed, workspace, format="sarif", **{"upload-sarif": "true"})
    report = Path(run.outputs["run"]["report"])
    assert report == runner_temp / "platform-skills.sarif"
    assert json.loads(report.read_text())["version"] == "2.1.0"
    assert run.would_run == [next(s["uses"] for s in STEPS if "upload-sarif" in s.get("uses", ""))]


def test_upload_sarif_needs_format_sarif(installed, workspace):
    run = _later_steps(installed, workspace, **{"upload-sarif": "true"})  # format: github
    assert "upload-sarif: true needs format: sarif" in run.logs[0]
    assert run.outputs["run"]["exit-code"] == "2" and run.codes[-1] == 2 and run.would_run == []


def test_inputs_are_data_never_code(installed, workspace):
    """An input holding shell syntax is one argument (a path that does not exist), not a
    command; the steps take inputs through env:, never ${{ inputs.* }} in their scripts."""
    run = _later_steps(installed, workspace, paths="$(touch pwned) `touch pwned2`",
                       select="PSK001;touch pwned3")
    assert not any((workspace / n).exists() for n in ("pwned", "pwned2", "pwned3"))
    assert run.outputs["run"]["exit-code"] == "2"
    for step in STEPS:
        assert "${{ inputs." not in step.get("run", "")


POLICY = """\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team-label
spec:
  rules:
    - name: check
      match:
        any:
          - resources:
              kinds: [Pod]
      validate:
        failureAction: Audit
        pattern:
          metadata:
            labels:
              team: "?*"
"""
REPORTS = """\
apiVersion: wgpolicyk8s.io/v1alpha2
kind: PolicyReport
metadata:
  name: pod-web
  namespace: shop
scope:
  apiVersion: v1
  kind: Pod
  name: web
  namespace: shop
results:
  - policy: require-team-label
    rule: check
    result: fail
    source: kyverno
"""


def test_baseline_and_policy_reports_inputs_reach_the_cli(installed, workspace):
    baseline = workspace / "baseline.json"
    run_cli("check", ".", "--write-baseline", baseline, cwd=workspace)
    report = workspace / "report.json"
    run = _later_steps(installed, workspace, command="check", baseline=str(baseline),
                       **{"format": "json", "output-file": str(report)})
    data = json.loads(report.read_text())
    assert data["findings"] == [] and data["summary"]["baselined"] > 0, data["summary"]
    assert run.outputs["run"]["exit-code"] == "0"
    write_tree(workspace, {"policies/team.yaml": POLICY, "evidence/reports.yaml": REPORTS})
    run = _later_steps(installed, workspace, command="audit", **{
        "policy-reports": "evidence/reports.yaml", "format": "json", "output-file": str(report)})
    readiness = json.loads(report.read_text())["deny_readiness"]
    assert [(r["policy"], r["verdict"]) for r in readiness] == [("require-team-label", "would block 1")]
