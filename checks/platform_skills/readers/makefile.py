"""Makefiles, read as data: variables, targets, prerequisites and recipe lines with their lines.

Not make: no pattern rules, no conditionals, no functions. Enough to follow the targets a
workflow runs (``make release``) to the commands their recipes run, prerequisites first.
Recipes that call ``$(MAKE) other`` or ``make other`` count ``other`` as a prerequisite.
"""

import re

from .shell import split_commands

_ASSIGN = re.compile(r"^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?::{1,3}=|\?=|\+=|=)\s*(.*)$")
_RULE = re.compile(r"^([^\s:=#][^:=#]*?)\s*::?(?!=)\s*(.*)$")
_VAR = re.compile(r"\$[({]([A-Za-z_][A-Za-z0-9_.-]*)[)}]")
_SUBMAKE = re.compile(r"^(?:\$[({]MAKE[)}]|make)\s+(.*)$")


class MakefileError(Exception):
    pass


class Target:
    __slots__ = ("name", "line", "prerequisites", "recipe")

    def __init__(self, name, line, prerequisites):
        self.name = name
        self.line = line
        self.prerequisites = list(prerequisites)
        self.recipe = []  # (file line, text)


class Makefile:
    """Targets by name, with recipes expanded from the file's own variables."""

    __slots__ = ("targets", "variables", "name")

    def __init__(self, text, name="Makefile"):
        self.name = name
        self.variables = {}
        self.targets = {}
        current = None
        for number, line in _logical_lines(text):
            if line.startswith("\t"):
                if current is not None:
                    current.recipe.append((number, line[1:]))
                continue
            stripped = line.split("#", 1)[0].rstrip()
            if not stripped.strip():
                continue
            if stripped.startswith(("include ", "-include ", "sinclude ")):
                if name in stripped.split()[1:]:
                    raise MakefileError(f"line {number}: includes itself")
                continue
            assign = _ASSIGN.match(stripped)
            if assign:
                self.variables[assign.group(1)] = assign.group(2).strip()
                current = None
                continue
            rule = _RULE.match(stripped)
            if rule:
                prereqs, _, inline = rule.group(2).partition(";")
                for target in rule.group(1).split():
                    current = self.targets.setdefault(target, Target(target, number, []))
                    current.prerequisites.extend(prereqs.split())
                    if inline.strip():
                        current.recipe.append((number, inline.strip()))
                continue
            current = None
        for target in self.targets.values():
            for _, text in target.recipe:
                sub = _SUBMAKE.match(self.expand(text.lstrip("@-+ ")))
                if sub:
                    target.prerequisites.extend(
                        w for w in sub.group(1).split() if not w.startswith("-") and "=" not in w)
        self._check_cycles()

    def expand(self, text, depth=0):
        """Substitute the file's own ``$(VAR)``; ``$$`` is a literal ``$`` for the shell."""
        if depth > 10 or "$" not in text:
            return text.replace("$$", "$")
        out = _VAR.sub(lambda m: self.variables.get(m.group(1), m.group(0)), text)
        return out.replace("$$", "$") if out == text else self.expand(out, depth + 1)

    def commands(self, target):
        """The shell commands of one target's recipe (not its prerequisites')."""
        lines = [(n, self.expand(t.lstrip("@-+ "))) for n, t in self.targets[target].recipe]
        return split_commands(lines)

    def _check_cycles(self):
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


def _logical_lines(text):
    """``(first line number, text)`` with backslash continuations joined."""
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
