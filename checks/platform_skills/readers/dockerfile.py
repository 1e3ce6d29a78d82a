"""A Dockerfile as rules read it: stages, instructions with exact lines, RUN scripts as commands.

BuildKit's parser (``parsers.dockerfile_instructions``) decides where each instruction starts
and ends. This reader maps what is inside back to file lines: a ``RUN`` with continuations
or here-documents is split by the shell reader line by line, so a ``curl | sh`` on the third
line of a ``RUN`` is reported on that line. Base images are resolved from the ``ARG``
defaults declared before the first ``FROM``, the way BuildKit expands them.
"""

from __future__ import annotations

import re

from .shell import Command, Token, basename, split_commands

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence
    from typing import Any

    from ..model import Document

SHELLS = frozenset(("sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"))
_DIRECTIVE = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(\S+)\s*$")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_SIMPLE_VAR = re.compile(r"\$(" + _NAME + ")")
_BRACED_OPERATOR = re.compile(r"^(" + _NAME + r")(?:(:?[-+])(.*))?$", re.S)


class Instruction:
    """One instruction: ``keyword`` upper-cased (``ONBUILD RUN`` keeps ``ONBUILD``, with ``sub``
    ``RUN``), its first and last file line, ``--flags``, arguments, JSON form, here-documents."""

    __slots__ = ("keyword", "sub", "line", "end", "flags", "args", "json", "heredocs", "_commands")

    def __init__(self, parsed: Any) -> None:  # a ``dockerfile.Command``
        self.keyword: str = parsed.cmd.upper()
        self.sub: str | None = parsed.sub_cmd.upper() if parsed.sub_cmd else None
        self.line: int = parsed.start_line
        self.end: int = parsed.end_line
        self.flags: tuple[str, ...] = parsed.flags
        self.args: tuple[str, ...] = parsed.value
        self.json: bool = parsed.json
        self.heredocs: tuple[Any, ...] = parsed.heredocs  # each with its ``name``
        self._commands: list[Command] | None = None

    def flag(self, name: str) -> str | None:
        """The value of ``--name=value`` (``""`` for a bare ``--name``), or None."""
        for flag in self.flags:
            key, _, value = flag[2:].partition("=")
            if key.lower() == name:
                return value
        return None

    def __repr__(self) -> str:
        return f"<Instruction {self.keyword} @{self.line}>"


class Stage:
    """A build stage: its ``FROM``, the base image as written and as resolved, its name."""

    __slots__ = ("index", "instruction", "written", "image", "unresolved", "name",
                 "parent", "instructions")

    def __init__(self, index: int, instruction: Instruction, args: Mapping[str, str | None],
                 earlier: Mapping[str, Stage]) -> None:
        self.index = index
        self.instruction = instruction
        values = instruction.args
        self.written = values[0]
        self.name = values[2].lower() if len(values) == 3 else None
        self.image, self.unresolved = expand(self.written, args)
        # ``FROM <earlier stage>`` builds on that stage; stage names are case-insensitive.
        self.parent = earlier.get(self.image.lower()) if self.image is not None else None
        self.instructions: list[Instruction] = []

    @property
    def scratch(self) -> bool:
        return self.image is not None and self.image.lower() == "scratch"

    def __repr__(self) -> str:
        return f"<Stage {self.index} {self.written!r} @{self.instruction.line}>"


class DockerfileView:
    """What the Dockerfile rules read, built once per document."""

    __slots__ = ("doc", "instructions", "stages", "global_args", "escape")
    kind = "dockerfile"  # as a workflow view's ``kind``: readers of both tell them apart by it

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.escape = escape_character(doc.lines)
        self.instructions = []
        self.stages: list[Stage] = []
        self.global_args: dict[str, str | None] = {}  # ARG before the first FROM: name -> default (None: no default)
        by_name: dict[str, Stage] = {}
        stage = None
        for parsed in doc.roots:
            ins = Instruction(parsed)
            if ins.keyword == "FROM":
                stage = Stage(len(self.stages), ins, self.global_args, by_name)
                self.stages.append(stage)
                if stage.name:
                    by_name.setdefault(stage.name, stage)
            elif stage is None and ins.keyword == "ARG":
                for name, default in arg_declarations(ins):
                    self.global_args[name] = default
            if stage is not None:
                stage.instructions.append(ins)
            self.instructions.append(ins)

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def of(self, *keywords: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword in keywords]

    def source(self, ins: Instruction) -> list[tuple[int, str]]:
        """``(file_line, text)`` for each line the instruction spans."""
        lines = self.doc.lines
        return [(n, lines[n - 1].rstrip("\r")) for n in range(ins.line, min(ins.end, len(lines)) + 1)]

    def commands(self, ins: Instruction) -> list[Command]:
        """The shell commands of a ``RUN`` (or ``ONBUILD RUN``), each with its file line."""
        if ins._commands is None:
            ins._commands = _run_commands(self, ins) if "RUN" in (ins.keyword, ins.sub) else []
        return ins._commands

    def key_line(self, ins: Instruction, name: str) -> int:
        """The line of ``name`` inside a multi-line ``ARG``/``ENV``, else the instruction's."""
        pattern = re.compile(r"(?:^|\s)" + re.escape(name) + r"(?:[=\s]|$)")
        for number, text in self.source(ins):
            if pattern.search(text.lstrip()[len(ins.keyword):] if number == ins.line else text):
                return number
        return ins.line


def escape_character(lines: Iterable[str]) -> str:
    """The ``# escape=`` parser directive (``\\`` unless set), read from the top of the file
    where BuildKit reads directives: before any other comment, blank line or instruction."""
    for text in lines:
        match = _DIRECTIVE.match(text.strip())
        if not match:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
            return match.group(2)
    return "\\"


def arg_declarations(ins: Instruction) -> Iterator[tuple[str, str | None]]:
    """``(name, default or None)`` for each name an ``ARG`` declares."""
    for item in ins.args:
        name, eq, default = item.partition("=")
        if name:
            yield name, _unquote(default) if eq else None


def env_pairs(ins: Instruction) -> Iterator[tuple[str, str]]:
    """``(name, value)`` for each variable an ``ENV`` sets (both ``k=v`` and ``k v`` forms)."""
    args = ins.args
    for i in range(0, len(args) - 1, 2):
        yield args[i], _unquote(args[i + 1])


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def expand(word: str, args: Mapping[str, str | None]) -> tuple[str | None, list[str]]:
    """``(text, unresolved names)``: ``word`` with ``$NAME``, ``${NAME}``, ``${NAME:-default}``,
    ``${NAME-default}``, ``${NAME:+alt}`` and ``${NAME+alt}`` expanded from ``args`` (declared
    names and their defaults). ``text`` is None when a name has no value to expand to."""
    missing: list[str] = []
    out = _expand(word, args, missing)
    return (None if missing else out), missing


def _expand(word: str, args: Mapping[str, str | None], missing: list[str]) -> str:
    out = []
    i = 0
    n = len(word)
    while i < n:
        ch = word[i]
        if ch != "$" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        if word[i + 1] == "{":
            end = _closing_brace(word, i + 1)
            if end < 0:
                missing.append(word[i:])
                return "".join(out)
            out.append(_braced(word[i + 2:end], args, missing))
            i = end + 1
            continue
        match = _SIMPLE_VAR.match(word, i)
        if match:
            value = args.get(match.group(1))
            if value is None:
                missing.append(match.group(1))
            else:
                out.append(value)
            i = match.end()
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _braced(inner: str, args: Mapping[str, str | None], missing: list[str]) -> str:
    match = _BRACED_OPERATOR.match(inner)
    if not match:  # ${NAME#pattern} and other forms: not resolved here
        missing.append(inner)
        return ""
    name, operator, operand = match.groups()
    value = args.get(name)
    if operator is None:
        if value is None:
            missing.append(name)
            return ""
        return value
    unset = value is None or (operator.startswith(":") and value == "")
    if operator.endswith("-"):
        return _expand(operand, args, missing) if unset else value  # type: ignore[return-value]  # set
    return "" if unset else _expand(operand, args, missing)


def _closing_brace(word: str, start: int) -> int:
    depth = 0
    for j in range(start, len(word)):
        if word[j] == "{":
            depth += 1
        elif word[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return -1


# ---------------------------------------------------------------------------------------
# RUN scripts


def _run_commands(view: DockerfileView, ins: Instruction) -> list[Command]:
    if ins.json:
        return _exec_form(ins)
    source = view.source(ins)
    commands = _strip_flags(split_commands(_shell_lines(source, ins, view.escape)), len(ins.flags))
    header_programs = {c.program for c in commands}
    # A here-document is the script itself when the RUN has no other command
    # (``RUN <<EOF``) or feeds it to a shell (``RUN <<EOF bash -e``).
    if ins.heredocs and header_programs <= SHELLS:
        for body in _heredoc_bodies(source, ins):
            commands.extend(split_commands(body))
    return commands


def _shell_lines(source: list[tuple[int, str]], ins: Instruction, escape: str) -> list[tuple[int, str]]:
    """The instruction's lines as the shell sees them: keyword removed, comment and blank
    lines inside continuations dropped (BuildKit drops them), continuation marks as ``\\``."""
    out = []
    prefix = re.compile(r"^\s*" + ins.keyword + (r"\s+" + ins.sub if ins.sub else "") + r"\b",
                        re.I)
    for number, text in source:
        if number == ins.line:
            text = prefix.sub("", text, count=1)
        elif not text.strip() or text.lstrip().startswith("#"):
            continue
        if escape == "`" and text.rstrip().endswith("`"):
            text = text.rstrip()[:-1] + "\\"
        out.append((number, text))
        if not text.rstrip().endswith("\\"):
            break  # the command part ends here; here-document bodies follow
    return out


def _strip_flags(commands: list[Command], count: int) -> list[Command]:
    """Drop ``--mount=...`` and other RUN flags from the front of the first command."""
    if count and commands:
        first = commands[0]
        tokens = first.tokens
        skip = 0
        while skip < len(tokens) and skip < count and tokens[skip].text.startswith("--"):
            skip += 1
        if skip:
            rest = tokens[skip:]
            commands[0] = Command(rest, first.then) if rest else None  # type: ignore[assignment]  # dropped below
            commands = [c for c in commands if c is not None]
    return commands


def _heredoc_bodies(source: Sequence[tuple[int, str]], ins: Instruction) -> list[list[tuple[int, str]]]:
    """``[(file_line, text), ...]`` for each here-document, in order."""
    bodies = []
    lines = iter(source)
    for _, text in lines:
        if "<<" in text and not text.rstrip().endswith("\\"):
            break
    for doc in ins.heredocs:
        body = []
        for number, text in lines:
            if text.strip() == doc.name:
                break
            body.append((number, text))
        bodies.append(body)
    return bodies


def _exec_form(ins: Instruction) -> list[Command]:
    """``RUN ["sh", "-c", "script"]`` is a script; any other exec form is one command."""
    argv = list(ins.args)
    if len(argv) >= 3 and basename(argv[0]) in SHELLS and argv[1].startswith("-") \
            and "c" in argv[1]:
        return split_commands([(ins.line, text) for text in argv[2].split("\n")])
    tokens = [Token(word, ins.line) for word in argv]
    return [Command(tokens)] if tokens else []
