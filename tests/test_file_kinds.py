"""Which files are checked, and what is an error (RULES.md): the real CLI on small trees.

Errors only for files positively of a kind; other unparsable files are skipped with a
reason; every skip is counted in the summary line and listed with --show-skipped;
Kubernetes manifests may be JSON; nothing is left out without a word.
"""

import json
import os
import sys

import yaml

from support import run_cli, run_json, write_tree

DEPLOYMENT_JSON = """\
{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "web", "annotations": {"note": "ships \\ud83d\\ude80 fast"}},
  "spec": {
    "selector": {"matchLabels": {"app": "web"}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {
        "containers": [
          {
            "name": "web",
            "image": "nginx:latest"
          }
        ]
      }
    }
  }
}
"""

POD_LIST_JSON = """\
{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"},
   "spec": {"containers": [{"name": "a", "image": "redis"}]}},
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b"},
   "spec": {"containers": [{"name": "b",
                            "image": "busybox:latest"}]}}
]}
"""


def _lines(data, rule):
    return sorted((f["path"], f["line"]) for f in data["findings"] if f["rule"] == rule)


def test_kubernetes_manifests_written_as_json_are_checked_with_exact_lines(tmp_path):
    write_tree(tmp_path, {
        "k8s/web.json": DEPLOYMENT_JSON,  # a surrogate-pair escape the YAML loader refuses
        "k8s/pods.json": POD_LIST_JSON,
        "package.json": '{"name": "web", "version": "1.0.0", "kind": "app"}\n',
        "schema/values.schema.json": json.dumps({"type": "object", "properties": {
            "apiVersion": {"type": "string"}, "kind": {"type": "string"}}}, indent=2),
    })
    proc, data = run_json("check", ".", "--select", "PSK301", cwd=tmp_path)
    assert data["errors"] == [] and "skipped" not in data, proc.stdout
    assert _lines(data, "PSK301") == [("k8s/pods.json", 3), ("k8s/pods.json", 6),
                                      ("k8s/web.json", 13)]
    assert data["summary"]["files"] == 2  # package.json and the schema are not manifests
    assert proc.returncode == 1


def test_json_nodes_give_the_yaml_loaders_nodes_and_lines():
    from platform_skills.parsers import json_nodes

    text = POD_LIST_JSON

    def flat(node):
        if isinstance(node, yaml.MappingNode):
            return [(k.value, k.start_mark.line, flat(v)) for k, v in node.value]
        if isinstance(node, yaml.SequenceNode):
            return [flat(v) for v in node.value]
        return (node.value, node.start_mark.line)

    assert flat(json_nodes(text)) == flat(yaml.compose(text, Loader=yaml.CSafeLoader))


def test_unparsable_files_whose_kind_cannot_be_told_are_skipped_with_a_reason(tmp_path):
    write_tree(tmp_path, {
        # a documentation snippet with placeholders, a Jinja template, a broken test fixture
        "docs/service.yaml": ("apiVersion: v1\nkind: Service\nmetadata:\n  name: dns\nspec:\n"
                              "  clusterIP: {SERVICE_IP_PREFIX}.10\n  ports: [{port: 53}\n"),
        "deploy/job.yaml.j2": "apiVersion: batch/v1\nkind: Job\n{% raw %}\n",
        "deploy/job.yaml": "apiVersion: batch/v1\nkind: Job\n{% if x %}\n  a: [\n{% endif %}\n",
        "tests/fixtures/broken.yaml": "apiVersion: v1\nkind: Pod\nspec: [unclosed\n",
        "k8s/ok.yaml": ("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
                        "    - {name: a, image: 'redis:7.2'}\n"),
    })
    proc, data = run_json("check", ".", "--select", "PSK301", cwd=tmp_path)
    assert data["errors"] == [] and proc.returncode == 0, proc.stdout
    reasons = {s["path"]: s["reason"] for s in data["skipped"]}
    assert set(reasons) == {"docs/service.yaml", "deploy/job.yaml", "tests/fixtures/broken.yaml"}
    assert reasons["deploy/job.yaml"] == "Jinja template that is not plain YAML"
    assert reasons["docs/service.yaml"].startswith(
        "does not parse and nothing says it is a file the checks read (a fixture or a snippet?): "
        "invalid YAML at line 6")

    text = run_cli("check", ".", "--select", "PSK301", cwd=tmp_path)
    assert text.stdout.splitlines()[-1] == \
        "0 findings; 1 file checked, 3 skipped (run with --show-skipped)"
    listed = run_cli("check", ".", "--select", "PSK301", "--show-skipped", cwd=tmp_path)
    assert "tests/fixtures/broken.yaml: skipped: does not parse" in listed.stdout
    assert listed.stdout.splitlines()[-1] == "0 findings; 1 file checked, 3 skipped"


def test_files_of_a_kind_by_name_or_place_are_still_errors(tmp_path):
    write_tree(tmp_path, {
        ".github/workflows/ci.yml": "on: push\njobs: [unclosed\n",
        "kustomize/kustomization.yaml": "resources:\n  - a.yaml\n  b: [\n",
        "chart/Chart.yaml": "apiVersion: v2\nname: [x\n",
    })
    proc, data = run_json("check", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert sorted(e["path"] for e in data["errors"]) == [
        ".github/workflows/ci.yml", "chart/Chart.yaml", "kustomize/kustomization.yaml"]
    assert "skipped" not in data


def test_helm_templates_are_skipped_and_counted(tmp_path):
    write_tree(tmp_path, {
        "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "charts/app/values.yaml": "image:\n  tag: '1.0'\n",
        "charts/app/templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"),
        "charts/app/templates/nested/service.yaml": "apiVersion: v1\nkind: Service\n",
        "charts/app/templates/_helpers.tpl": "{{- define \"app.name\" -}}app{{- end }}\n",
        "charts/app/templates/NOTES.txt": "Thanks\n",
        # a folder called templates outside a chart is read like any other
        "kustomize/templates/pod.yaml": ("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n"
                                         "  containers:\n    - {name: a, image: redis}\n"),
    })
    proc, data = run_json("check", ".", "--select", "PSK301", cwd=tmp_path)
    assert data["errors"] == []
    assert sorted(s["path"] for s in data["skipped"]) == [
        "charts/app/templates/deployment.yaml", "charts/app/templates/nested/service.yaml"]
    assert {s["reason"] for s in data["skipped"]} == {
        "Helm chart template, not rendered (run helm template and check its output)"}
    assert _lines(data, "PSK301") == [("kustomize/templates/pod.yaml", 6)]
    text = run_cli("check", ".", "--select", "PSK301", cwd=tmp_path).stdout
    assert ("skipped 2 files (2 files: Helm chart template, not rendered (run helm template and "
            "check its output))") in text


def test_a_folder_with_nothing_to_check_warns_on_stderr(tmp_path):
    write_tree(tmp_path, {"docs/readme.md": "# nothing here\n", "src/app.py": "print(1)\n",
                          "k8s/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"})
    proc = run_cli("check", "docs", "src", "k8s", cwd=tmp_path)
    assert proc.returncode == 0
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert warnings == ["platform-skills: warning: no files to check under docs",
                        "platform-skills: warning: no files to check under src"]


def test_terraform_without_the_hcl_parser_is_a_loud_notice(tmp_path):
    """A package named hcl2 that fails to import stands in for a missing parser."""
    write_tree(tmp_path, {
        "fake/hcl2/__init__.py": "raise ImportError('no hcl2 here')\n",
        "repo/infra/main.tf": 'resource "aws_iam_policy" "p" {\n  policy = "{}"\n}\n',
        "repo/infra/ecr.tf": 'resource "aws_ecr_repository" "r" {\n  name = "r"\n}\n',
    })
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "fake"))
    proc = run_cli("check", ".", "--format", "json", cwd=tmp_path / "repo", env=env)
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["errors"] == []
    assert {s["reason"] for s in data["skipped"]} == {
        "the HCL parser is not installed: pip install 'platform-skills[terraform]'"}
    assert ("platform-skills: warning: 2 Terraform files were NOT checked: the HCL parser is not "
            "installed. To install it: pip install 'platform-skills[terraform]'") in proc.stderr


def test_the_hcl_parser_comes_with_the_default_install():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
    assert any(d.startswith("bc-python-hcl2==") for d in project["dependencies"])
    assert project["optional-dependencies"]["terraform"]  # the old extra still installs
    assert sys.modules.get("hcl2") or __import__("hcl2")


def test_sarif_names_every_skipped_file(tmp_path):
    write_tree(tmp_path, {
        "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "charts/app/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\n",
    })
    proc = run_cli("check", ".", "--format", "sarif", cwd=tmp_path)
    sarif = json.loads(proc.stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["level"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for n in notes] == [("note", "charts/app/templates/deployment.yaml")]
    assert notes[0]["message"]["text"].startswith("not checked: Helm chart template")
