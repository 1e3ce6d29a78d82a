"""GitHub ``${{ ... }}`` expressions: where they are in a scalar, and what text they expand to.

The injection rules need to know which context values end up *in the text* of a script, not
which names merely appear in it: ``${{ github.event.issue.title }}`` pastes the title,
``${{ contains(github.event.issue.title, 'bug') }}`` pastes ``true`` or ``false``. So each
expression is parsed (a small recursive-descent parser over GitHub's grammar: literals,
context paths with ``.name``, ``['name']``, ``[0]`` and ``.*``, function calls, ``!``,
comparisons, ``&&`` and ``||``) and reduced to the context paths whose value may be pasted:

- a path pastes itself; ``a || b`` and ``a && b`` return one of their operands, so both
  count; ``!`` and comparisons return booleans, so nothing does;
- ``contains``, ``startsWith``, ``endsWith``, ``hashFiles`` and the status functions return a
  boolean or a hash; every other function (``format``, ``join``, ``toJSON``, ``fromJSON``,
  and any this parser does not know) builds its result from its arguments, so their
  arguments count: ``format('{0}', github.event.issue.title)`` still pastes the title.

Parsing is lazy (only scalars holding ``${{``), cached per expression text, linear in the
input, and bounded: an expression nested deeper than ``MAX_DEPTH``, an unknown character or
an unclosed ``${{`` yields no expression rather than an error, and never recursion without
limit. GitHub rejects such workflows itself.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from .. import nodes
from .shell import script_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    # A parse tree (see below): a tuple whose first item names its shape.
    Tree = tuple[Any, ...]
    Path = tuple[str, ...]

MAX_DEPTH = 50  # nesting of (), [], calls and ! beyond this is not a workflow GitHub runs
_LITERAL_WORDS = frozenset(("true", "false", "null", "nan", "infinity"))
# Functions whose result holds none of their arguments' text.
OPAQUE_FUNCTIONS = frozenset(("contains", "startswith", "endswith", "hashfiles", "success",
                              "failure", "always", "cancelled"))
_TOKEN_PATTERN = r"""
    \s*(?:
      (?P<str>'(?:[^']|'')*')
    | (?P<num>[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))
    | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
    | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\].,*])
    )"""
_TOKEN = None  # compiled on first use: a run that meets no expression never pays for it
_END = re.compile(r"'|\}\}")


class ExpressionError(Exception):
    """Not an expression this parser (or GitHub) accepts."""


# Parse trees are small tuples:
#   ("lit",)                      a literal
#   ("path", (segment, ...))      a context path, segments lower-cased, "*" for [n] and .*
#   ("call", name, (arg, ...))    a function call, name lower-cased
#   ("either", (operand, ...))    || and &&: the value is one of the operands
#   ("bool", (operand, ...))      !, ==, !=, <, <=, >, >=: a boolean
#   ("member", base, (seg, ...))  a property of a call's or a group's result
_LIT = ("lit",)


def spans(text: str) -> list[tuple[int, str]]:
    """``(offset, body)`` of each ``${{ body }}`` in ``text``, in order.

    The closing ``}}`` is the first one outside a quoted literal. An unclosed expression
    ends the scan: GitHub refuses the value, so nothing after it is an expression either.
    """
    found: list[tuple[int, str]] = []
    pos = 0
    while True:
        start = text.find("${{", pos)
        if start < 0:
            return found
        i = start + 3
        while True:
            match = _END.search(text, i)
            if match is None:
                return found
            if match.group() == "}}":
                break
            close = text.find("'", match.end())  # a quoted literal: '' is an escaped quote
            while close >= 0 and text.startswith("''", close):
                close = text.find("'", close + 2)
            if close < 0:
                return found
            i = close + 1
        found.append((start, text[start + 3:match.start()]))
        pos = match.end()


@lru_cache(maxsize=4096)
def parse(body: str) -> Tree | None:
    """The parse tree of an expression body, or None when it is not a valid expression."""
    try:
        tokens = _tokenize(body)
        parser = _Parser(tokens)
        tree = parser.expression(0)
        if parser.pos != len(tokens):
            raise ExpressionError("unexpected text after the expression")
        return tree
    except ExpressionError:
        return None


def _tokenize(body: str) -> list[tuple[str, str]]:
    global _TOKEN
    if _TOKEN is None:
        _TOKEN = re.compile(_TOKEN_PATTERN, re.X)
    tokens: list[tuple[str, str]] = []
    pos = 0
    end = len(body.rstrip())
    while pos < end:
        match = _TOKEN.match(body, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"unexpected character at {pos}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))  # type: ignore[arg-type]  # every group is named
        pos = match.end()
    return tokens


class _Parser:
    __slots__ = ("tokens", "pos")

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> tuple[Any, Any]:  # (kind, text); (None, None) at the end
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def _take(self, value: str) -> None:
        if self._peek()[1] != value:
            raise ExpressionError(f"expected {value!r}")
        self.pos += 1

    def expression(self, depth: int) -> Tree:
        if depth > MAX_DEPTH:
            raise ExpressionError("nested too deep")
        return self._binary(depth, 0)

    # Precedence, loosest first: ||, &&, == !=, < <= > >=.
    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="))

    def _binary(self, depth: int, level: int) -> Tree:
        if level == len(self._LEVELS):
            return self._unary(depth)
        operands = [self._binary(depth, level + 1)]
        while self._peek()[0] == "op" and self._peek()[1] in self._LEVELS[level]:
            self.pos += 1
            operands.append(self._binary(depth, level + 1))
        if len(operands) == 1:
            return operands[0]
        return ("either" if level < 2 else "bool", tuple(operands))

    def _unary(self, depth: int) -> Tree:
        if self._peek() == ("op", "!"):
            while self._peek() == ("op", "!"):  # a run of ! is one level, not one per !
                self.pos += 1
            return ("bool", (self._postfix(depth + 1),))
        return self._postfix(depth)

    def _postfix(self, depth: int) -> Tree:
        tree = self._primary(depth)
        extra = []
        while True:
            kind, value = self._peek()
            if value == ".":
                self.pos += 1
                kind, value = self._peek()
                if kind == "ident" or value == "*":
                    self.pos += 1
                    extra.append(value.lower())
                    continue
                raise ExpressionError("expected a property name after '.'")
            if value == "[":
                self.pos += 1
                key = self.expression(depth + 1)
                self._take("]")
                extra.append(_index_segment(key, self.tokens[self.pos - 2]))
                continue
            break
        if not extra:
            return tree
        if tree[0] == "path":
            return ("path", tree[1] + tuple(extra))
        if tree[0] == "lit":
            return _LIT
        return ("member", tree, tuple(extra))

    def _primary(self, depth: int) -> Tree:
        kind, value = self._peek()
        if kind is None:
            raise ExpressionError("unexpected end of expression")
        self.pos += 1
        if kind in ("str", "num"):
            return _LIT
        if value == "(":
            inner = self.expression(depth + 1)
            self._take(")")
            return inner
        if kind == "ident":
            if self._peek()[1] == "(":
                self.pos += 1
                args = []
                if self._peek()[1] != ")":
                    args.append(self.expression(depth + 1))
                    while self._peek()[1] == ",":
                        self.pos += 1
                        args.append(self.expression(depth + 1))
                self._take(")")
                return ("call", value.lower(), tuple(args))
            if value.lower() in _LITERAL_WORDS:
                return _LIT
            return ("path", (value.lower(),))
        raise ExpressionError(f"unexpected {value!r}")


def _index_segment(key: Tree, last_token: tuple[str, str]) -> str:
    """The path segment of ``[key]``: a quoted name, or ``*`` for a number or a computed key."""
    if key == _LIT and last_token[0] == "str":
        return last_token[1][1:-1].replace("''", "'").lower()
    return "*"


def pasted(tree: Tree) -> list[Path]:
    """The context paths whose text may appear in the value of ``tree`` (see module doc)."""
    out = []
    stack = [tree]
    while stack:
        node = stack.pop()
        kind = node[0]
        if kind == "path":
            out.append(node[1])
        elif kind == "either":
            stack.extend(node[1])
        elif kind == "call":
            if node[1] not in OPAQUE_FUNCTIONS:
                stack.extend(node[2])
        elif kind == "member":
            out.extend(p + node[2] for p in pasted(node[1]))
    return out


def calls(tree: Tree) -> list[tuple[str, tuple[Tree, ...]]]:
    """Every ``(name, args)`` function call in ``tree``, nested ones included."""
    out = []
    stack = [tree]
    while stack:
        node = stack.pop()
        kind = node[0]
        if kind == "call":
            out.append((node[1], node[2]))
            stack.extend(node[2])
        elif kind in ("either", "bool"):
            stack.extend(node[1])
        elif kind == "member":
            stack.append(node[1])
    return out


def pasted_paths(text: str) -> list[Path]:
    """The context paths pasted by every expression in ``text`` (a scalar's value)."""
    out = []
    for _, body in spans(text) if "${{" in text else ():
        tree = parse(body)
        if tree is not None:
            out.extend(pasted(tree))
    return out


def located(node: nodes.Node | None, source_lines: list[str] | None) -> list[tuple[int, Tree]]:
    """``(file line, parse tree)`` of every valid expression in a scalar node.

    Lines inside block scalars map back to file lines the way ``run:`` scripts do
    (``shell.script_lines``), so a finding lands on the line holding the expression.
    """
    if not nodes.is_scalar(node) or "${{" not in node.value:
        return []
    entries = script_lines(node, source_lines)
    starts = []
    offset = 0
    for _, text in entries:
        starts.append(offset)
        offset += len(text) + 1
    joined = "\n".join(text for _, text in entries)
    out = []
    for start, body in spans(joined):
        tree = parse(body)
        if tree is not None:
            out.append((entries[bisect_right(starts, start) - 1][0], tree))
    return out
