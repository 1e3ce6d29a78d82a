"""The one way findings are made: places resolved, duplicates merged, suppressions applied.

A rule yields ``(where, message)`` or ``(where, message, related)``. ``where`` is a line
number or a YAML node (whose line and column are read from its mark); each related place
is ``(where, note)`` in the same file or ``(path, where, note)`` in another. A suppression
comment at any of a finding's places in this file silences it.
"""

from __future__ import annotations

from .fixes import Fix
from .model import Finding, Location
from .readers.suppressions import MARKER, Ledger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from .model import Rule
    from .nodes import Node

    # A line number or a node whose mark gives the line.
    Where = int | Node


def place(where: Where) -> tuple[int, int | None]:
    """``(line, column or None)`` of a line number or a node."""
    if isinstance(where, int):
        return where, None
    mark = where.start_mark
    return mark.line + 1, mark.column + 1


class Builder:
    """Collects the findings of one document (or of the repository, for ``audit``)."""

    __slots__ = ("path", "ledger", "_seen", "findings")

    def __init__(self, path: str, text: str | None = None, lines: Sequence[str] | None = None) -> None:
        self.path = path
        self.ledger = Ledger(lines) if text is not None and MARKER in text else None  # type: ignore[arg-type]
        self._seen: set[tuple[str, int, str]] = set()
        self.findings: list[Finding] = []

    def add(self, rule: Rule, item: tuple[Any, ...]) -> None:
        """Record what a rule yielded, unless a suppression or an identical finding covers it."""
        autofix = None
        if isinstance(item[-1], Fix):  # a safe fix rides last, whatever else the item holds
            autofix, item = item[-1], item[:-1]
        where, message = item[0], item[1]
        line, column = place(where)
        related = [self._related(r) for r in (item[2] if len(item) > 2 else ())]
        key = (rule.id, line, message)
        if key in self._seen:
            return
        self._seen.add(key)
        if self.ledger is not None and rule.suppressible:
            lines = [line] + [r.line for r in related if r.path == self.path]
            if self.ledger.silence(rule.id, lines):
                return
        fix = item[3] if len(item) > 3 else None
        self.findings.append(Finding(rule, self.path, line, message, column, related, fix,
                                     autofix))

    def _related(self, item: tuple[Any, ...]) -> Location:
        if len(item) == 3:
            path, where, note = item
        else:
            path, (where, note) = self.path, item
        line, column = place(where)
        return Location(path, line, column, note)
