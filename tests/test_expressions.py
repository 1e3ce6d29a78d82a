"""The ``${{ }}`` reader: what an expression pastes, exact lines, and bounded work on bad input."""

import time

import pytest
import yaml

from platform_skills.readers.contexts import untrusted
from platform_skills.readers.expressions import calls, located, parse, pasted, spans
from support import run_json, write_tree


def paths(body):
    tree = parse(body)
    assert tree is not None, body
    return sorted(".".join(p) for p in pasted(tree))


@pytest.mark.parametrize("body, expected", [
    ("github.event.issue.title", ["github.event.issue.title"]),
    (" github.event.commits[0].message ", ["github.event.commits.*.message"]),
    ("github.event['pull_request']['title']", ["github.event.pull_request.title"]),
    ("github.event.commits.*.author.email", ["github.event.commits.*.author.email"]),
    ("GitHub.Event.Issue.Title", ["github.event.issue.title"]),
    ("inputs.branch", ["inputs.branch"]),
    ("env.TITLE", ["env.title"]),
    ("steps.my-step.outputs.value", ["steps.my-step.outputs.value"]),
    # a || b and a && b return an operand: both may be pasted
    ("github.head_ref || github.ref_name", ["github.head_ref", "github.ref_name"]),
    ("github.event_name == 'push' && github.sha || github.event.pull_request.head.sha",
     ["github.event.pull_request.head.sha", "github.sha"]),
    # booleans and hashes paste none of their operands
    ("contains(github.event.issue.title, 'bug')", []),
    ("startsWith(github.head_ref, 'release/')", []),
    ("endsWith(github.event.pull_request.title, 'wip') && 'yes' || 'no'", []),
    ("github.event.issue.title == 'x'", []),
    ("!github.event.issue.title", []),
    ("hashFiles('**/go.sum', github.event.issue.title)", []),
    ("success() && failure() || cancelled() || always()", []),
    # text-building functions pass their arguments' text through
    ("format('{0}-{1}', github.event.issue.title, github.run_id)",
     ["github.event.issue.title", "github.run_id"]),
    ("join(github.event.commits.*.message, ', ')", ["github.event.commits.*.message"]),
    ("toJSON(github.event.pull_request)", ["github.event.pull_request"]),
    ("fromJSON(steps.meta.outputs.json).title", ["steps.meta.outputs.json.title"]),
    ("fromJSON(toJSON(github.event)).issue.title", ["github.event.issue.title"]),
    ("somethingNew(github.event.issue.body)", ["github.event.issue.body"]),
    # literals
    ("'It''s }} fine'", []),
    ("true", []),
    ("-2.99e-2", []),
    ("0xff", []),
    ("null", []),
])
def test_pasted_paths(body, expected):
    assert paths(body) == expected


@pytest.mark.parametrize("body", [
    "github.event.issue.title ==", "(github.sha", "github.sha)", "a.", "\"double quoted\"",
    "github.sha $", "", "format('{0}'", "a[", "'unclosed",
])
def test_invalid_expressions_parse_to_none(body):
    assert parse(body) is None


def test_calls_are_found_at_any_depth():
    tree = parse("format('{0}', toJSON(secrets)) || toJSON(secrets.TOKEN)")
    found = {(name, args) for name, args in calls(tree)}
    assert ("tojson", (("path", ("secrets",)),)) in found
    assert ("tojson", (("path", ("secrets", "token")),)) in found


def test_spans_end_at_the_first_closing_braces_outside_quotes():
    text = "a ${{ 'x}}y' }} b ${{ github.sha }} c ${{ unclosed"
    assert spans(text) == [(2, " 'x}}y' "), (18, " github.sha ")]
    assert spans("${{ 'never closed }}") == []
    assert spans("no expressions here") == []


@pytest.mark.parametrize("path, expected", [
    ("github.event.issue.title", True), ("github.event.pull_request.head.ref", True),
    ("github.head_ref", True), ("github.event.commits.*.author.name", True),
    ("github.event.workflow_run.head_commit.author.email", True),
    ("github.event.release.body", True),  # any event path ending in body
    ("github.event.pull_request", True), ("github.event", True), ("github", True),  # toJSON
    ("github.event.pull_request.head.sha", False), ("github.event.pull_request.number", False),
    ("github.event.pull_request.base.ref", False), ("github.event.repository.name", False),
    ("github.event.inputs.name", False), ("github.run_id", False), ("github.ref_name", False),
    ("github.repository", False), ("steps.s.outputs.title", False), ("env.title", False),
    # github.event.ref is github.ref (one value, one reading); refs under other objects are not
    ("github.event.ref", False), ("github.ref", False), ("github.event.release.ref", True),
])
def test_untrusted_context_definition(path, expected):
    assert untrusted(tuple(path.split("."))) is expected


def _node(text):
    return yaml.compose(text).value[0][1]


def test_lines_inside_block_scalars_map_to_file_lines():
    text = ("run: |\n"
            "  echo start\n"
            "  echo \"${{ github.event.issue.title }}\"\n"
            "  echo ${{ github.sha }} ${{ github.head_ref }}\n")
    got = [(line, sorted(".".join(p) for p in pasted(tree)))
           for line, tree in located(_node(text), text.split("\n"))]
    assert got == [(3, ["github.event.issue.title"]), (4, ["github.sha"]), (4, ["github.head_ref"])]


def test_lines_of_folded_plain_and_single_line_scalars():
    folded = "run: >\n  echo a\n  ${{ github.head_ref }}\n"
    assert [line for line, _ in located(_node(folded), folded.split("\n"))] == [3]
    plain = "run: echo ${{ github.head_ref }}\n"
    assert [line for line, _ in located(_node(plain), plain.split("\n"))] == [1]


HOSTILE = {
    "nested parentheses": "${{ " + "(" * 100_000 + "github.head_ref" + ")" * 100_000 + " }}",
    "unclosed parentheses": "${{ " + "(" * 100_000 + " }}",
    "unbalanced braces": "${{ " * 30_000,
    "many nots": "${{ " + "!" * 100_000 + "github.head_ref }}",
    "long or-chain": "${{ " + " || ".join(["github.head_ref"] * 20_000) + " }}",
    "nested calls": "${{ " + "format(" * 50_000 + "'x'" + ")" * 50_000 + " }}",
    "nested index": "${{ github" + "[" * 50_000 + "0" + "]" * 50_000 + " }}",
    "quote storm": "${{ " + "''" * 50_000 + " }}" + "'" * 10_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_expressions_are_bounded(name):
    text = HOSTILE[name]
    started = time.perf_counter()
    for _, body in spans(text):
        tree = parse(body)
        if tree is not None:
            pasted(tree)
            calls(tree)
    assert time.perf_counter() - started < 2.0


def test_hostile_expressions_in_a_workflow_give_no_traceback(tmp_path):
    # three workflows, each under the 1 MiB file size limit
    names = sorted(HOSTILE)
    head = "on: pull_request_target\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
    files = {}
    for number, group in enumerate((names[:2], names[2:4], names[4:])):
        steps = "".join(f"      - run: |\n          echo {name!r}\n          {HOSTILE[name]}\n"
                        for name in group)
        files[f".github/workflows/hostile{number}.yml"] = head + steps
    files[".github/workflows/hostile2.yml"] += (
        "      - env:\n          T: ${{ toJSON(secrets) }}\n"
        "        run: echo ${{ github.event.issue.title }}\n")
    write_tree(tmp_path, files)
    started = time.perf_counter()
    proc, data = run_json("check", ".", "--no-config", cwd=tmp_path)
    assert time.perf_counter() - started < 20
    assert "Traceback" not in proc.stderr and data["errors"] == [] and "skipped" not in data
    # Too deep or unbalanced expressions are skipped; the long but valid or-chain (line 9 of
    # the first file) and the plain expressions after them still count.
    found = {(f["path"].rsplit("/", 1)[-1], f["rule"], f["line"]) for f in data["findings"]
             if f["rule"] in ("PSK011", "PSK018")}
    assert found == {("hostile0.yml", "PSK011", 9), ("hostile2.yml", "PSK011", 21),
                     ("hostile2.yml", "PSK018", 20)}
