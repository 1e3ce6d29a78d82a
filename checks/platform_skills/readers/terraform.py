"""Terraform files as rules read them: top-level blocks with their values and exact lines.

Values come from ``hcl2`` (the parser Checkov uses): every attribute is a one-item list,
nested blocks are lists of dicts, strings have their quotes removed and any other
expression is a string wrapped in ``${...}``. Lines come from ``hcl.outline`` over the
block's own lines, computed the first time a rule asks.
"""

from __future__ import annotations

import re

from .hcl import outline

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from re import Match
    from typing import Any

START, END = "__start_line__", "__end_line__"
# Block types whose entries hcl2 marks with lines, and how many labels each has.
LABELS = {"resource": 2, "data": 2, "module": 1, "provider": 1, "variable": 1,
          "terraform": 0, "locals": 0}


class Block:
    """One top-level block: ``type`` (``resource``), ``labels`` (``("aws_iam_role",
    "deploy")``), ``body`` (hcl2's dict), ``start``/``end`` lines."""

    __slots__ = ("type", "labels", "body", "start", "end", "_source", "_lines")

    def __init__(self, block_type: str, labels: tuple[str, ...], body: dict[str, Any],
                 source: Sequence[str]) -> None:
        self.type = block_type
        self.labels = labels
        self.body = body
        self.start: int = body.get(START, 1)
        self.end: int = body.get(END, self.start)
        self._source = source  # the file's lines, shared by its blocks
        self._lines: dict[tuple[str | int | None, ...], int] | None = None

    @property
    def name(self) -> str:
        """``type.label.label`` as Terraform addresses it (``data.x.y``; ``module.m``)."""
        head = () if self.type == "resource" else (self.type,)
        return ".".join(head + self.labels)

    def line(self, *path: str | int) -> int:
        """The line of ``path`` inside the block, else of its nearest known parent."""
        if self._lines is None:
            self._lines = outline(self._source, self.start, self.end)
        while path:
            found = self._lines.get(tuple(path))
            if found is not None:
                return found
            path = path[:-1]
        return self.start

    def attr(self, name: str, default: Any = None) -> Any:
        return value(self.body, name, default)

    def blocks(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        """Nested blocks called ``name``, as ``(index, body)``."""
        found = self.body.get(name)
        return [(i, b) for i, b in enumerate(found) if isinstance(b, dict)] \
            if isinstance(found, list) else []

    def __repr__(self) -> str:
        return f"<Block {self.name} {self.start}-{self.end}>"


def value(body: Any, name: str, default: Any = None) -> Any:
    """An attribute's value from an hcl2 body (hcl2 wraps each one in a list)."""
    found = body.get(name) if isinstance(body, dict) else None
    if isinstance(found, list) and len(found) == 1:
        return found[0]
    return default if found is None else found


def is_expression(text: Any) -> bool:
    """Whether an hcl2 string stands for an expression (a reference, a call) and not a literal."""
    return isinstance(text, str) and "${" in text


class TerraformFile:
    """The blocks of one ``.tf`` file, in file order; ``module`` is its folder's ``Module``,
    built from the folder's other files the first time a rule asks."""

    __slots__ = ("path", "blocks", "memo", "_module")

    def __init__(self, path: str, data: Any, source_lines: list[str],
                 module: Callable[[], Module] | None = None) -> None:
        self.path = path
        self.memo: dict[str, Any] = {}
        self._module = module or (lambda: Module([data], False))
        blocks: list[Block] = []
        for block_type, labels in LABELS.items():
            for entry in data.get(block_type, ()) if isinstance(data, dict) else ():
                blocks.extend(_entries(block_type, labels, entry, source_lines))
        self.blocks = sorted(blocks, key=lambda b: b.start)

    def of(self, block_type: str, first_label: str | None = None) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type
                and (first_label is None or (b.labels and b.labels[0] == first_label))]

    @property
    def module(self) -> Module:
        found = self.memo.get("module")
        if found is None:
            found = self.memo["module"] = self._module()
        return found


_VAR = re.compile(r"\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}")
_FORMAT = re.compile(r'^\$\{format\("((?:[^"\\]|\\.)*)"((?:\s*,\s*(?:var\.[A-Za-z_][A-Za-z0-9_-]*'
                     r'|"(?:[^"\\]|\\.)*"))*)\s*\)\}$')
_ARG = re.compile(r'var\.([A-Za-z_][A-Za-z0-9_-]*)|"((?:[^"\\]|\\.)*)"')


class Module:
    """What a module (one folder of ``.tf`` files) declares across its files: variables'
    defaults, and whether it is a root module, one Terraform is run in (a ``backend`` or
    ``cloud`` block, a ``provider`` block, or a ``.terraform.lock.hcl``), rather than a
    reusable module others call."""

    __slots__ = ("defaults", "is_root")

    def __init__(self, files: Iterable[Any], has_lock: bool) -> None:
        self.defaults: dict[str, Any] = {}
        self.is_root = bool(has_lock)
        for data in files:
            if not isinstance(data, dict):
                continue
            for entry in data.get("variable", ()):
                for name, body in entry.items() if isinstance(entry, dict) else ():
                    if isinstance(body, dict) and "default" in body:
                        self.defaults[name] = value(body, "default")
            if any(isinstance(p, dict) and any(k not in (START, END) for k in p)
                   for p in data.get("provider", ())):
                self.is_root = True
            for block in data.get("terraform", ()):
                if isinstance(block, dict) and ("backend" in block or "cloud" in block):
                    self.is_root = True

    def with_defaults(self, text: Any) -> list[str] | None:
        """The strings ``text`` becomes when each ``var.NAME`` it reads (alone, inside a
        string, or as an argument of ``format()``) takes its default; None when it reads no
        variable or one without a usable default. A list default gives one string per item."""
        if not isinstance(text, str) or "var." not in text:
            return None
        whole = _VAR.fullmatch(text)
        if whole:
            found = self.defaults.get(whole.group(1))
            if isinstance(found, str):
                return [found]
            if isinstance(found, list) and found and all(isinstance(v, str) for v in found):
                return list(found)
            return None
        formatted = _FORMAT.match(text)
        if formatted:
            args = []
            for name, literal in _ARG.findall(formatted.group(2)):
                found = self.defaults.get(name) if name else literal
                if not isinstance(found, str):
                    return None
                args.append(found)
            pattern = formatted.group(1)
            if pattern.count("%s") != len(args) or "%" in pattern.replace("%s", ""):
                return None
            return [pattern.replace("%s", "{}").format(*args)] if "{" not in pattern else None
        missing: list[str] = []

        def substitute(match: Match[str]) -> str:
            found = self.defaults.get(match.group(1))
            if not isinstance(found, str):
                missing.append(match.group(1))
                return match.group(0)
            return found

        out = _VAR.sub(substitute, text)
        return None if missing or out == text or "${" in out else [out]


def _entries(block_type: str, labels: int, entry: Any, source_lines: Sequence[str]) -> Iterator[Block]:
    """Blocks in one hcl2 entry: ``{label: {label: body}}`` nested ``labels`` deep."""
    if not isinstance(entry, dict):
        return
    if labels == 0:
        if START in entry:
            yield Block(block_type, (), entry, source_lines)
        return
    for label, inner in entry.items():
        if not isinstance(inner, dict) or label in (START, END):
            continue
        if labels == 1:
            if START in inner:
                yield Block(block_type, (label,), inner, source_lines)
        else:
            for second, body in inner.items():
                if isinstance(body, dict) and START in body:
                    yield Block(block_type, (label, second), body, source_lines)
