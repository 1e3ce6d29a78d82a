"""Split a ``run:`` script into simple commands, each tagged with its file line.

Not a shell: a tokenizer good enough to find ``cosign sign IMAGE`` or ``trivy image
--exit-code 1`` and the line it starts on. It understands quotes, ``\\`` continuations,
comments, ``;``/``&&``/``||``/``|`` separators, ``$(...)``, GitHub ``${{ ... }}``
expressions (which contain spaces) and here-documents (whose bodies are skipped).
"""

from __future__ import annotations

import re

from .. import nodes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

# Words that introduce or wrap a command without being the program itself.
_KEYWORDS = frozenset(("if", "then", "else", "elif", "do", "while", "until", "!", "{", "(", "time"))
# Programs that run another program given in their arguments.
WRAPPERS = frozenset(("sudo", "env", "xargs", "timeout", "nice", "nohup", "exec", "command",
                      "retry", "parallel", "time"))
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
_SPECIAL = re.compile(r"[\\'\"$`#;&|()<]")  # a line without these is plain words
# Runs of characters the tokenizer only copies: outside quotes (none it reacts to), inside
# double quotes (no quote, no backslash), inside single quotes (no quote).
_PLAIN = re.compile(r"[^\\'\"$`#;&|()< \t]*")
_IN_DOUBLE = re.compile(r'[^"\\]*')
_IN_SINGLE = re.compile(r"[^']*")


class Token:
    __slots__ = ("text", "line")

    def __init__(self, text: str, line: int) -> None:
        self.text = text
        self.line = line

    def __repr__(self) -> str:
        return f"{self.text!r}@{self.line}"


class Command:
    """One simple command: leading ``VAR=value`` assignments, then program and arguments."""

    __slots__ = ("tokens", "assignments", "argv", "then", "program")

    def __init__(self, tokens: list[Token], then: str | None = None) -> None:
        self.tokens = tokens
        self.then = then  # the operator after it: "&&", "||", ";", "|", "&" (None: end of line)
        start = 0
        while start < len(tokens) and (tokens[start].text in _KEYWORDS
                                       or _ASSIGNMENT.match(tokens[start].text)):
            start += 1
        self.assignments = [t for t in tokens[:start] if _ASSIGNMENT.match(t.text)]
        self.argv = tokens[start:]
        # The program's name (``basename`` of the first word; "" when there is none): found
        # once, since every rule that reads commands asks it of every command.
        self.program = self.argv[0].text.rsplit("/", 1)[-1] if self.argv else ""

    @property
    def line(self) -> int:
        return self.tokens[0].line

    def invocation(self, program: str) -> list[Token] | None:
        """Arguments after ``program`` when this command runs it (directly or via a wrapper)."""
        first = self.program
        if first == program:
            return self.argv[1:]
        if first in WRAPPERS:
            for i, token in enumerate(self.argv[1:], 1):
                if basename(token.text) == program:
                    return self.argv[i + 1:]
        return None

    def __repr__(self) -> str:
        return f"<Command {' '.join(t.text for t in self.tokens)} @{self.line}>"


def basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def script_lines(node: nodes.Scalar, source_lines: list[str] | None) -> list[tuple[int, str]]:
    """``(file_line, text)`` for each line of a ``run:`` scalar node.

    Literal blocks (``|``) map one value line to one file line exactly; folded and
    multi-line plain scalars are read back from the source so lines stay true.
    """
    value = node.value
    start = nodes.line(node)
    style = node.style
    if style == "|":
        return [(start + 1 + i, text) for i, text in enumerate(value.split("\n"))]
    single_line = node.end_mark.line == node.start_mark.line
    if style in ('"', "'") or source_lines is None or (style != ">" and single_line):
        # A quoted value's newlines (escaped "\n" or folded blank lines) still end shell
        # lines; their exact source lines are not recoverable, so stay within the scalar.
        last = node.end_mark.line + 1
        return [(min(start + i, last) if not single_line else start, text)
                for i, text in enumerate(value.split("\n"))]
    # Folded or plain multi-line: folding turns single newlines into spaces, so the
    # lines of one paragraph are one shell line; keep each line's own number.
    first = start + 1 if style == ">" else start
    end = node.end_mark
    last = end.line if end.column == 0 else end.line + 1  # a block ends at column 0 of the next line
    raw = source_lines[first - 1:last]
    if style != ">" and raw:
        raw[0] = raw[0][node.start_mark.column:]
    out = [(first + offset, text.strip()) for offset, text in enumerate(raw)]
    return _fold(out)


def _fold(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join adjacent non-blank lines with a continuation so they tokenise as one."""
    folded: list[tuple[int, str]] = []
    for lineno, text in lines:
        if folded and folded[-1][1] and text:
            prev_line, prev_text = folded[-1]
            folded[-1] = (prev_line, prev_text + " \\")
        folded.append((lineno, text))
    return folded


def split_commands(lines: Iterable[tuple[int, str]], depth: int = 0) -> list[Command]:
    """Commands of a script given as ``(file_line, text)`` pairs, then the commands inside
    its ``$(...)`` substitutions (``IMAGE=$(ko build .)`` runs ``ko build``)."""
    commands = _split(lines)
    if depth < _MAX_NESTING:
        for command in list(commands):
            for token in command.tokens:
                start = token.text.find("$(")
                while start >= 0:
                    end = _matching_paren(token.text, start + 1)
                    inner = token.text[start + 2:end - 1]
                    if inner.strip():
                        commands.extend(split_commands([(token.line, inner)], depth + 1))
                    start = token.text.find("$(", end)
    return commands


_MAX_NESTING = 4  # substitutions inside substitutions: deeper ones are not read


def _split(lines: Iterable[tuple[int, str]]) -> list[Command]:
    commands: list[Command] = []
    current: list[Token] = []
    buf: list[str] = []
    buf_line: int | None = None
    heredoc = None
    quote = None
    for lineno, text in lines:
        if heredoc is not None:
            if text.strip() == heredoc:
                heredoc = None
            continue
        if quote is None and not buf and not _SPECIAL.search(text):
            # Fast path (most script lines): whitespace-separated words, one command.
            current.extend(Token(word, lineno) for word in text.split())
            _end(current, commands)
            current = []
            continue
        i = 0
        n = len(text)
        pending_heredoc = None
        while i < n:
            ch = text[i]
            if quote:
                if ch == quote:
                    quote = None
                elif ch == "\\" and quote == '"' and i + 1 < n:
                    buf.append(text[i + 1])
                    i += 2
                    continue
                else:  # a run of plain characters inside the quotes, taken at once (at
                    # least this one: a backslash ending the line inside "..." is kept)
                    end = max(i + 1, (_IN_DOUBLE if quote == '"' else _IN_SINGLE).match(text, i).end())  # type: ignore[union-attr]
                    buf.append(text[i:end])
                    i = end
                    continue
                i += 1
                continue
            if ch in "'\"":
                quote = ch
                if buf_line is None:
                    buf_line = lineno
                i += 1
                continue
            if ch == "$" and text.startswith("${{", i):
                end = text.find("}}", i)
                end = n if end < 0 else end + 2
                if buf_line is None:
                    buf_line = lineno
                buf.append(text[i:end])
                i = end
                continue
            if ch == "$" and text.startswith("$(", i):
                end = _matching_paren(text, i + 1)
                if buf_line is None:
                    buf_line = lineno
                buf.append(text[i:end])
                i = end
                continue
            if ch == "`":
                end = text.find("`", i + 1)
                end = n if end < 0 else end + 1
                if buf_line is None:
                    buf_line = lineno
                buf.append(text[i:end])
                i = end
                continue
            if ch == "\\":
                if i + 1 >= n:  # line continuation
                    i += 1
                    continue
                buf.append(text[i + 1])
                if buf_line is None:
                    buf_line = lineno
                i += 2
                continue
            if ch == "#" and not buf:
                break  # comment to end of line
            if ch in " \t":
                _flush(buf, buf_line, current)
                buf, buf_line = [], None
                i += 1
                continue
            if ch in ";&|()":
                _flush(buf, buf_line, current)
                buf, buf_line = [], None
                operator = text[i:i + 2] if text.startswith(("&&", "||", ";;"), i) else ch
                _end(current, commands, operator)
                current = []
                i += len(operator)
                continue
            if ch == "<":
                match = _HEREDOC.match(text, i)
                if match:
                    pending_heredoc = match.group(2)
                    _flush(buf, buf_line, current)
                    buf, buf_line = [], None
                    i = match.end()
                    continue
            end = _PLAIN.match(text, i + 1).end()  # type: ignore[union-attr]  # ordinary characters from here
            buf.append(text[i:end])
            if buf_line is None:
                buf_line = lineno
            i = end
        if quote:
            buf.append("\n")
            continue
        if text.endswith("\\") and not text.endswith("\\\\"):
            continue  # continuation: the command goes on on the next line
        _flush(buf, buf_line, current)
        buf, buf_line = [], None
        _end(current, commands)
        current = []
        if pending_heredoc:
            heredoc = pending_heredoc
    _flush(buf, buf_line, current)
    _end(current, commands)
    return commands


def _matching_paren(text: str, open_index: int) -> int:
    depth = 0
    for j in range(open_index, len(text)):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


def _flush(buf: list[str], buf_line: int | None, current: list[Token]) -> None:
    if buf_line is not None:
        current.append(Token("".join(buf), buf_line))


def _end(current: list[Token], commands: list[Command], then: str | None = None) -> None:
    if current:
        commands.append(Command(current, then))


def parse_run(node: nodes.Node | None, source_lines: list[str] | None) -> list[Command]:
    """Commands of a ``run:`` node (empty for non-scalars)."""
    if not nodes.is_scalar(node):
        return []
    return split_commands(script_lines(node, source_lines))
