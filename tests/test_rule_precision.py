"""Every rule's SARIF precision is one of SARIF's four values and is the one the catalog's
precision table (measured on real repositories, or judged) gives it."""

import re
from pathlib import Path

from platform_skills.registry import all_rules

ROOT = Path(__file__).resolve().parents[1]
SARIF_PRECISIONS = {"very-high", "high", "medium", "low"}


def _table():
    text = (ROOT / "docs" / "rules.md").read_text()
    section = text.split("## Precision {#precision}", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if re.fullmatch(r"PSK\d{3}", cells[0]):
            assert cells[0] not in rows, f"{cells[0]} is listed twice"
            rows[cells[0]] = cells[5] if len(cells) >= 6 else cells[1]
    return rows


def test_every_rule_has_a_sarif_precision_and_the_catalog_gives_the_same():
    table = _table()
    for rule in all_rules():
        assert rule.precision in SARIF_PRECISIONS, rule.id
        assert table.get(rule.id) == rule.precision, (
            f"{rule.id}: docs/rules.md#precision must give the record's precision (measure it "
            "on real repositories, or judge it and list it under Not measured)")
    assert set(table) == {rule.id for rule in all_rules()}


def test_measured_rows_add_up():
    text = (ROOT / "docs" / "rules.md").read_text()
    measured = 0
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"PSK\d{3}", cells[0]):
            findings, sampled, right = int(cells[1]), int(cells[3]), int(cells[4])
            assert right <= sampled <= findings, cells[0]
            if cells[5] == "very-high":
                assert right == sampled >= 6, cells[0]
            measured += 1
    assert measured >= 40  # the table is there and read
