"""What a command hands the pipeline on to: shell scripts it runs, Make targets it builds, the
goreleaser run it starts. The audit follows these from workflow steps, from scripts and from
Make recipes alike, so one reading of ``bash hack/release.sh`` or ``make -C dir target``
serves all three.

A script is named by candidate paths, in the order the shell would most likely find it: the
step's working directory, then the calling file's folder and its parent (scripts often reach
their siblings through ``$(dirname "$0")``), then the repository root. ``{root}`` stands for
the repository root; the audit puts the real one in when it resolves the links.
"""

from __future__ import annotations

import posixpath
import re

from .shell import WRAPPERS, basename, split_commands

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .shell import Command, Token

ROOT = "{root}"
SCRIPT_SUFFIXES = (".sh", ".bash")
_SHELLS = frozenset(("bash", "sh", "zsh", "ksh", "dash", "source", "."))
_SHELL_VALUE_FLAGS = frozenset(("-o", "-O", "--rcfile", "--init-file"))
# A leading variable or substitution that names a folder: ``${REPO_ROOT}/``, ``$(dirname $0)/``.
_LEADING_VAR = re.compile(r"^(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$\([^)]*\)|`[^`]*`)/")
_MAKE_VALUE_FLAGS = frozenset(("-C", "-f", "--directory", "--file", "-j", "--jobs", "-I",
                               "--include-dir", "-o", "--old-file", "-W", "--what-if"))
# Folders of the runner, never the repository: a script there is downloaded or generated.
_RUNNER_DIR = re.compile(r"^(?:\$\{?(?:RUNNER_TEMP|RUNNER_TOOL_CACHE|HOME|TMPDIR)\b|~/|/)")
_ACTION_PATH = re.compile(r"\$\{\{\s*github\.action_path\s*\}\}")
_WORKSPACE = re.compile(r"\$\{\{\s*github\.workspace\s*\}\}|\$GITHUB_WORKSPACE\b|\$\{GITHUB_WORKSPACE\}")


def script_word(command: Command) -> str | None:
    """The word naming the script a command runs (``./x.sh``, ``bash x.sh``, ``. x.sh``,
    ``sudo -E ./x.sh``), or None."""
    argv = command.argv
    i = 0
    while i < len(argv) and basename(argv[i].text) in WRAPPERS - {"xargs", "parallel"}:
        i += 1
        while i < len(argv) and (argv[i].text.startswith("-") or "=" in argv[i].text):
            i += 1
    if i >= len(argv):
        return None
    first = argv[i].text
    if basename(first) in _SHELLS:
        skip = False
        for token in argv[i + 1:]:
            text = token.text
            if skip:
                skip = False
            elif text in ("-c", "-s", "--"):
                return None  # an inline script, or one read from stdin (curl ... | sh -s --)
            elif text.startswith(("-", "+")):
                skip = text in _SHELL_VALUE_FLAGS
            else:
                return text
        return None
    if first.endswith(SCRIPT_SUFFIXES) and ("/" in first or first.startswith("$")):
        return first
    return None


def script_candidates(word: str, cwd: str | None, here: str | None) -> tuple[str, ...] | None:
    """Repository paths the script ``word`` may be (``cwd``: the command's working
    directory, ``{root}``-based, or None when unknown; ``here``: the calling file's folder,
    or None). Returns None when the word is not a path the reader can tell."""
    word = word.strip().strip("'\"")
    if here is not None:
        word = _ACTION_PATH.sub(lambda m: here, word)
    word = _WORKSPACE.sub(ROOT, word)
    if _RUNNER_DIR.match(word):
        return ()  # not the repository's
    stripped = False
    while True:
        match = _LEADING_VAR.match(word)
        if not match:
            break
        word = word[match.end():]
        stripped = True
    if "$" in word or "`" in word or not word:
        return None
    bases: list[str] = []
    if not stripped and cwd is not None:
        bases.append(cwd)
    if here is not None:
        bases.extend((here, posixpath.dirname(here)))
    bases.append(ROOT)
    if stripped and cwd is not None:
        bases.append(cwd)
    out: list[str] = []
    for base in bases:
        path = posixpath.normpath(posixpath.join(base, word))
        if path not in out:
            out.append(path)
    return tuple(out)


def make_targets(args: Iterable[Token | str]) -> tuple[str | None, list[str]]:
    """``(directory or None, [targets])`` of a ``make`` invocation's arguments (flags, their
    values and ``VAR=value`` dropped; targets holding an expansion kept for the caller)."""
    directory = None
    targets: list[str] = []
    skip = None
    for token in args:
        text = token.text if hasattr(token, "text") else token
        if skip:
            if skip in ("-C", "--directory"):
                directory = text
            skip = None
            continue
        if text in _MAKE_VALUE_FLAGS:
            skip = text
            continue
        if text.startswith(("-C", "--directory=")) and len(text) > 2:
            directory = text.split("=", 1)[1] if "=" in text else text[2:]
            continue
        if text.startswith(("-", ">", "<", "&", "|", "2>", "1>")) or \
                "=" in text.split("${{")[0].split("$(")[0]:
            continue
        targets.append(text)
    return directory, targets


class ScriptView:
    """A shell script read like a ``run:`` step: its commands, and the variables it sets.

    Shaped like ``workflow.Step`` where the pipeline readers need it, so a cosign call, a
    push or a scan in a script is read by the same code as in a workflow.
    """

    __slots__ = ("path", "commands", "node", "job", "index", "action", "uses", "with_", "env",
                 "run", "ref")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        lines = list(enumerate(text.split("\n"), 1))
        self.commands = split_commands(lines) if _worth_reading(text) else []
        self.node = self.uses = self.with_ = self.env = self.run = self.ref = None
        self.job = _NoJob
        self.index = 0
        self.action = ""

    def input(self, name: str) -> None:
        return None

    def env_value(self, name: str) -> None:
        return None

    def expand(self, word: str, assigned: Mapping[str, str] | None = None) -> str:
        if "$" not in word or not assigned:
            return word
        return _SHELL_VAR.sub(lambda m: assigned.get(m.group(1) or m.group(2), m.group(0)), word)


_SHELL_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


class _NoJob:
    node = None
    env = None
    key = None


def _worth_reading(text: str) -> bool:
    from .workflow import relevant
    return relevant(text)
