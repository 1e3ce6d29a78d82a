"""Safe fixes as text edits: the record a rule attaches to a finding, and the edit helpers.

A rule that can repair what it found yields a ``Fix`` as the last element of its item. The
fix is lazy: its producer runs only when ``check --fix`` or ``--diff`` asks, on the file's
text, and returns ``Edit`` records (character offsets into that text) or None when the
change cannot be made safely in one place. The YAML is never re-serialised: an edit inserts
whole lines or replaces one scalar, so comments, quotes, key order and blank lines around it
stay as they were. What counts as "safely" is decided here once for every rule: block style
only (no flow mappings), no anchors, aliases or tags on the edited node, no tabs in the
indentation, the edited place on lines of its own.
"""

from __future__ import annotations

import re

from . import nodes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, TypeGuard

    from yaml.error import Mark

    # (depth, text): a line to write, depth indentation steps in
    Rows = Iterable[tuple[int, str]]

_INDENT = re.compile(r"[ ]*")
_KEY_PREFIX = re.compile(r"[ ]*(?:-[ ]+)*")  # what may precede a key on its line
_COMMENT = re.compile(r"(?:^|\s)#.*$")
PLAIN = (None, "")  # a plain scalar's style: None from PyYAML's Python loader, "" from libyaml


class Edit:
    """Replace ``text[start:end]`` with ``new``."""

    __slots__ = ("start", "end", "new")

    def __init__(self, start: int, end: int, new: str) -> None:
        self.start = start
        self.end = end
        self.new = new

    def __repr__(self) -> str:
        return f"<Edit {self.start}:{self.end} {self.new!r}>"


class Fix:
    """A finding's repair: ``producer(text, *args)`` (``text``: a ``Text``) returns a list of
    Edits, or None."""

    __slots__ = ("producer", "args")

    def __init__(self, producer: Callable[..., list[Edit] | None], *args: Any) -> None:
        self.producer = producer
        self.args = args

    def edits(self, text: Text) -> list[Edit] | None:
        try:
            return self.producer(text, *self.args) or None
        except (IndexError, ValueError, AttributeError):
            return None  # a shape the producer did not foresee: no fix rather than a wrong one


class Text:
    """A file's text with what edits need: line offsets, its newline, its indentation step."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.unit = _unit(self.lines)

    def offset(self, mark: Mark) -> int:
        """The text offset of a node mark (line and column, both 0-based)."""
        return self.starts[mark.line] + mark.column

    def line_text(self, index: int) -> str:
        return self.lines[index].rstrip("\r")

    def insert_after(self, index: int, column: int, rows: Rows) -> Edit:
        """An Edit putting ``rows`` (see ``block``) on new lines after line ``index``. After
        a last line without a newline the rows get one before them and none after, so the
        file still ends the way it did."""
        block = self.block(column, rows)
        if index + 1 < len(self.lines):
            return Edit(self.starts[index + 1], self.starts[index + 1], block)
        return Edit(len(self.text), len(self.text), self.newline + block[:-len(self.newline)])

    def block(self, column: int, rows: Rows) -> str:
        """``rows`` of ``(depth, text)`` as lines indented from ``column``, newline-ended."""
        return "".join(" " * (column + depth * self.unit) + text + self.newline
                       for depth, text in rows)


def _unit(lines: Iterable[str]) -> int:
    """The file's indentation step: its smallest indentation, 2 when it has none."""
    found = [len(_INDENT.match(line).group()) for line in lines  # type: ignore[union-attr]  # "[ ]*"
             if line.strip() and not line.lstrip().startswith("#")]
    positive = [n for n in found if n]
    return min(positive) if positive and min(positive) <= 8 else 2


def plain_node(source: Text, *found: nodes.Node | None) -> bool:
    """Whether each node (None: absent, fine) carries no anchor or tag: what precedes it,
    past blank lines and comments, is ``key:``, ``-`` or the start of the document. An
    anchored node may be shared through aliases, and an edit there changes every user."""
    for node in found:
        if node is None:
            continue
        if source.text[source.offset(node.start_mark):][:1] in ("&", "!"):
            return False  # libyaml starts an anchored or tagged node at its anchor or tag
        line, before = node.start_mark.line, source.line_text(node.start_mark.line)[
            :node.start_mark.column]
        while True:
            code = _COMMENT.sub("", before).rstrip()
            if code and code.lstrip(" -"):
                if code[-1] not in ":-":
                    return False
                break
            if code or line == 0:  # "- " alone before it: a sequence item; or the file's start
                break
            line -= 1
            before = source.line_text(line)
    return True


def block_map(source: Text, node: nodes.Node | None) -> bool:
    """Whether ``node`` is a mapping we may insert into: block style, plain, keys on their
    own lines after nothing but indentation or ``- ``, and no tabs there."""
    if not nodes.is_map(node) or node.flow_style or not node.value or not plain_node(source, node):
        return False
    for key, _ in node.value:
        if key.id != "scalar" or key.style not in PLAIN:
            return False
        prefix = source.line_text(key.start_mark.line)[:key.start_mark.column]
        if _KEY_PREFIX.fullmatch(prefix) is None:
            return False
    return True


def one_line_scalar(node: nodes.Node | None) -> TypeGuard[nodes.Scalar]:
    """A plain or quoted scalar written on one line (not a block scalar)."""
    return (nodes.is_scalar(node) and node.style in PLAIN + ("'", '"')
            and node.start_mark.line == node.end_mark.line)


def replace_scalar(source: Text, node: nodes.Node | None, new: str) -> list[Edit] | None:
    """Write ``new`` (plain text) where the one-line scalar ``node`` is, quotes included."""
    if not one_line_scalar(node) or not plain_node(source, node):
        return None
    return [Edit(source.offset(node.start_mark), source.offset(node.end_mark), new)]


def add_pair(source: Text, mapping: nodes.Node | None, rows: Rows, after: Iterable[str] = ()) -> list[Edit] | None:
    """Insert the key ``rows`` (``(depth, text)``, depth 0 being the new key) into a block
    mapping: after the line of the first key named in ``after`` whose value is a one-line
    scalar, else where the mapping's first key is (which moves to the next line)."""
    if not block_map(source, mapping):
        return None
    for name in after:
        key, value = nodes.get_pair(mapping, name)
        if key is not None and one_line_scalar(value) and value.start_mark.line == key.start_mark.line:
            return [source.insert_after(key.start_mark.line, key.start_mark.column, rows)]
    first = mapping.value[0][0]  # type: ignore[union-attr]  # block_map: a mapping
    column = first.start_mark.column
    text = source.block(column, rows) + " " * column
    return [Edit(source.offset(first.start_mark), source.offset(first.start_mark), text[column:])]


def add_item(source: Text, sequence: nodes.Node | None, text: str) -> list[Edit] | None:
    """Insert ``text`` as the first item of a sequence: a block one (a new ``- text`` line)
    or a flow one written on one line (``[text, ...]``)."""
    if not nodes.is_seq(sequence) or not plain_node(source, sequence):
        return None
    start = source.offset(sequence.start_mark)
    if sequence.flow_style:
        if sequence.start_mark.line != sequence.end_mark.line or source.text[start] != "[":
            return None
        return [Edit(start + 1, start + 1, text + (", " if sequence.value else ""))]
    first = sequence.value[0] if sequence.value else None
    if first is None:
        return None
    line = source.line_text(first.start_mark.line)
    match = re.match(r"([ ]*)-[ ]+", line)
    if match is None or match.end() != first.start_mark.column:
        return None  # "- - x" or an item not at its dash: not one simple place
    at = source.starts[first.start_mark.line]
    return [Edit(at, at, source.block(len(match.group(1)), [(0, "- " + text)]))]


def yaml_value(text: str) -> str:
    """``text`` as a YAML scalar: plain where that reads back the same, else single-quoted."""
    if (re.fullmatch(r"[^\s'\"#&*!|>%@`,\[\]{}?:-][^\n]*", text) and ": " not in text
            and " #" not in text and not text.endswith((":", " "))):
        return text
    return "'" + text.replace("'", "''") + "'"
