"""Contributor code in privileged jobs: the trigger, where the code comes in, what runs it.

``pull_request_target`` and ``workflow_run`` run with the base repository's secrets and a
token that can write. They are safe while the pull request is data; this reader finds where
its code enters a job (a checkout of the head, a ``git fetch`` of ``refs/pull/N/...``,
``gh pr checkout``, the triggering run's artifact) and the later step that runs it.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from .. import nodes
from .contexts import pasted_through_env
from .shell import basename, parse_run
from .triggers import events

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from .expressions import Path
    from .shell import Command, Token
    from .workflow import Job, Step, Workflow

    Place = tuple[nodes.Node | int, str]  # (where, note)

PRIVILEGED = ("pull_request_target", "workflow_run")
MAX_ENTRIES = 32  # per job; real jobs check out the pull request once or twice
_PULL_REF = re.compile(r"(?:^|[^\w])(?:refs/)?pull/[^/\n]+/(?:head|merge)\b")
_GIT_OR_GH = re.compile(r"\b(?:git|gh)\b")
_GIT_FETCHES = frozenset(("fetch", "checkout", "switch", "pull", "reset", "merge", "worktree",
                          "cherry-pick", "rebase"))
# Commands that only move files or print: running them after a checkout runs nothing of it.
_INERT = frozenset(("git", "gh", "echo", "printf", "cd", "export", "set", "exit", "true", "false",
                    "test", "[", "[[", "ls", "cat", "mkdir", "rm", "cp", "mv"))
# Actions that build, test or install the code in the workspace.
BUILD_ACTIONS = frozenset((
    "docker/build-push-action", "docker/bake-action", "github/codeql-action/autobuild",
    "pre-commit/action", "gradle/gradle-build-action", "cypress-io/github-action",
    "goreleaser/goreleaser-action", "pypa/cibuildwheel", "borales/actions-yarn",
    "bahmutov/npm-install", "golangci/golangci-lint-action",
))
_INTERPRETERS = frozenset(("bash", "sh", "zsh", "dash", "python", "python3", "node", "ruby", "perl",
                           "pwsh", "source", ".", "deno", "bun"))
_BUILD_PROGRAMS = frozenset(("make", "npm", "npx", "yarn", "pnpm", "pip", "pip3", "go", "cargo",
                             "mvn", "gradle", "gradlew", "bundle", "rake", "tox", "nox", "pytest",
                             "cmake", "just", "task"))


class Entry:
    """Where contributor code enters a job: ``step``, the node or line to report, what it
    is, the command index inside a script (-1 for an action) and the directory the code
    lands in: None for the whole workspace, "" for its root, else a relative path."""

    __slots__ = ("step", "where", "what", "command", "directory")

    def __init__(self, step: Step, where: nodes.Node | int | None, what: str, command: int = -1,
                 directory: str | None = None) -> None:
        self.step = step
        self.where = where
        self.what = what
        self.command = command
        self.directory = directory


def privileged_triggers(wf: Workflow) -> list[tuple[str, nodes.Node]]:
    """``[(event name, node)]`` of the workflow's ``pull_request_target``/``workflow_run``."""
    return [(name, node) for name, node, _ in events(wf) if name in PRIVILEGED]


def _head_path(path: Path) -> bool:
    """A context path naming the contributor's commit or branch."""
    if path[:2] == ("github", "head_ref"):
        return True
    event = path[2:] if path[:2] == ("github", "event") else ()
    if event[:2] in (("pull_request", "head"), ("pull_request", "merge_commit_sha")):
        return True
    if event[:1] == ("workflow_run",) and len(event) > 1:
        return event[1].startswith("head_") or (
            event[1] == "pull_requests" and "head" in event[2:])
    return False


def contributor_ref(step: Step, text: str) -> bool:
    """Whether ``text`` names the contributor's code: a head expression or ``pull/N/...``."""
    if _PULL_REF.search(step.expand(text) if "$" in text else text):
        return True
    return any(_head_path(p) for p in pasted_through_env(step, text))


def _from_triggering_run(step: Step, text: str) -> bool:
    return any(p[:3] == ("github", "event", "workflow_run") for p in pasted_through_env(step, text))


def _commands(step: Step, lines: list[str]) -> list[Command]:
    """The step's script commands when it mentions git or gh."""
    if not nodes.is_scalar(step.run) or not _GIT_OR_GH.search(step.run.value):
        return []
    return _tokens(step, lines)


def _tokens(step: Step, lines: list[str]) -> list[Command]:
    """Every command of the step's script, tokenised once per step (the shared reader
    tokenises only scripts that mention a signing or scanning tool)."""
    memo: dict[int, list[Command]] = step.job.workflow.memo.setdefault("checkout-tokens", {})
    key = id(step.node)
    if key not in memo:
        memo[key] = parse_run(step.run, lines)
    return memo[key]


def entries(job: Job, lines: list[str], workflow_run: bool) -> list[Entry]:
    """The places contributor code enters ``job``, in step order (the first
    ``MAX_ENTRIES``: each may need a pass over the later steps)."""
    found: list[Entry] = []
    for step in job.steps:
        if len(found) >= MAX_ENTRIES:
            break
        if step.action == "actions/checkout":
            ref = step.input("ref")
            if nodes.is_scalar(ref) and contributor_ref(step, ref.value):
                key = nodes.get_pair(step.with_, "ref")[0]
                path = _relative(nodes.text(step.input("path"), ""))
                found.append(Entry(step, key, "checks out the contributor's code",
                                   directory=path or None))
            continue
        if workflow_run:
            artifact = _artifact_download(step)
            if artifact is not None:
                found.append(artifact)
                continue
        for index, command in enumerate(_commands(step, lines)):
            git = command.invocation("git")
            entry: Entry | None = None
            if git and git[0].text in _GIT_FETCHES and any(
                    contributor_ref(step, t.text) for t in git[1:]):
                entry = Entry(step, command.line, f"runs git {git[0].text} of the contributor's "
                              "code", index)
            gh = command.invocation("gh")
            if gh and [t.text for t in gh[:2]] == ["pr", "checkout"]:
                entry = Entry(step, command.line, "runs gh pr checkout", index)
            elif workflow_run and gh and [t.text for t in gh[:2]] == ["run", "download"] and any(
                    _from_triggering_run(step, t.text) for t in gh[2:]):
                entry = Entry(step, command.line, "downloads the triggering run's artifacts",
                              index, _flag(gh, "-D", "--dir"))
            if entry is not None:
                found.append(entry)
                break  # the first place in a script is the one to fix
    return found


def _flag(args: Sequence[Token], *names: str) -> str:
    texts = [t.text for t in args]
    for i, text in enumerate(texts):
        for name in names:
            if text == name and i + 1 < len(texts):
                return _relative(texts[i + 1])
            if text.startswith(name + "="):
                return _relative(text[len(name) + 1:])
    return ""


def _relative(path: str) -> str:
    """A workspace-relative directory without ``./`` or a trailing ``/`` ("" for the root)."""
    path = path.strip().strip("'\"")
    for prefix in ("${{ github.workspace }}", "$GITHUB_WORKSPACE", "${GITHUB_WORKSPACE}"):
        if path.startswith(prefix):
            path = path[len(prefix):]
    while path.startswith(("./", "/")):
        path = path[2:] if path.startswith("./") else path[1:]
    return "" if path in ("", ".") else path.rstrip("/")


def _artifact_download(step: Step) -> Entry | None:
    """An action that downloads the triggering run's artifacts, as an ``Entry``."""
    what = "downloads the triggering run's artifacts"
    if step.action in ("actions/download-artifact", "dawidd6/action-download-artifact"):
        run_id = step.input("run-id") or step.input("run_id")
        if nodes.is_scalar(run_id) and _from_triggering_run(step, run_id.value):
            return Entry(step, step.uses, what,
                         directory=_relative(nodes.text(step.input("path"), "")))
    if step.action == "actions/github-script" and "downloadArtifact" in nodes.text(
            step.input("script"), ""):
        return Entry(step, step.uses, what, directory="")
    return None


def runner(job: Job, entry: Entry, lines: list[str]) -> Place | None:
    """``(where, note)`` of the first place after ``entry`` that runs the code it brought
    in, or None.

    A checkout of the whole workspace is run by any later script, local action or build
    action (RULES.md). Code that lands in a directory of its own (a checkout with
    ``path:``, an artifact) is run only by what reaches into that directory: a program or
    script file from it, a build tool pointed at it or started inside it (``cd``,
    ``working-directory``), a local action from it; an artifact on the workspace root is
    also run by any build tool.
    """
    if entry.command >= 0:  # the rest of the same script
        hit = _first_running(_commands(entry.step, lines)[entry.command + 1:], entry.directory)
        if hit is not None:
            return hit.line, "runs code from the workspace"
    indexes, places = _runners(job, entry.directory, lines)
    at = bisect_right(indexes, entry.step.index)  # strictly later steps
    return places[at] if at < len(places) else None


def _runners(job: Job, directory: str | None, lines: list[str]) -> tuple[list[int], list[Place]]:
    """``([step index], [(where, note)])`` of the steps that run code from ``directory``,
    computed once per job and directory, so many entries in one job stay linear."""
    memo: dict[tuple[int, str | None], tuple[list[int], list[Place]]] = job.workflow.memo.setdefault("runners", {})
    key = (id(job.key), directory)
    if key in memo:
        return memo[key]
    indexes: list[int]
    found: list[Place]
    indexes, found = [], []
    for step in job.steps:
        place: Place | None = None
        if directory is None:
            if nodes.is_scalar(step.run):
                place = (step.run, "a later script runs in the checked-out workspace")
            elif step.ref is not None and (step.ref.kind == "local" or step.action in BUILD_ACTIONS):
                place = (step.uses, f"'{step.ref.value}' runs code from the workspace")  # type: ignore[assignment]
        elif step.ref is not None and step.ref.kind == "local" and _under(
                _relative(step.ref.value), directory):
            place = (step.uses, f"'{step.ref.value}' runs an action from that code")  # type: ignore[assignment]
        elif nodes.is_scalar(step.run):
            workdir = nodes.text(nodes.get(step.node, "working-directory"), "")
            inside = bool(workdir) and _under(_relative(workdir), directory)
            hit = _first_running(_tokens(step, lines), directory, inside)
            if hit is not None:
                place = (hit.line, f"runs code from '{directory or '.'}'")
        if place is not None:
            indexes.append(step.index)
            found.append(place)
    memo[key] = indexes, found
    return memo[key]


def _under(path: str, directory: str) -> bool:
    return directory == "" or path == directory or path.startswith(directory + "/")


def _relative_path(word: str) -> str | None:
    """``word`` as a workspace-relative path, or None for flags, absolute paths, variables."""
    word = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
    if not word or word.startswith(("-", "/", "$", "~")):
        return None
    return _relative(word)


def _first_running(commands: Sequence[Command], directory: str | None, inside: bool = False) -> Command | None:
    """The first command that runs code from ``directory`` (None: from anywhere)."""
    for command in commands:
        if not command.argv:
            continue
        name = basename(command.argv[0].text)
        if directory is None:
            if name not in _INERT:
                return command
            continue
        if name in ("cd", "pushd") and len(command.argv) > 1:
            target = _relative_path(command.argv[1].text)
            inside = inside or (target is not None and _under(target, directory))
            continue
        if _runs_from(command, directory, inside):
            return command
    return None


def _runs_from(command: Command, directory: str, inside: bool) -> bool:
    program = command.argv[0].text
    args = [t.text for t in command.argv[1:]]
    if "/" in program:
        path = _relative_path(program)
        return path is not None and (inside or _under(path.rsplit("/", 1)[0], directory))
    name = basename(program)
    if name in _INTERPRETERS:
        if any(a in ("-c", "-e", "--eval") for a in args):
            return False  # inline code, not a file
        target = next((a for a in args if not a.startswith("-")), None)
        path = _relative_path(target) if target else None
        return path is not None and (inside or _under(path, directory))
    if name not in _BUILD_PROGRAMS:
        return False
    if directory == "" or inside:
        return True
    return any(p is not None and p != "" and _under(p, directory)
               for p in map(_relative_path, args))
