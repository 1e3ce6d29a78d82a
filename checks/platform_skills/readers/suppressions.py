"""Inline suppressions: ``# platform-skills: ignore[PSK001,PSK002] reason``.

A trailing comment covers its own line; a comment on a line of its own covers the line
below. The ledger records which suppressions silenced something, so the hygiene rules
(PSK006-PSK008) can judge the comments themselves.
"""

from __future__ import annotations

import re

from ..model import id_matches

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

MARKER = "platform-skills:"
_PATTERN = re.compile(r"#\s*platform-skills:\s*ignore\[([A-Za-z0-9_,\s]*)\]\s*(.*)$")


class Suppression:
    """One comment: the IDs or prefixes it names, its reason, its line and what it silenced."""

    __slots__ = ("ids", "reason", "line", "covers", "used")

    def __init__(self, ids: tuple[str, ...], reason: str, line: int, covers: int) -> None:
        self.ids = ids
        self.reason = reason
        self.line = line      # the comment's own line
        self.covers = covers  # the line it applies to
        self.used: set[str] = set()     # rule IDs it silenced in this run

    def names(self, rule_id: str) -> bool:
        return any(id_matches(rule_id, i) for i in self.ids)


def parse(lines: Iterable[str]) -> list[Suppression]:
    """Every suppression comment in ``lines`` (a file's source lines), in file order."""
    found = []
    for index, text in enumerate(lines):
        if MARKER not in text:
            continue
        match = _PATTERN.search(text)
        if not match:
            continue
        ids = tuple(sorted({i.strip().upper() for i in match.group(1).split(",") if i.strip()}))
        own_line = text[:match.start()].strip() == ""
        found.append(Suppression(ids, match.group(2).strip(), index + 1,
                                 index + 2 if own_line else index + 1))
    return found


def covers(entries: Iterable[Suppression] | None, rule_id: str) -> bool:
    """Whether any of ``entries`` (suppressions covering one line) names ``rule_id``."""
    return any(entry.names(rule_id) for entry in entries or ())


class Ledger:
    """The suppressions of one document, indexed by the line each covers."""

    __slots__ = ("entries", "_by_line")

    def __init__(self, lines: Iterable[str]) -> None:
        self.entries = parse(lines)
        self._by_line: dict[int, list[Suppression]] = {}
        for entry in self.entries:
            self._by_line.setdefault(entry.covers, []).append(entry)

    def silence(self, rule_id: str, lines: Iterable[int]) -> bool:
        """Whether a suppression covering any of ``lines`` names ``rule_id``; marks it used."""
        silenced = False
        for line in lines:
            for entry in self._by_line.get(line, ()):
                if entry.names(rule_id):
                    entry.used.add(rule_id)
                    silenced = True
        return silenced


class SuppressionView:
    """What the hygiene rules read: the comments, which rules ran, which rules exist."""

    __slots__ = ("entries", "selected", "known")

    def __init__(self, entries: Sequence[Suppression], selected: Collection[str],
                 known: Collection[str]) -> None:
        self.entries = entries
        self.selected = selected  # IDs of the rules that ran on this file
        self.known = known        # IDs of every rule there is
