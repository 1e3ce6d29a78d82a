"""Contributor code in privileged jobs: the trigger, where the code comes in, what runs it.

``pull_request_target`` and ``workflow_run`` run with the base repository's secrets and a
token that can write. They are safe while the pull request is data; this reader finds where
its code enters a job (a checkout of the head, a ``git fetch`` of ``refs/pull/N/...``,
``gh pr checkout``, the triggering run's artifact) and the later step that runs it.
"""

import re

from .. import nodes
from .contexts import pasted_through_env
from .shell import basename, parse_run
from .triggers import events

PRIVILEGED = ("pull_request_target", "workflow_run")
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
    is, the command index inside a script (-1 for an action) and, for an artifact, the
    directory it lands in ("" for the workspace root)."""

    __slots__ = ("step", "where", "what", "command", "artifact_dir")

    def __init__(self, step, where, what, command=-1, artifact_dir=None):
        self.step = step
        self.where = where
        self.what = what
        self.command = command
        self.artifact_dir = artifact_dir


def privileged_triggers(wf):
    """``[(event name, node)]`` of the workflow's ``pull_request_target``/``workflow_run``."""
    return [(name, node) for name, node, _ in events(wf) if name in PRIVILEGED]


def _head_path(path):
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


def contributor_ref(step, text):
    """Whether ``text`` names the contributor's code: a head expression or ``pull/N/...``."""
    if _PULL_REF.search(step.expand(text) if "$" in text else text):
        return True
    return any(_head_path(p) for p in pasted_through_env(step, text))


def _from_triggering_run(step, text):
    return any(p[:3] == ("github", "event", "workflow_run") for p in pasted_through_env(step, text))


def _commands(step, lines):
    """The step's script commands (tokenised here: the shared reader skips scripts that
    mention no signing or scanning tool)."""
    if not nodes.is_scalar(step.run) or not _GIT_OR_GH.search(step.run.value):
        return []
    return parse_run(step.run, lines)


def entries(job, lines, workflow_run):
    """Every place contributor code enters ``job``, in step order."""
    found = []
    for step in job.steps:
        if step.action == "actions/checkout":
            ref = step.input("ref")
            if nodes.is_scalar(ref) and contributor_ref(step, ref.value):
                key = nodes.get_pair(step.with_, "ref")[0]
                found.append(Entry(step, key, "checks out the contributor's code"))
            continue
        if workflow_run:
            artifact = _artifact_download(step)
            if artifact is not None:
                found.append(artifact)
                continue
        for index, command in enumerate(_commands(step, lines)):
            git = command.invocation("git")
            entry = None
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


def _flag(args, *names):
    texts = [t.text for t in args]
    for i, text in enumerate(texts):
        for name in names:
            if text == name and i + 1 < len(texts):
                return _relative(texts[i + 1])
            if text.startswith(name + "="):
                return _relative(text[len(name) + 1:])
    return ""


def _relative(path):
    """A workspace-relative directory without ``./`` or a trailing ``/`` ("" for the root)."""
    path = path.strip().strip("'\"")
    for prefix in ("${{ github.workspace }}", "$GITHUB_WORKSPACE", "${GITHUB_WORKSPACE}"):
        if path.startswith(prefix):
            path = path[len(prefix):]
    while path.startswith(("./", "/")):
        path = path[2:] if path.startswith("./") else path[1:]
    return "" if path in ("", ".") else path.rstrip("/")


def _artifact_download(step):
    """An action that downloads the triggering run's artifacts, as an ``Entry``."""
    what = "downloads the triggering run's artifacts"
    if step.action in ("actions/download-artifact", "dawidd6/action-download-artifact"):
        run_id = step.input("run-id") or step.input("run_id")
        if step.action.startswith("dawidd6/") or (
                nodes.is_scalar(run_id) and _from_triggering_run(step, run_id.value)):
            return Entry(step, step.uses, what, artifact_dir=_relative(
                nodes.text(step.input("path"), "")))
    if step.action == "actions/github-script" and "downloadArtifact" in nodes.text(
            step.input("script"), ""):
        return Entry(step, step.uses, what, artifact_dir="")
    return None


def runner(job, entry, lines):
    """``(where, note)`` of the first place after ``entry`` that runs code it brought in,
    or None. A checkout is run by any later script, local action or build action; an
    artifact only by a command or action that runs a file from its directory (or, when it
    lands on the workspace root, by a build tool)."""
    later = job.steps[entry.step.index + 1:]
    if entry.command >= 0:  # the rest of the same script
        for command in _commands(entry.step, lines)[entry.command + 1:]:
            if _runs(command, entry.artifact_dir):
                return command.line, "runs code from the workspace"
    for step in later:
        if entry.artifact_dir is None:
            if nodes.is_scalar(step.run):
                return step.run, "a later script runs in the checked-out workspace"
            if step.ref is not None and (step.ref.kind == "local" or step.action in BUILD_ACTIONS):
                return step.uses, f"'{step.ref.value}' runs code from the workspace"
            continue
        base = _relative(nodes.text(nodes.get(step.node, "working-directory"), ""))
        if step.ref is not None and step.ref.kind == "local" and _under(
                _relative(step.ref.value), entry.artifact_dir):
            return step.uses, f"'{step.ref.value}' runs an action from the artifact"
        if nodes.is_scalar(step.run):
            for command in parse_run(step.run, lines):
                if _runs(command, entry.artifact_dir, base):
                    return command.line, "runs a file from the artifact"
    return None


def _under(path, directory):
    return directory == "" or path == directory or path.startswith(directory + "/")


def _runs(command, artifact_dir, base=""):
    """Whether a script command runs code: anything but inert commands after a checkout;
    a file from the artifact's directory (or a build tool on the workspace root) after an
    artifact download."""
    if not command.argv:
        return False
    program = command.argv[0].text
    if artifact_dir is None:
        return basename(program) not in _INERT
    inside = base != "" and _under(base, artifact_dir)
    if "/" in program and not program.startswith(("/", "$", "~")):
        return inside or _under(_relative(program).rsplit("/", 1)[0], artifact_dir) or (
            artifact_dir == "" and program.startswith("./"))
    name = basename(program)
    if name in _INTERPRETERS:
        if any(t.text in ("-c", "-e", "--eval") for t in command.argv[1:]):
            return False  # inline code, not a file
        target = next((t.text for t in command.argv[1:] if not t.text.startswith("-")), "")
        return bool(target) and not target.startswith(("/", "$", "~")) and (
            inside or _under(_relative(target), artifact_dir))
    return name in _BUILD_PROGRAMS and (artifact_dir == "" or inside)
