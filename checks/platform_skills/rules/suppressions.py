"""Inline suppressions: ``# platform-skills: ignore[PSK001,PSK002] reason``.

A trailing comment covers its own line; a comment on a line of its own covers the line
below. One without a reason still suppresses, but is itself reported (PSK006) so it cannot
slip through review.
"""

import re

from ..model import rule

MARKER = "platform-skills:"
_PATTERN = re.compile(r"#\s*platform-skills:\s*ignore\[([A-Za-z0-9_,\s]*)\]\s*(.*)$")


def parse(lines):
    """``{line: (ids, reason, comment_line)}`` for every line a suppression covers."""
    covered = {}
    for index, text in enumerate(lines):
        if MARKER not in text:
            continue
        match = _PATTERN.search(text)
        if not match:
            continue
        ids = frozenset(i.strip().upper() for i in match.group(1).split(",") if i.strip())
        entry = (ids, match.group(2).strip(), index + 1)
        own_line = text[:match.start()].strip() == ""
        covered.setdefault(index + 2 if own_line else index + 1, []).append(entry)
    return covered


def covers(entries, rule_id):
    return any(rule_id in ids or any(rule_id.startswith(i) for i in ids)
               for ids, _, _ in entries or ())


@rule(
    id="PSK006", name="suppression-without-reason", severity="low", domain="github-actions",
    targets=("source",), reference="docs/rules.md#suppressing-a-finding",
    summary="Suppression comment without a reason",
    rationale=(
        "A suppression is a decision someone will have to revisit. Without the reason, the "
        "next reviewer cannot tell an accepted risk from a silenced alarm."),
    fix="Say why after the bracket: `# platform-skills: ignore[PSK001] vendored fork, pinned by tag on purpose`.",
    bad="""\
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      # platform-skills: ignore[PSK001]
      - uses: actions/checkout@v4
""",
    good="""\
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      # platform-skills: ignore[PSK001] internal mirror, tags are immutable there
      - uses: actions/checkout@v4
""",
)
def suppression_without_reason(lines):
    seen = set()
    for entries in parse(lines).values():
        for ids, reason, comment_line in entries:
            if not reason and comment_line not in seen:
                seen.add(comment_line)
                yield comment_line, (f"suppression of {', '.join(sorted(ids)) or 'nothing'} "
                                     "gives no reason")
