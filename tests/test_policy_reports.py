"""PolicyReports as evidence: every layout the API has had, bad files, a fleet-sized export,
and the corpus under tests/fixtures/policy-reports (the audit's Deny readiness, PSK907, PSK201).

Report files are written here from the documented shapes: wgpolicyk8s.io/v1alpha2 with
``scope`` (Kyverno 1.10+) or per-result ``resources`` (before), openreports.io/v1alpha1, and
the ``List`` kubectl prints.
"""

import json
import shutil
import time

import pytest
import yaml

from platform_skills.parsers import ParseError, yaml_data
from platform_skills.readers import policy_reports
from support import ROOT, run_cli, run_json, write_tree

CORPUS = ROOT / "tests" / "fixtures" / "policy-reports"
WG, OR = "wgpolicyk8s.io/v1alpha2", "openreports.io/v1alpha1"


def _ref(kind, name, namespace=None):
    ref = {"apiVersion": "apps/v1" if kind == "Deployment" else "v1", "kind": kind, "name": name,
           "uid": f"uid-{name}"}
    if namespace:
        ref["namespace"] = namespace
    return ref


def _result(policy, outcome, source="kyverno", resources=None):
    out = {"policy": policy, "rule": "check", "result": outcome, "scored": True,
           "timestamp": {"seconds": 1765100000, "nanos": 0}, "message": "m"}
    if source is not None:
        out["source"] = source
    if resources is not None:
        out["resources"] = resources
    return out


# The same cluster in every layout: require-limits fails shop/api and passes shop/web;
# shop/require-team passes shop/api; the Namespace shop passes require-ns-owner.
def _scoped(api=WG, kinds=("PolicyReport", "ClusterPolicyReport")):
    def report(ref, results, namespaced=True):
        meta = {"name": ref["uid"]}
        if namespaced:
            meta["namespace"] = ref["namespace"]
        return {"apiVersion": api, "kind": kinds[0] if namespaced else kinds[1], "metadata": meta,
                "scope": ref, "results": results,
                "summary": {"pass": sum(r["result"] == "pass" for r in results),
                            "fail": sum(r["result"] == "fail" for r in results)}}
    return [
        report(_ref("Deployment", "api", "shop"), [_result("require-limits", "fail"),
                                                   _result("shop/require-team", "pass")]),
        report(_ref("Deployment", "web", "shop"), [_result("require-limits", "pass")]),
        report(_ref("Namespace", "shop"), [_result("require-ns-owner", "pass")], namespaced=False),
    ]


def _per_result():
    """Before Kyverno 1.10: one report per namespace, each result lists its resources."""
    api, web = _ref("Deployment", "api", "shop"), _ref("Deployment", "web", "shop")
    return [
        {"apiVersion": WG, "kind": "PolicyReport",
         "metadata": {"name": "polr-ns-shop", "namespace": "shop"},
         "results": [_result("require-limits", "fail", resources=[api]),
                     _result("require-limits", "pass", resources=[web]),
                     _result("shop/require-team", "pass", resources=[api])],
         "summary": {"pass": 2, "fail": 1}},
        {"apiVersion": WG, "kind": "ClusterPolicyReport", "metadata": {"name": "clusterpolicyreport"},
         "results": [_result("require-ns-owner", "pass", resources=[_ref("Namespace", "shop")])]},
    ]


def _as_list(items):
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}


LAYOUTS = {
    "scope-list.yaml": lambda: yaml.safe_dump(_as_list(_scoped())),
    "scope-list.json": lambda: json.dumps(_as_list(_scoped()), indent=4),
    "scope-documents.yaml": lambda: yaml.safe_dump_all(_scoped()),
    "per-result-list.yaml": lambda: yaml.safe_dump(_as_list(_per_result())),
    "per-result-documents.yml": lambda: yaml.safe_dump_all(_per_result()),
    "openreports-list.yaml": lambda: yaml.safe_dump(_as_list(_scoped(OR, ("Report", "ClusterReport")))),
    "openreports-array.json": lambda: json.dumps(_scoped(OR, ("Report", "ClusterReport"))),
    # kubectl's typed list kind, as the API server returns it to a client
    "typed-list.json": lambda: json.dumps({"apiVersion": WG, "kind": "PolicyReportList",
                                           "items": _scoped()}),
}


def _read(*paths):
    evidence, errors = policy_reports.read([str(p) for p in paths], str)
    assert errors == []
    return evidence


def _summary(tally):
    return None if tally is None else (tally.counts["pass"], tally.counts["fail"], list(tally.failing))


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_layout_gives_the_same_tallies(tmp_path, name):
    path = write_tree(tmp_path, {name: LAYOUTS[name]()}) / name
    evidence = _read(path)
    assert _summary(evidence.tally("ClusterPolicy", "", "require-limits")) == (
        1, 1, [("Deployment", "shop", "api")])
    assert _summary(evidence.tally("Policy", "shop", "require-team")) == (1, 0, [])
    assert _summary(evidence.tally("ClusterPolicy", "", "require-ns-owner")) == (1, 0, [])
    assert evidence.tally("ClusterPolicy", "", "not-deployed") is None
    assert evidence.results == 4


def test_a_folder_is_read_whole_and_each_file_once(tmp_path):
    write_tree(tmp_path, {"reports/a/one.yaml": LAYOUTS["scope-documents.yaml"](),
                          "reports/b/two.json": json.dumps(_scoped()[:1]),
                          "reports/notes.txt": "not read"})
    evidence = _read(tmp_path / "reports")
    assert evidence.files == [str(tmp_path / "reports/a/one.yaml"), str(tmp_path / "reports/b/two.json")]
    assert _summary(evidence.tally("ClusterPolicy", "", "require-limits"))[:2] == (1, 2)


def test_results_are_matched_by_name_namespace_and_source(tmp_path):
    web, api = _ref("Deployment", "web", "shop"), _ref("Deployment", "api", "payments")
    reports = [
        {"apiVersion": WG, "kind": "PolicyReport", "metadata": {"namespace": "shop"}, "scope": web,
         "results": [_result("no-latest", "pass", "KyvernoValidatingPolicy"),
                     _result("signed", "fail", "KyvernoImageValidatingPolicy"),
                     _result("limits", "fail", "trivy"),          # another engine's result
                     _result("limits", "pass", None),             # no source: anyone's
                     _result("team/labels", "pass"),
                     _result("shop/labels", "fail")]},
        {"apiVersion": WG, "kind": "PolicyReport", "metadata": {"namespace": "payments"},
         "scope": api, "results": [_result("payments/labels", "pass")]},
    ]
    evidence = _read(write_tree(tmp_path, {"r.yaml": yaml.safe_dump_all(reports)}) / "r.yaml")
    assert _summary(evidence.tally("ValidatingPolicy", "", "no-latest")) == (1, 0, [])
    assert evidence.tally("ClusterPolicy", "", "no-latest") is None  # not a ClusterPolicy's
    assert evidence.tally("ValidatingPolicy", "", "signed") is None
    assert _summary(evidence.tally("ImageValidatingPolicy", "", "signed"))[1] == 1
    assert _summary(evidence.tally("ClusterPolicy", "", "limits")) == (1, 0, [])  # trivy's fail ignored
    assert _summary(evidence.tally("Policy", "shop", "labels"))[:2] == (0, 1)
    assert evidence.tally("Policy", "default", "labels") is None
    # A namespaced policy whose file names no namespace: every namespace's results of the name.
    assert _summary(evidence.tally("Policy", "", "labels"))[:2] == (2, 1)


def _texts(data):
    if isinstance(data, dict):
        return {k: _texts(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_texts(v) for v in data]
    return str(data).lower() if isinstance(data, bool) else str(data)


def test_yaml_items_stream_and_aliases_are_bounded():
    text = yaml.safe_dump(_as_list(_scoped()))
    seen = []
    docs = yaml_data(text, seen.append)
    assert docs[0]["items"] == [] and len(seen) == 3 and seen[0]["scope"]["name"] == "api"
    assert yaml_data(text) == [_texts(_as_list(_scoped()))]  # scalars stay the text written
    shared = "a: &t {seconds: '1'}\nb: *t\nc: &s text\nd: *s\n"
    assert yaml_data(shared) == [{"a": {"seconds": "1"}, "b": {"seconds": "1"}, "c": "text", "d": "text"}]
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    started = time.monotonic()
    with pytest.raises(ParseError, match="billion laughs"):
        yaml_data(laughs)
    assert time.monotonic() - started < 5
    with pytest.raises(ParseError, match="of no anchor"):
        yaml_data("a: *nothing\n")


BAD_FILES = {
    "broken.yaml": ("items: [\n", "invalid YAML at line 2"),
    "broken.json": ('{"kind": "List", "items": [}', "invalid JSON at line 1"),
    "binary.yaml": (b"\x00\x01\x02", "binary data"),
    "latin1.yaml": ("kind: List\nitems: []\nnote: caf\xe9\n".encode("latin-1"), "not UTF-8"),
    "empty.yaml": ("", "holds no PolicyReport"),
    "deployment.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n",
                        "holds no PolicyReport"),
    "deployments.yaml": ("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: apps/v1, kind: Deployment}\n",
                         "holds no PolicyReport"),
    "deployments.json": ('{"apiVersion": "v1", "kind": "List", "items": [{"kind": "Pod"}]}',
                         "holds no PolicyReport"),
    "deep.json": ("[" * 100_000 + "]" * 100_000, "nesting too deep"),
    "laughs.yaml": ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)),
        "billion laughs"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_report_file_is_an_error_naming_it_and_the_rest_is_still_checked(tmp_path, name):
    content, problem = BAD_FILES[name]
    shutil.copytree(CORPUS / "repo", tmp_path / "repo")
    write_tree(tmp_path, {"good.yaml": (CORPUS / "reports" / "cluster.yaml").read_text()})
    bad = tmp_path / name
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    proc, data = run_json("check", "repo", "--no-config", "--policy-reports", name,
                          "--policy-reports", "good.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert [e["path"] for e in data["errors"]] == [name]
    assert problem in data["errors"][0]["message"]
    # good.yaml still counts: PSK201 is dropped for the Deny policy with clean results.
    assert {(f["path"], f["rule"]) for f in data["findings"]} == {
        ("repo/policies/require-signed-images.yaml", "PSK201"),
        ("repo/policies/restrict-host-path.yaml", "PSK201")}


def test_an_empty_list_is_a_cluster_without_reports(tmp_path):
    empty = "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n"
    write_tree(tmp_path, {"empty.yaml": empty, "empty.json": json.dumps(yaml.safe_load(empty))})
    for name in ("empty.yaml", "empty.json"):
        evidence = _read(tmp_path / name)
        assert evidence.results == 0 and evidence.tallies == {}


def test_missing_paths_and_empty_folders_are_errors(tmp_path):
    write_tree(tmp_path, {"repo/x.yaml": "a: 1\n", "empty/readme.txt": "no reports"})
    proc = run_cli("audit", "repo", "--no-config", "--policy-reports", "nothere.yaml",
                   "--policy-reports", "empty", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "nothere.yaml: error: no such policy-reports file or folder" in proc.stdout
    assert "empty: error: no .yaml, .yml or .json file in this policy-reports folder" in proc.stdout


def _fleet(count, per=5):
    """``count`` results, ``per`` policies on each Deployment; every 97th result fails."""
    items = []
    for i in range(count // per):
        ns = f"team-{i % 40}"
        items.append({"apiVersion": WG, "kind": "PolicyReport",
                      "metadata": {"name": f"uid-{i}", "namespace": ns},
                      "scope": _ref("Deployment", f"svc-{i}", ns),
                      "results": [_result(f"policy-{j}", "fail" if (i * per + j) % 97 == 0 else "pass")
                                  for j in range(per)]})
    return _as_list(items)


def test_a_fleet_of_100000_results_is_read_in_one_pass(tmp_path):
    fleet = _fleet(100_000)
    fails = sum(r["result"] == "fail" for item in fleet["items"] for r in item["results"])
    policies = "".join(
        f"---\napiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: policy-{j}\n"
        "spec:\n  rules:\n    - name: check\n      validate:\n        failureAction: Audit\n"
        "        pattern: {metadata: {labels: {team: \"?*\"}}}\n" for j in range(5))
    write_tree(tmp_path, {"repo/policies.yaml": policies})
    (tmp_path / "fleet.json").write_text(json.dumps(fleet))
    started = time.monotonic()
    proc, data = run_json("audit", "repo", "--no-config", "--policy-reports", "fleet.json", cwd=tmp_path)
    took = time.monotonic() - started
    rows = data["deny_readiness"]
    assert [r["policy"] for r in rows] == [f"policy-{j}" for j in range(5)]
    assert sum(r["pass"] + r["fail"] for r in rows) == 100_000
    assert sum(r["fail"] for r in rows) == fails == sum(len(r["failing"]) for r in rows)
    assert all(r["verdict"] == f"would block {r['fail']}" for r in rows)
    assert {f["rule"] for f in data["findings"]} == {"PSK907"} and proc.returncode == 1
    assert took < 30, f"{took:.1f}s for 100,000 results"  # about 2 s on two idle cores


def test_yaml_and_json_exports_agree(tmp_path):
    fleet = _fleet(2_000)
    write_tree(tmp_path, {"fleet.yaml": yaml.safe_dump(fleet), "fleet.json": json.dumps(fleet)})
    from_yaml, from_json = _read(tmp_path / "fleet.yaml"), _read(tmp_path / "fleet.json")
    for j in range(5):
        one = _summary(from_yaml.tally("ClusterPolicy", "", f"policy-{j}"))
        assert one == _summary(from_json.tally("ClusterPolicy", "", f"policy-{j}")) and one[0]


# ---------------------------------------------------------------------------- the corpus

ROWS = [  # (policy, mode, pass, fail, verdict), in file order
    ("disallow-latest-tag", "Deny", 5, 0, "ready"),
    ("require-requests-limits", "Audit", 2, 3, "would block 3"),
    ("require-signed-images", "Deny", 0, 0, "no results"),
    ("shop/require-team-label", "Audit", 3, 0, "ready"),
    ("restrict-host-path", "Enforce", 4, 1, "would block 1"),
]


def test_audit_names_the_blocking_policy_and_reads_the_clean_ones_as_ready():
    proc, data = run_json("audit", "repo", "--no-config", "--policy-reports", "reports/cluster.yaml",
                          cwd=CORPUS)
    assert proc.returncode == 1 and data["errors"] == []
    rows = data["deny_readiness"]
    assert [(r["policy"], r["mode"], r["pass"], r["fail"], r["verdict"]) for r in rows] == ROWS
    assert rows[1]["path"] == "repo/policies/require-requests-limits.yaml"
    assert rows[1]["failing"] == [
        {"kind": "Deployment", "namespace": "shop", "name": "api"},
        {"kind": "Deployment", "namespace": "shop", "name": "worker"},
        {"kind": "Deployment", "namespace": "payments", "name": "ledger"}]
    # PSK907 only for the policy still in Audit; the Enforce one is PSK201's (below).
    [gap] = data["findings"]
    assert (gap["rule"], gap["severity"], gap["path"]) == ("PSK907", "high", ".")
    assert "require-requests-limits" in gap["message"] and "3 resources fail it" in gap["message"]
    assert "shop/Deployment/api, shop/Deployment/worker, payments/Deployment/ledger" in gap["message"]
    assert gap["related"] == [{"path": "repo/policies/require-requests-limits.yaml", "line": 1,
                               "note": "the policy, in Audit"}]


def test_audit_text_prints_the_deny_readiness_table():
    proc = run_cli("audit", "repo", "--no-config", "--policy-reports", "reports", cwd=CORPUS)
    lines = proc.stdout.splitlines()
    assert "Deny readiness (from the PolicyReports given)" in lines
    header = next(i for i, ln in enumerate(lines) if ln.split() == ["policy", "mode", "pass", "fail", "verdict"])
    assert [ln.split(None, 4) for ln in lines[header + 1:header + 6]] == [
        [p, m, str(a), str(b), v] for p, m, a, b, v in ROWS]
    assert any(ln.startswith("  PSK907 deny-would-block: ClusterPolicy require-requests-limits") for ln in lines)
    assert any("restrict-host-path" in ln and "already in Enforce" in ln for ln in lines)
    assert any(ln.startswith("  no results:") and "background: false" in ln for ln in lines)
    assert any(ln.startswith("  The reports also hold results for 1 policy this repository does not "
                             "define: require-namespace-owner.") for ln in lines)
    assert proc.returncode == 1


def test_psk201_takes_clean_results_as_the_audit_record():
    proc, data = run_json("check", "repo", "--no-config", "--select", "PSK201",
                          "--policy-reports", "reports/cluster.yaml", cwd=CORPUS)
    found = {f["path"].rsplit("/", 1)[1]: f["message"] for f in data["findings"]}
    # disallow-latest-tag: Deny, no annotation, clean results: audited.
    assert sorted(found) == ["require-signed-images.yaml", "restrict-host-path.yaml"]
    assert found["require-signed-images.yaml"].endswith("and the PolicyReports hold no result for it")
    # The annotation does not outweigh failures in the reports.
    assert "hold 1 fail result for it: it would block monitoring/DaemonSet/node-exporter" in \
        found["restrict-host-path.yaml"]
    assert proc.returncode == 1


def test_without_reports_the_annotation_still_decides():
    _, data = run_json("check", "repo", "--no-config", "--select", "PSK201", cwd=CORPUS)
    assert sorted(f["path"].rsplit("/", 1)[1] for f in data["findings"]) == [
        "disallow-latest-tag.yaml", "require-signed-images.yaml"]
    _, data = run_json("audit", "repo", "--no-config", cwd=CORPUS)
    assert "deny_readiness" not in data and data["findings"] == []


def test_the_configuration_key_reads_reports_beside_it_and_not_as_manifests(tmp_path):
    shutil.copytree(CORPUS / "repo", tmp_path / "repo")
    shutil.copytree(CORPUS / "reports", tmp_path / "repo" / "evidence")
    write_tree(tmp_path, {"repo/.platform-skills.yaml": "policy-reports: [evidence]\n"})
    proc, data = run_json("audit", ".", cwd=tmp_path / "repo" / "policies")
    assert [r["verdict"] for r in data["deny_readiness"]] == [row[4] for row in ROWS]
    assert data["summary"]["files"] == 6  # the policies; the reports are evidence, not checked
    proc, data = run_json("check", "repo", cwd=tmp_path)
    assert {f["path"] for f in data["findings"] if f["rule"] == "PSK201"} == {
        "repo/policies/require-signed-images.yaml", "repo/policies/restrict-host-path.yaml"}


def test_a_configuration_cannot_point_outside_its_folder(tmp_path):
    write_tree(tmp_path, {"outside.yaml": (CORPUS / "reports" / "cluster.yaml").read_text(),
                          "repo/.platform-skills.yaml": "policy-reports: [../outside.yaml]\n",
                          "repo/p.yaml": (CORPUS / "repo/policies/disallow-latest-tag.yaml").read_text()})
    proc, data = run_json("check", "repo", cwd=tmp_path)
    assert proc.returncode == 2
    assert data["errors"] == [{"path": "outside.yaml", "message":
                               "a policy-reports path of a configuration file must stay inside the "
                               "configuration's folder; pass it with --policy-reports instead"}]
    proc, data = run_json("check", "repo", "--no-config", "--policy-reports", "outside.yaml", cwd=tmp_path)
    assert data["errors"] == [] and data["findings"] == [] and proc.returncode == 0


def test_a_report_without_scope_names_its_owner_or_says_it_cannot(tmp_path):
    owned = {"apiVersion": WG, "kind": "ClusterPolicyReport",
             "metadata": {"name": "x", "ownerReferences": [_ref("Namespace", "shop")]},
             "results": [_result("require-ns-owner", "fail")]}
    bare = {"apiVersion": WG, "kind": "PolicyReport", "metadata": {"name": "y", "namespace": "shop"},
            "results": [_result("require-limits", "fail")]}
    evidence = _read(write_tree(tmp_path, {"r.yaml": yaml.safe_dump_all([owned, bare])}) / "r.yaml")
    [owner] = evidence.tally("ClusterPolicy", "", "require-ns-owner").failing
    assert policy_reports.describe(owner) == "Namespace/shop"
    [unnamed] = evidence.tally("ClusterPolicy", "", "require-limits").failing
    assert policy_reports.describe(unnamed) == "a resource in namespace shop the report does not name"
