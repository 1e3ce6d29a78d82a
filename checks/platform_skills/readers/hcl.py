"""Lines inside one HCL block: where each attribute, nested block, object key and list item is.

``hcl2`` gives each top-level block its first and last line but no line for what is inside,
so this reader scans the block's own text (never the whole file) and records the line of
every place a rule may point at, keyed by its path in the parsed value: ``("statement", 0,
"condition", 1, "values", 0)`` for a nested block's attribute's first item, or
``("assume_role_policy", "Statement", 0, "Condition", "StringLike", "x:sub")`` for a key
inside ``jsonencode({...})`` or inside a JSON heredoc (JSON objects scan like HCL objects).

The scan is linear and tolerant: it runs on text ``hcl2`` already accepted, and an odd shape
it does not follow only costs that place its line (callers fall back to the enclosing one).
"""

from __future__ import annotations

import contextlib
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    Path = tuple[str | int | None, ...]  # keys and indexes into the parsed value

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*\r?\n")
_NUMBER = re.compile(r"[0-9][0-9A-Za-z_.]*")
NEWLINE, STRING, IDENT, HEREDOC, PUNCT = "newline", "string", "ident", "heredoc", "punct"


class _Token:
    __slots__ = ("kind", "text", "line")

    def __init__(self, kind: str, text: str, line: int) -> None:
        self.kind = kind
        self.text = text  # the value of a string (quotes removed), a heredoc's body
        self.line = line  # a heredoc's line is that of its first body line


def _tokens(text: str, first_line: int) -> list[_Token]:
    """Tokens of ``text`` whose first line is ``first_line``; comments and blanks dropped."""
    out: list[_Token] = []
    i, n, line = 0, len(text), first_line
    while i < n:
        c = text[i]
        if c == "\n":
            out.append(_Token(NEWLINE, c, line))
            line += 1
            i += 1
        elif c in " \t\r":
            i += 1
        elif c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
        elif c == '"':
            end = _string_end(text, i)
            out.append(_Token(STRING, text[i + 1:end - 1], line))
            line += text.count("\n", i, end)
            i = end
        elif text.startswith("<<", i) and _HEREDOC.match(text, i):
            match = _HEREDOC.match(text, i)
            body_start = match.end()  # type: ignore[union-attr]
            marker = match.group(1)  # type: ignore[union-attr]
            body_end, after = _heredoc_end(text, body_start, marker)
            out.append(_Token(HEREDOC, text[body_start:body_end], line + 1))
            line += text.count("\n", i, after)
            i = after
        else:
            match = _IDENT.match(text, i) or _NUMBER.match(text, i)
            if match:
                out.append(_Token(IDENT, match.group(), line))
                i = match.end()
            else:
                out.append(_Token(PUNCT, c, line))
                i += 1
    return out


def _string_end(text: str, i: int) -> int:
    """Index after the string opening at ``i``: escapes and ``${ }`` / ``%{ }`` templates
    (which may hold strings and braces of their own) are skipped."""
    n = len(text)
    i += 1
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i + 1
        elif c in "$%" and text.startswith("{", i + 1):
            i = _template_end(text, i + 2)
        elif c == "\n":
            return i  # HCL strings do not span lines: stop rather than swallow the file
        else:
            i += 1
    return n


def _template_end(text: str, i: int) -> int:
    depth, n = 1, len(text)
    while i < n and depth:
        c = text[i]
        if c == '"':
            i = _string_end(text, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    return i


def _heredoc_end(text: str, start: int, marker: str) -> tuple[int, int]:
    """``(end of body, index after the closing marker line)``."""
    pos = start
    while pos <= len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        if text[pos:end].strip() == marker:
            return max(start, pos - 1), end
        if end >= len(text):
            break
        pos = end + 1
    return len(text), len(text)


class _Scanner:
    """Recursive descent over the tokens, recording ``path -> line``."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.lines: dict[Path, int] = {}

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> _Token:  # (only past a peek that found one)
        token = self.peek()
        self.pos += 1
        return token  # type: ignore[return-value]

    def at(self, text: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == PUNCT and token.text == text

    def skip_newlines(self) -> None:
        while self.peek() is not None and self.peek().kind == NEWLINE:  # type: ignore[union-attr]
            self.pos += 1

    def record(self, path: Path, line: int) -> None:
        self.lines.setdefault(path, line)

    # --- bodies: attributes and nested blocks

    def block(self, path: Path) -> None:
        """From a block header to its closing brace."""
        while self.peek() is not None and not self.at("{"):
            self.pos += 1
        if self.peek() is not None:
            self.pos += 1
            self.body(path)

    def body(self, path: Path) -> None:
        counts: dict[str, int] = {}
        while True:
            self.skip_newlines()
            token = self.peek()
            if token is None:
                return
            if self.at("}"):
                self.pos += 1
                return
            if token.kind not in (IDENT, STRING):
                self.pos += 1
                continue
            self.pos += 1
            if self.at("=") and not self.at("=", 1):
                self.pos += 1
                self.record(path + (token.text,), token.line)
                self.expression(path + (token.text,), stop_at_newline=True)
                continue
            while self.peek() is not None and self.peek().kind in (IDENT, STRING):  # type: ignore[union-attr]
                self.pos += 1  # block labels
            if self.at("{"):
                self.pos += 1
                index = counts.get(token.text, 0)
                counts[token.text] = index + 1
                self.record(path + (token.text, index), token.line)
                self.body(path + (token.text, index))

    # --- expressions: objects, lists, function calls, heredocs

    def expression(self, path: Path, stop_at_newline: bool = False, closers: tuple[str, ...] = ()) -> None:
        """Skip one expression, descending into the structures it holds."""
        while True:
            token = self.peek()
            if token is None:
                return
            if token.kind == NEWLINE:
                if stop_at_newline:
                    return
                self.pos += 1
            elif token.kind == PUNCT and token.text in closers:
                return
            elif token.kind == PUNCT and token.text == ",":
                if closers:
                    return
                self.pos += 1
            elif self.at("{"):
                self.pos += 1
                self.object(path)
            elif self.at("["):
                self.pos += 1
                self.sequence(path)
            elif self.at("("):
                self.pos += 1
                self.expression(path, closers=(")",))  # a call's arguments stand for its value
                while self.at(","):
                    self.pos += 1
                    self.expression(path, closers=(")",))
                if self.at(")"):
                    self.pos += 1
            elif token.kind == PUNCT and token.text in ")]}":
                return  # unbalanced: leave it to the caller
            elif token.kind == HEREDOC:
                self.pos += 1
                inner = _Scanner(_tokens(token.text, token.line))
                inner.expression(path)
                for key, line in inner.lines.items():
                    self.record(key, line)
            else:
                self.pos += 1

    def object(self, path: Path) -> None:
        if self.peek() is not None and self.peek().kind == IDENT and self.peek().text == "for":  # type: ignore[union-attr]
            self.skip_to("}")
            return
        while True:
            self.skip_newlines()
            while self.at(","):
                self.pos += 1
                self.skip_newlines()
            token = self.peek()
            if token is None:
                return
            if self.at("}"):
                self.pos += 1
                return
            if token.kind in (IDENT, STRING):
                self.pos += 1
                key = token.text
            elif self.at("("):
                self.pos += 1
                self.expression(path, closers=(")",))
                self.pos += 1
                key = None
            else:
                self.pos += 1
                continue
            if self.at("=") or self.at(":"):
                self.pos += 1
                if key is not None:
                    self.record(path + (key,), token.line)
                self.expression(path + (key,), stop_at_newline=True, closers=("}",))

    def sequence(self, path: Path) -> None:
        if self.peek() is not None and self.peek().kind == IDENT and self.peek().text == "for":  # type: ignore[union-attr]
            self.skip_to("]")
            return
        index = 0
        while True:
            self.skip_newlines()
            token = self.peek()
            if token is None:
                return
            if self.at("]"):
                self.pos += 1
                return
            if self.at(","):
                self.pos += 1
                index += 1
                continue
            if token.kind == PUNCT and token.text in ")}":
                return
            self.record(path + (index,), token.line)
            self.expression(path + (index,), closers=("]",))

    def skip_to(self, closer: str) -> None:
        opener = {"}": "{", "]": "[", ")": "("}[closer]
        depth = 1
        while self.peek() is not None and depth:
            token = self.take()
            if token.kind == PUNCT and token.text == opener:
                depth += 1
            elif token.kind == PUNCT and token.text == closer:
                depth -= 1


def outline(lines: Sequence[str], start: int, end: int) -> dict[Path, int]:
    """``{path: line}`` for the block spanning 1-based lines ``start``..``end`` of ``lines``."""
    text = "\n".join(lines[start - 1:end])
    scanner = _Scanner(_tokens(text, start))
    with contextlib.suppress(RecursionError):  # absurd nesting: the lines found so far hold
        scanner.block(())
    return scanner.lines
