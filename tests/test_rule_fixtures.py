"""Each rule against its fixtures in tests/rules/: exact lines, then a text snapshot.

A rule's tree is ``tests/rules/<id>/``, or a tree shared by the rules of one domain
(``tests/rules/<name>/`` whose ``RULES`` file lists their IDs): one realistic repository
can hold the cases of several rules without a copy per rule. Every rule runs on the tree
(so rules that judge others, like PSK008, see a real run), but each test compares only its
own rule's findings with the ``# expect:`` markers. Its text output is kept as a snapshot,
``expected-<id>.txt``; regenerate them with ``PSK_UPDATE_SNAPSHOTS=1 pytest
tests/test_rule_fixtures.py`` and review the diff.
"""

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from platform_skills.registry import all_rules
from support import ROOT, SNAPSHOT, expected_findings

FIXTURES = ROOT / "tests" / "rules"
FILE_RULES = [r for r in all_rules() if r.scope == "file"]


def _trees():
    """``{rule ID: fixture tree}``: a rule's own folder, else the shared tree naming it."""
    found = {}
    for listing in FIXTURES.glob("*/RULES"):
        for rule_id in listing.read_text().split():
            found[rule_id] = listing.parent
    for folder in FIXTURES.iterdir():
        if folder.is_dir() and folder.name.startswith("psk"):
            found[folder.name.upper()] = folder
    return found


TREES = _trees()
WITH_FIXTURES = [r for r in FILE_RULES if r.id in TREES]


def test_every_file_rule_has_fixtures():
    missing = sorted(r.id for r in FILE_RULES if r not in WITH_FIXTURES)
    assert not missing, f"rules without a fixture tree in tests/rules/: {missing}"


def _run(tree, *args):
    """The CLI in-process, from ``tree``: ``(exit code, stdout)``."""
    from platform_skills.cli import main

    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        with contextlib.redirect_stdout(out):
            code = main(list(args))
    finally:
        os.chdir(cwd)
    return code, out.getvalue()


@pytest.mark.parametrize("rule", WITH_FIXTURES, ids=lambda r: r.id)
def test_fixture_lines(rule):
    tree = TREES[rule.id]
    code, out = _run(tree, "check", ".", "--format", "json", "--jobs", "1")
    data = json.loads(out)
    assert data["errors"] == [], data["errors"]
    got = {(f["path"], f["rule"], f["line"]) for f in data["findings"] if f["rule"] == rule.id}
    expected = {e for e in expected_findings(tree) if e[1] == rule.id}
    assert expected, f"{rule.id}: fixtures mark no finding of the rule"
    assert got == expected, f"missing={sorted(expected - got)}\nextra={sorted(got - expected)}"


@pytest.mark.parametrize("rule", WITH_FIXTURES, ids=lambda r: r.id)
def test_fixture_text_snapshot(rule):
    from platform_skills.model import Finding, Location
    from platform_skills.report import Report, render

    tree = TREES[rule.id]
    _, out = _run(tree, "check", ".", "--format", "json", "--jobs", "1")
    mine = [Finding(rule, f["path"], f["line"], f["message"], f.get("column"),
                    [Location(r["path"], r["line"], None, r["note"]) for r in f.get("related", ())],
                    f.get("fix"))
            for f in json.loads(out)["findings"] if f["rule"] == rule.id]
    text = render("text", Report(mine, [], len({f.path for f in mine}))) + "\n"
    snapshot = tree / SNAPSHOT.format(id=rule.anchor)
    if os.environ.get("PSK_UPDATE_SNAPSHOTS"):
        snapshot.write_text(text)
    assert snapshot.exists(), f"no snapshot: run PSK_UPDATE_SNAPSHOTS=1 pytest {Path(__file__).name}"
    assert text == snapshot.read_text()
