"""Numbers and lists the documentation states agree with the registry and the folders.

Site pages print counts through macros; the README and the agent files cannot, so every
count they write by hand (``scripts/doc_counts.py`` says which phrases count) is compared
with the real one, and the lists of skills are compared with ``skills/``.
"""

import re
import sys

import pytest

from support import ROOT, run_cli

sys.path.insert(0, str(ROOT / "scripts"))
import doc_counts  # noqa: E402

HAND_WRITTEN = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"),
                       *(ROOT / "references").glob("*.md"), *(ROOT / "skills").glob("*/SKILL.md"),
                       *(ROOT / "commands").glob("*.md")])


@pytest.mark.parametrize("path", HAND_WRITTEN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_count_a_page_states_is_the_real_one(path):
    counts = doc_counts.counts()
    wrong = [f"{phrase!r} (there are {counts[kind]} {kind})"
             for kind, number, phrase in doc_counts.stated(path.read_text(encoding="utf-8"))
             if number != counts[kind]]
    assert not wrong, f"{path.relative_to(ROOT)} states a wrong count: {wrong}"


@pytest.mark.parametrize("text, kind, number", [
    ("ships five [Agent Skills](https://example.org) in", "skills", 5),
    ("The plugin also ships five slash commands", "slash commands", 5),
    ("with 78 rules over", "rules", 78),
    ("{{ file_rule_count }} file rules and 6 repository-gap rules", "repository rules", 6),
    ("seven\nskills", "skills", 7),
])
def test_counted_phrases_are_found(text, kind, number):
    assert (kind, number) in [(k, n) for k, n, _ in doc_counts.stated(text)]


@pytest.mark.parametrize("text", [
    "Two commands set everything up", "everything but two low-severity rules",
    "timeoutSeconds: 30\n  rules:", "```\nsix skills\n```\n", "{{ skill_count }} skills",
])
def test_phrases_that_are_not_counts_are_left_alone(text):
    assert doc_counts.stated(text) == []


@pytest.mark.parametrize("page", ["README.md", "docs/agents.md"])
def test_skill_lists_name_every_skill(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    missing = [name for name in doc_counts.skills() if f"`{name}`" not in text]
    assert not missing, f"{page} does not list {missing}"


def _readme_table(heading_row):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(heading_row)
    rows = []
    for line in readme[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_help_lists_the_commands_of_the_readme_table():
    """``--help`` and the README describe the same commands and the same scope."""
    top = run_cli("--help").stdout
    commands = [re.search(r"`platform-skills ([a-z-]+)", row).group(1)
                for row in _readme_table("| command | what it does |")]
    assert commands == ["check", "audit", "fleet", "rules", "rule", "checkov-dir", "pin"]
    listed = re.findall(r"^    ([a-z-]+)(?:\s|$)", top, re.M)
    assert listed == commands  # every command in both, in the same order
    # The scope the README's check row names, in the description and the check help.
    for kind in ("Kubernetes", "Kyverno", "Flux", "Argo CD", "Helm", "Dockerfiles", "Terraform"):
        assert kind in " ".join(top.split()), kind


def test_help_lists_the_options_of_the_readme_table():
    """Every option of ``check --help`` and ``audit --help`` is in the README's table, and
    every row is in both, except the rows that say they are for one command only."""
    rows = [row.split("|") for row in _readme_table("| option | meaning |")]
    options = {option: cells[2].strip() for cells in rows
               for option in re.findall(r"`(--[a-z-]+)", cells[1])}
    assert "--jobs" in options and "--config" in options
    for command in ("check", "audit"):
        text = run_cli(command, "--help").stdout
        for option, meaning in options.items():
            only = re.match(r"`(\w+)` only", meaning)
            if only is None or only.group(1) == command:
                assert option in text, (command, option)
        for option in re.findall(r"^  (--[a-z-]+)", text, re.M):
            assert option in [*options, "--help"], f"{command} --help has {option}, the README not"
