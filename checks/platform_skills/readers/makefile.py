"""Makefiles, read as data: variables, targets, prerequisites and recipe lines with their lines.

Not make: no conditionals (both branches are read), no ``$(shell)``, no ``$(eval)``. Enough to
follow the targets a workflow runs (``make release``) to the commands their recipes run,
prerequisites first. Variables and the text functions that usually build target lists
(``$(call)``, ``$(addprefix)``, ``$(addsuffix)``, ``$(foreach)``, ``$(patsubst)``, ``$(subst)``)
are expanded; static pattern rules and ``%`` pattern rules are kept. Recipes that run
``$(MAKE) [-C dir] other`` or ``make -C dir other`` call ``other`` (kept apart from
prerequisites: a ``docs`` target running ``make -C docs docs`` is no cycle). A target name
the reader cannot expand is skipped and listed in ``unexpanded``, never an error.
"""

from __future__ import annotations

import re

from .following import make_targets
from .shell import split_commands

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from .shell import Command, Token

_ASSIGN = re.compile(r"^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?::{1,3}=|\?=|\+=|!=|=)\s*(.*)$")
_DEFINE = re.compile(r"^(?:export\s+|override\s+)?define\s+([A-Za-z_][A-Za-z0-9_.-]*)")
_RULE = re.compile(r"^([^\s:=#][^=#]*?)\s*::?(?!=)\s*(.*)$")
_TARGET_VAR = re.compile(r"^\s*(?:export\s+|override\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*(?::{1,3}=|\?=|\+=|=)")
_DIRECTIVE = ("ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "vpath", "unexport", "export",
              ".PHONY", "undefine")
_FUNCTIONS = ("call", "addprefix", "addsuffix", "foreach", "patsubst", "subst", "strip", "sort",
              "firstword", "notdir")


class MakefileError(Exception):
    pass


class Target:
    __slots__ = ("name", "line", "prerequisites", "calls", "recipe")

    def __init__(self, name: str, line: int, prerequisites: Iterable[str]) -> None:
        self.name = name
        self.line = line
        self.prerequisites = list(prerequisites)
        self.calls: list[tuple[int, str]] = []  # (line, target) that the recipe runs with $(MAKE) / make -C
        self.recipe: list[tuple[int, str]] = []  # (file line, text)


class Makefile:
    """Targets by name, with recipes expanded from the file's own variables."""

    __slots__ = ("targets", "variables", "name", "unexpanded")

    def __init__(self, text: str, name: str = "Makefile") -> None:
        self.name = name
        self.variables: dict[str, str] = {}
        self.targets: dict[str, Target] = {}
        self.unexpanded: list[tuple[int, str]] = []  # (line, text): target lists or sub-make calls not expanded
        current: list[tuple[int, str]] | None = None  # the recipe lines of the rule being read
        rules = []
        lines = iter(_logical_lines(text))
        for number, line in lines:
            if line.startswith("\t"):
                if current is not None:
                    current.append((number, line[1:]))
                continue
            stripped = line.split("#", 1)[0].rstrip()
            if not stripped.strip():
                continue
            if stripped.split()[0] in _DIRECTIVE:
                continue  # conditionals: both branches are read, recipes go on
            current = None
            define = _DEFINE.match(stripped)
            if define:
                body = []
                for _, inner in lines:
                    if inner.strip() == "endef":
                        break
                    body.append(inner)
                self.variables[define.group(1)] = "\n".join(body)
                continue
            if stripped.startswith(("include ", "-include ", "sinclude ")):
                if name in stripped.split()[1:]:
                    raise MakefileError(f"line {number}: includes itself")
                continue
            assign = _ASSIGN.match(stripped)
            if assign:
                var, value = assign.group(1), assign.group(2).strip()
                if re.match(r"^(?:export\s+|override\s+)?\S+\s*\+=", stripped) and var in self.variables:
                    value = self.variables[var] + " " + value
                self.variables[var] = value
                continue
            rule = _RULE.match(stripped)
            if rule and not _TARGET_VAR.match(rule.group(2)):  # not ``target: VAR := value``
                current = []
                rules.append((number, rule.group(1), rule.group(2), current))
        for number, names, rest, recipe in rules:
            self._add_rule(number, names, rest, recipe)
        for target in self.targets.values():
            for command in self.commands(target.name):
                args = _submake_args(command)
                if args is None:
                    continue
                for word in make_targets(args)[1]:
                    word = word.replace("$@", target.name)
                    if "$" in word:
                        if (command.line, f"$(MAKE) {word}") not in self.unexpanded:
                            self.unexpanded.append((command.line, f"$(MAKE) {word}"))
                    else:
                        target.calls.append((command.line, word))
        self._check_cycles()

    def _add_rule(self, number: int, names: str, rest: str, recipe: list[tuple[int, str]]) -> None:
        """One rule line: ``targets: prerequisites``, or the static pattern
        ``targets: target-pattern: prerequisites``, with its recipe lines."""
        prereqs, _, inline = rest.partition(";")
        static = _split_words(prereqs)
        if static and static[0].endswith(":") and "%" in static[0]:
            prereqs = " ".join(static[1:])  # the pattern maps targets to their prerequisites
        words = _split_words(self.expand(names))
        if not words:
            return
        if inline.strip():
            recipe = [(number, inline.strip())] + recipe
        for word in words:
            if "$" in word.replace("$$", ""):
                if (number, word) not in self.unexpanded:
                    self.unexpanded.append((number, word))
                continue
            target = self.targets.setdefault(word, Target(word, number, []))
            target.prerequisites.extend(w for w in _split_words(self.expand(prereqs))
                                        if w != "|" and "$" not in w)
            target.recipe.extend(recipe)

    def expand(self, text: str, depth: int = 0) -> str:
        """Substitute the file's own ``$(VAR)`` and text functions; ``$$`` is a literal ``$``
        for the shell. What cannot be expanded is left as written."""
        return _unescape(self._expand(text, {}, depth))

    def _expand(self, text: str, args: Mapping[str, str], depth: int) -> str:
        if depth > 10 or "$" not in text:
            return text
        out = []
        i = 0
        n = len(text)
        while i < n:
            ch = text[i]
            if ch != "$" or i + 1 >= n:
                out.append(ch)
                i += 1
                continue
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$$")
                i += 2
                continue
            if nxt not in "({":
                value = args.get(nxt)
                if value is None and nxt.isalpha():
                    value = self.variables.get(nxt)
                out.append(text[i:i + 2] if value is None else value)
                i += 2
                continue
            end = _matching(text, i + 1)
            inner = text[i + 2:end - 1]
            out.append(self._reference(inner, args, depth) or text[i:end])
            i = end
        return "".join(out)

    def _reference(self, inner: str, args: Mapping[str, str], depth: int) -> str | None:
        """The value of ``$(inner)``, or None when the reader cannot tell."""
        head, space, rest = inner.partition(" ")
        if space and head in _FUNCTIONS:
            parts = [p.strip() if k == 0 or head != "subst" else p
                     for k, p in enumerate(_split_args(rest))]
            values = [self._expand(p, args, depth + 1) for p in parts]
            return _function(self, head, parts, values, args, depth)
        name = self._expand(inner, args, depth + 1)
        if "$" in name or " " in name:
            return None
        if name in args:
            return args[name]
        value = self.variables.get(name)
        return None if value is None else self._expand(value, args, depth + 1)

    def commands(self, target: str) -> list[Command]:
        """The shell commands of one target's recipe (not its prerequisites')."""
        lines = []
        for number, text in self.targets[target].recipe:
            # A ``define`` body expands to several recipe lines, all at the caller's line.
            for piece in self.expand(text.lstrip("@-+ ")).split("\n"):
                lines.append((number, piece.lstrip("\t @-+")))
        return split_commands(lines)

    def _check_cycles(self) -> None:
        state = {}
        for start in self.targets:
            stack = [(start, iter(self.targets[start].prerequisites), [start])]
            if start in state:
                continue
            state[start] = "open"
            while stack:
                name, children, path = stack[-1]
                child = next(children, None)
                if child is None:
                    state[name] = "done"
                    stack.pop()
                elif child in self.targets:
                    if state.get(child) == "open":
                        loop = " -> ".join(path[path.index(child):] + [child])
                        raise MakefileError(f"line {self.targets[child].line}: target "
                                            f"'{child}' depends on itself ({loop})")
                    if child not in state:
                        state[child] = "open"
                        stack.append((child, iter(self.targets[child].prerequisites), path + [child]))


def _function(makefile: Makefile, head: str, parts: Sequence[str], values: Sequence[str],
              args: Mapping[str, str], depth: int) -> str | None:
    if head == "call" and values:
        body = makefile.variables.get(values[0])
        if body is None:
            return None
        given = {str(k): v for k, v in enumerate(values[1:], 1)}
        return makefile._expand(body, given, depth + 1)
    if head in ("addprefix", "addsuffix") and len(values) == 2:
        words = values[1].split()
        return " ".join(values[0] + w if head == "addprefix" else w + values[0] for w in words)
    if head == "foreach" and len(parts) == 3:
        var = values[0]
        return " ".join(makefile._expand(parts[2], {**args, var: word}, depth + 1)
                        for word in values[1].split())
    if head == "patsubst" and len(values) == 3:
        return " ".join(_patsubst(values[0], values[1], w) for w in values[2].split())
    if head == "subst" and len(values) == 3:
        return values[2].replace(values[0], values[1])
    if head in ("strip", "sort", "firstword", "notdir") and values:
        words = " ".join(values).split()
        if head == "sort":
            words = sorted(set(words))
        elif head == "firstword":
            words = words[:1]
        elif head == "notdir":
            words = [w.rsplit("/", 1)[-1] for w in words]
        return " ".join(words)
    return None


def _patsubst(pattern: str, replacement: str, word: str) -> str:
    if "%" not in pattern:
        return replacement if word == pattern else word
    before, after = pattern.split("%", 1)
    if word.startswith(before) and word.endswith(after) and len(word) >= len(before) + len(after):
        stem = word[len(before):len(word) - len(after)]
        return replacement.replace("%", stem, 1)
    return word


def _submake_args(command: Command) -> list[Token] | None:
    """The arguments of ``$(MAKE) ...`` or ``make ...`` in a recipe command, or None."""
    argv = command.argv
    if argv and argv[0].text in ("$(MAKE)", "${MAKE}", "$MAKE"):
        return argv[1:]
    return command.invocation("make")


def _split_words(text: str) -> list[str]:
    """Whitespace-separated words, keeping ``$(...)`` with its spaces in one word."""
    words: list[str]
    buf: list[str]
    words, buf, depth = [], [], 0
    for ch in text:
        if ch in "({" and buf and buf[-1] == "$":
            depth += 1
        elif ch in ")}" and depth:
            depth -= 1
        if ch.isspace() and not depth:
            if buf:
                words.append("".join(buf))
                buf = []
            continue
        buf.append(ch)
    if buf:
        words.append("".join(buf))
    return words


def _split_args(text: str) -> list[str]:
    """A function's comma-separated arguments (commas inside ``$(...)`` stay)."""
    parts: list[str]
    buf: list[str]
    parts, buf, depth = [], [], 0
    for ch in text:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == "," and not depth:
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    return parts


def _matching(text: str, open_index: int) -> int:
    opener = text[open_index]
    closer = ")" if opener == "(" else "}"
    depth = 0
    for j in range(open_index, len(text)):
        if text[j] == opener:
            depth += 1
        elif text[j] == closer:
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


def _unescape(text: str) -> str:
    return text.replace("$$", "$")


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(first line number, text)`` with backslash continuations joined."""
    buffer: list[str]
    start: int | None
    buffer, start = [], None
    for number, line in enumerate(text.split("\n"), 1):
        if start is None:
            start = number
        if line.endswith("\\") and not line.endswith("\\\\"):
            buffer.append(line[:-1])
            continue
        buffer.append(line)
        yield start, " ".join(buffer) if len(buffer) > 1 else buffer[0]
        buffer, start = [], None
