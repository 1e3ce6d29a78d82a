"""``platform-skills fleet``: many repositories in one report, made here or merged from JSON."""

import json
import re

import pytest
from fleet_repos import DEPENDABOT, GAPS, make_repo

from platform_skills.audit import repository_name
from platform_skills.fleet.model import COLUMNS
from support import ROOT, run_cli

KINDS = ("push-only", "complete", "quiet", "flux")


@pytest.fixture
def fleet(tmp_path):
    """Four repositories, one of each kind, three with a GitHub remote."""
    remotes = {"push-only": "https://github.com/example-org/api.git",
               "complete": "git@github.com:example-org/web.git",
               "flux": "ssh://git@github.com/example-org/deploy"}
    for kind in KINDS:
        make_repo(tmp_path / "clones", kind, kind, remotes.get(kind))
    return tmp_path


def fleet_json(*args, cwd):
    proc = run_cli("fleet", *args, "--format", "json", cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return proc, json.loads(proc.stdout)


def test_fleet_reports_each_repository_with_its_gaps(fleet):
    paths = [f"clones/{k}" for k in KINDS]
    proc, data = fleet_json(*paths, cwd=fleet)
    assert proc.returncode == 1  # critical gaps in example-org/api
    assert proc.stderr == ""  # four repositories: no progress lines
    names = [r["repository"] for r in data["repositories"]]
    assert names == ["example-org/api", "example-org/deploy", "example-org/web", "quiet"]
    found = {r["repository"]: {f["rule"] for f in r["findings"]} for r in data["repositories"]}
    assert found == {"example-org/api": GAPS["push-only"], "example-org/web": GAPS["complete"],
                     "example-org/deploy": GAPS["flux"], "quiet": GAPS["quiet"]}
    assert data["summary"] == {rule: 1 for rule in GAPS["push-only"] | GAPS["flux"]}
    assert all(r["unseen"] == [] and r["errors"] == [] for r in data["repositories"])
    rows = {r["repository"]: r["gap_rows"] for r in data["repositories"]}
    assert rows["quiet"] == [] and rows["example-org/deploy"] == ["PSK906"]
    assert "PSK901" in rows["example-org/web"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fleet_equals_fleet_from_json_of_the_audits(fleet, jobs):
    make_repo(fleet / "clones", "remote", "remote")  # what the audit cannot follow, too
    kinds = (*KINDS, "remote")
    paths = [f"clones/{k}" for k in kinds]
    reports = fleet / "reports"
    reports.mkdir()
    for kind in kinds:  # as the Action writes them in a matrix job, one file per repository
        audit = run_cli("audit", f"clones/{kind}", "--format", "json", cwd=fleet)
        assert audit.returncode in (0, 1), audit.stderr
        (reports / f"{kind}.json").write_text(audit.stdout)
    _, direct = fleet_json(*paths, "--jobs", jobs, cwd=fleet)
    _, merged = fleet_json("--from-json", *sorted(f"reports/{k}.json" for k in reversed(kinds)),
                           cwd=fleet)
    _, from_folder = fleet_json("--from-json", "reports", cwd=fleet)
    assert direct == merged == from_folder
    (fleet / "fleet.json").write_text(json.dumps(direct))  # a fleet report merges as its parts
    assert fleet_json("--from-json", "fleet.json", cwd=fleet)[1] == direct
    for fmt in ("markdown", "html"):
        one = run_cli("fleet", *paths, "--format", fmt, cwd=fleet).stdout
        other = run_cli("fleet", "--from-json", "reports", "--format", fmt, cwd=fleet).stdout
        assert one == other


def test_audit_json_names_the_repository(fleet):
    audit = json.loads(run_cli("audit", "clones/complete", "--format", "json", cwd=fleet).stdout)
    assert audit["repository"] == "example-org/web"
    quiet = json.loads(run_cli("audit", "quiet", "--format", "json",
                               cwd=fleet / "clones").stdout)
    assert quiet["repository"] == "quiet" and quiet["gap_rows"] == []


@pytest.mark.parametrize(("url", "name"), [
    ("https://github.com/example-org/api.git", "example-org/api"),
    ("https://x-access-token:ghs_secret@github.com/example-org/api", "example-org/api"),
    ("git@github.com:example-org/api.git", "example-org/api"),
    ("ssh://git@gitlab.example.com:2222/group/sub/api.git", "group/sub/api"),
    ("/srv/git/example-org/api.git", "folder"),       # a remote on this machine names nothing
    ("file:///srv/git/example-org/api.git", "folder"),
    ("https://github.com/example-org", "folder"),     # no owner/name in it
])
def test_repository_name_from_the_remote(tmp_path, url, name):
    repo = make_repo(tmp_path, "folder", "quiet", url)
    assert repository_name(str(repo)) == name


def test_repository_name_prefers_origin_and_reads_worktrees(tmp_path):
    main = make_repo(tmp_path, "main", "quiet")
    (main / ".git").mkdir()
    (main / ".git" / "config").write_text(
        '[remote "upstream"]\n\turl = https://github.com/upstream-org/api\n'
        '[remote "origin"]\n  url = git@github.com:example-org/api.git\n')
    assert repository_name(str(main)) == "example-org/api"
    # A linked worktree: .git is a file naming its git dir, whose commondir holds the config.
    (main / ".git" / "worktrees" / "feature").mkdir(parents=True)
    (main / ".git" / "worktrees" / "feature" / "commondir").write_text("../..\n")
    feature = make_repo(tmp_path, "feature", "quiet")
    (feature / ".git").write_text(f"gitdir: {main / '.git' / 'worktrees' / 'feature'}\n")
    assert repository_name(str(feature)) == "example-org/api"
    broken = make_repo(tmp_path, "broken", "quiet")
    (broken / ".git").write_text("gitdir: does/not/exist\n")
    assert repository_name(str(broken)) == "broken"


def test_reports_from_before_unseen_and_gap_rows_still_merge(tmp_path):
    """An audit JSON without ``unseen`` or ``gap_rows`` (older versions) and a PSK908 finding
    this version may not know: merged, its cells say "no gap reported", PSK908 gets a column."""
    old = {"version": 1, "repository": "example-org/old", "summary": {},
           "findings": [{"rule": "PSK908", "name": "pins-without-updates", "severity": "medium",
                         "path": ".", "line": 0, "message": "nothing keeps the pins fresh",
                         "help": "https://platform-skills.github.io/platform-skills/rules/psk908/"}],
           "errors": []}
    (tmp_path / "old.json").write_text(json.dumps(old))
    proc, data = fleet_json("--from-json", "old.json", cwd=tmp_path)
    assert proc.returncode == 0  # medium is below the default fail-on (high)
    assert data["repositories"][0]["unseen"] == [] and "gap_rows" not in data["repositories"][0]
    assert data["summary"] == {"PSK908": 1}
    markdown = run_cli("fleet", "--from-json", "old.json", cwd=tmp_path).stdout
    header = next(line for line in markdown.splitlines() if line.startswith("| repository"))
    assert header.endswith("| pins fresh |")
    row = next(line for line in markdown.splitlines() if line.startswith("| example-org/old"))
    assert row.split("|")[-2].strip() == "**gap**" and "–" in row


def test_bad_reports_are_named_and_the_others_still_reported(tmp_path, fleet):
    good = run_cli("audit", "clones/flux", "--format", "json", cwd=fleet).stdout
    files = {"good.json": good, "broken.json": "{not json", "list.json": "[1, 2]",
             "check.json": json.dumps({"version": 2, "findings": []}),
             "shape.json": json.dumps({"findings": [{"no": "rule"}]})}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "deep.json").write_text("[" * 200_000)  # nesting no parser should recurse into
    (tmp_path / "latin1.json").write_bytes(b'{"repository": "caf\xe9", "findings": []}')
    proc = run_cli("fleet", "--from-json", *files, "deep.json", "latin1.json", "missing.json",
                   "--format", "json", cwd=tmp_path)
    assert proc.returncode == 2
    data = json.loads(proc.stdout)
    assert [r["repository"] for r in data["repositories"]] == ["example-org/deploy"]
    errors = {e["path"]: e["message"] for e in data["errors"]}
    assert set(errors) == {"broken.json", "list.json", "check.json", "shape.json", "missing.json",
                           "deep.json", "latin1.json"}
    assert errors["broken.json"].startswith("not JSON")
    assert "version 2" in errors["check.json"] and "rule" in errors["shape.json"]
    assert "Traceback" not in proc.stderr
    for name in errors:
        assert f"{name}: error: " in proc.stderr


def test_fleet_of_folders_names_what_is_not_a_folder(fleet):
    proc = run_cli("fleet", "clones/quiet", "clones/nope", "--format", "json", cwd=fleet)
    assert proc.returncode == 2 and "clones/nope: error: not a directory" in proc.stderr
    assert [r["repository"] for r in json.loads(proc.stdout)["repositories"]] == ["quiet"]
    assert run_cli("fleet", cwd=fleet).returncode == 2


HOSTILE = '<img src=x onerror=alert(1)>"|[x](javascript:alert(2))'


def test_untrusted_names_and_messages_are_escaped(tmp_path):
    report = {"version": 1, "repository": HOSTILE, "unseen": [], "gap_rows": ["PSK901"],
              "findings": [{"rule": "PSK901", "severity": "critical", "path": ".", "line": 0,
                            "message": "</td><script>alert(3)</script>",
                            "help": "javascript:alert(4)",
                            "related": [{"path": "<b>x</b>", "line": 1, "note": "<i>y</i>"}]}]}
    (tmp_path / "evil.json").write_text(json.dumps(report))
    page = run_cli("fleet", "--from-json", "evil.json", "--format", "html", cwd=tmp_path).stdout
    assert "<img" not in page and "<script>alert" not in page and "<b>x" not in page
    assert not re.search(r"href=[\"']?\s*javascript", page)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # The rule link comes from this version's catalog, never from the report.
    assert 'href="https://platform-skills.github.io/platform-skills/rules/psk901/"' in page
    markdown = run_cli("fleet", "--from-json", "evil.json", cwd=tmp_path).stdout
    assert "<img" not in markdown and "<script>" not in markdown
    assert "[x](javascript" not in markdown and "\\[x\\](javascript" in markdown  # no link
    row = next(line for line in markdown.splitlines() if "onerror" in line and line.startswith("|"))
    assert row.count("|") - row.count("\\|") == 2 + len(COLUMNS)  # a cell per column, the name's | escaped


def test_compare_shows_what_changed_since_an_earlier_report(fleet):
    paths = [f"clones/{k}" for k in KINDS]
    before = run_cli("fleet", *paths, "--format", "json", "-o", "before.json", cwd=fleet)
    assert before.returncode == 1 and before.stdout == ""
    # The api repository signs now and a new one appeared; the Flux one is unchanged.
    workflows = fleet / "clones" / "push-only" / ".github" / "workflows"
    for example in (ROOT / "examples" / "supply-chain").glob("*.yml"):
        (workflows / example.name).write_text(example.read_text())
    (workflows / "release.yml").unlink()
    (workflows.parent / "dependabot.yml").write_text(DEPENDABOT)  # the examples' pins kept fresh
    make_repo(fleet / "clones", "new", "push-only")
    proc, data = fleet_json(*paths, "clones/new", "--compare", "before.json", cwd=fleet)
    changes = data["compare"]
    assert changes["summary"]["PSK901"] == {"before": 1, "after": 1}  # api closed, new opened
    assert changes["summary"]["PSK906"] == {"before": 1, "after": 1}
    assert {(c["repository"], c["rule"]) for c in changes["closed"]} == {
        ("example-org/api", rule) for rule in GAPS["push-only"]}
    assert changes["opened"] == [] and changes["added"] == ["new"] and changes["removed"] == []
    markdown = run_cli("fleet", *paths, "--compare", "before.json", cwd=fleet).stdout
    assert "## Since the earlier report" in markdown and "Gaps closed: example-org/api PSK901" \
        in markdown
    bad = run_cli("fleet", *paths, "--compare", "nope.json", cwd=fleet)
    assert bad.returncode == 2 and "nope.json" in bad.stderr


def test_two_hundred_repositories_in_parallel_with_progress(tmp_path):
    for i in range(200):
        make_repo(tmp_path / "clones", f"r{i:03}", ("push-only", "quiet")[i % 2])
    proc = run_cli("fleet", *(f"clones/r{i:03}" for i in range(200)), "--format", "json",
                   "--jobs", "2", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data["repositories"]) == 200
    assert data["summary"]["PSK901"] == 100
    progress = proc.stderr.splitlines()
    assert progress[-1] == "platform-skills fleet: 200/200 repositories audited"
    assert 5 <= len(progress) <= 11  # about one line per tenth, not one per repository


def test_fleet_workflow_and_example_caller_pass_the_projects_checks():
    files = [".github/workflows/fleet.yml", "examples/ci/fleet.yml"]
    proc = run_cli("check", *files, "--format", "json", cwd=ROOT)
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["summary"] == {"files": 2, "findings": 0, "errors": 0}
    import yaml
    workflow = yaml.safe_load((ROOT / files[0]).read_text())
    assert set(workflow[True]) == {"workflow_call"}  # "on" reads as True in YAML 1.1
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
    steps = workflow["jobs"]["audit"]["steps"]
    assert any(s.get("uses") == "./.platform-skills" and s["with"]["command"] == "audit"
               for s in steps)
    caller = yaml.safe_load((ROOT / files[1]).read_text())
    assert "schedule" in caller[True]
    assert caller["jobs"]["fleet"]["uses"].startswith(
        "platform-skills/platform-skills/.github/workflows/fleet.yml@")


def test_a_rule_the_repository_ignores_is_not_reported_ok(fleet):
    (fleet / "clones" / "push-only" / ".platform-skills.yaml").write_text("ignore: [PSK905]\n")
    audit = json.loads(run_cli("audit", "clones/push-only", "--format", "json", cwd=fleet).stdout)
    assert "PSK905" not in audit["gap_rows"] and "PSK901" in audit["gap_rows"]
    _, data = fleet_json("clones/push-only", cwd=fleet)
    assert data["repositories"][0]["gap_rows"] == audit["gap_rows"]
    _, ignored = fleet_json("clones/push-only", "--no-config", cwd=fleet)
    assert "PSK905" in ignored["repositories"][0]["gap_rows"]


def test_a_repository_with_a_bad_configuration_is_named_and_the_others_audited(fleet):
    (fleet / "clones" / "quiet" / ".platform-skills.yaml").write_text("fail-on: sometimes\n")
    proc, = [run_cli("fleet", "clones/quiet", "clones/flux", "--format", "json", cwd=fleet)]
    assert proc.returncode == 2
    data = json.loads(proc.stdout)
    by_name = {r["repository"]: r for r in data["repositories"]}
    assert {f["rule"] for f in by_name["example-org/deploy"]["findings"]} == GAPS["flux"]
    [error] = by_name["quiet"]["errors"]
    assert error["path"] == "clones/quiet" and "fail-on must be one of" in error["message"]
    assert "quiet: clones/quiet: error: " in proc.stderr


def test_errors_from_a_report_reach_the_terminal_without_control_characters(tmp_path):
    report = {"repository": "x\x1b]0;owned\x07", "findings": [],
              "errors": [{"path": "a.yml", "message": "bad\x1b[2J"}]}
    (tmp_path / "r.json").write_text(json.dumps(report))
    proc = run_cli("fleet", "--from-json", "r.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert "\x1b" not in proc.stderr and "x?]0;owned?: a.yml: error: bad?[2J" in proc.stderr
    assert "\x1b" not in proc.stdout and "x?\\]0;owned?" in proc.stdout  # the Markdown too
