"""A read-only view of a workflow or composite action: jobs, steps, commands, env.

Built once per document and shared by the GitHub Actions and supply-chain rules, so a
``run:`` script is tokenised once however many rules read it.
"""

from __future__ import annotations

import re

from .. import nodes
from .downloads import MENTIONS, mentions
from .patterns import parse_uses
from .shell import parse_run

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from re import Match
    from typing import Any

    from ..model import Document
    from .patterns import Uses
    from .shell import Command

# Scripts that mention none of these cannot hold a command any rule reads (signing,
# scanning, SBOM, pushing, releasing, GITHUB_ENV exports, downloads): they are not tokenised.
# The definition (a pattern, compiled only by the test that holds ``relevant`` to it):
RELEVANT = (r"cosign|trivy|grype|syft|docker|podman|buildx|buildah|crane|skopeo|\bko\b"
            r"|goreleaser|cyclonedx|cdxgen|spdx-sbom|\bbom\b|\bmake\b|GITHUB_ENV|GITHUB_OUTPUT"
            r"|\bgh\b|npm|yarn|twine|kaniko|executor|\.sh\b|\.bash\b"
            r"|(?i:" + MENTIONS + ")")
# RELEVANT in three parts that search quickly (an alternation whose every branch starts with
# a literal is scanned for its first letters; ``\b`` or a case-blind group in front disables
# that): the same matches, several times faster on the scripts that hold none.
_TOOLS = re.compile(r"cosign|trivy|grype|syft|docker|podman|buildx|buildah|crane|skopeo"
                    r"|goreleaser|cyclonedx|cdxgen|spdx-sbom|GITHUB_ENV|GITHUB_OUTPUT"
                    r"|npm|yarn|twine|kaniko|executor|\.sh\b|\.bash\b")
_WORDS = re.compile(r"(?:ko|bom|make|gh)\b")
_WORD_CHAR = re.compile(r"\w")


def relevant(text: str) -> bool:
    """Whether ``text`` matches ``RELEVANT``."""
    if _TOOLS.search(text):
        return True
    for match in _WORDS.finditer(text):
        start = match.start()  # a word must start here (no word character before it)
        if start == 0 or not _WORD_CHAR.match(text, start - 1):
            return True
    return mentions(text)


_VAR = re.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\$\{([A-Za-z_][A-Za-z0-9_]*)\}"
                  r"|\$([A-Za-z_][A-Za-z0-9_]*)")


class Step:
    __slots__ = ("node", "job", "index", "uses", "with_", "env", "run", "ref", "action",
                 "_commands", "_lines")

    def __init__(self, node: nodes.Node, job: Job, index: int, source_lines: list[str]) -> None:
        self.node = node
        self.job = job
        self.index = index
        self.uses: nodes.Node | None
        self.with_: nodes.Node | None
        self.env: nodes.Node | None
        self.run: nodes.Node | None
        self.uses = self.with_ = self.env = self.run = None
        for key, value in node.value:  # one pass instead of a lookup per key
            name = key.value if key.id == "scalar" else None
            if name == "uses":
                self.uses = value
            elif name == "with":
                self.with_ = value
            elif name == "env":
                self.env = value
            elif name == "run":
                self.run = value
        # The parsed ``uses:`` (None for a ``run:`` step) and, for a remote one, its
        # lower-cased ``owner/repo[/path]``, which is what rules compare against.
        self.ref = parse_uses(self.uses.value) if nodes.is_scalar(self.uses) else None
        self.action = self.ref.name if self.ref is not None and self.ref.kind == "remote" else ""
        self._commands: list[Command] | None = None
        self._lines = source_lines

    def input(self, name: str) -> nodes.Node | None:
        """The ``with:`` value node for ``name``, or None."""
        return nodes.get(self.with_, name)

    @property
    def commands(self) -> list[Command]:
        """The ``run:`` script's commands, when it mentions a tool the rules read."""
        if self._commands is None:
            wanted = nodes.is_scalar(self.run) and relevant(self.run.value)
            self._commands = parse_run(self.run, self._lines) if wanted else []
        return self._commands

    def env_value(self, name: str) -> str | None:
        """The value of an environment variable as this step sees it (step > job > top)."""
        for env in (self.env, self.job.env, self.job.workflow.env):
            value = nodes.get(env, name)
            if value is not None:
                return nodes.text(value, "")
        return None

    def expand(self, word: str, assigned: Mapping[str, str] | None = None) -> str:
        """Substitute ``$VAR``, ``${VAR}`` and ``${{ env.VAR }}`` from env and earlier assignments."""
        if "$" not in word:
            return word

        def lookup(match: Match[str]) -> str:
            name = match.group(1) or match.group(2) or match.group(3)
            if assigned and name in assigned:
                return assigned[name]
            value = self.env_value(name)
            return match.group(0) if value is None else value

        return _VAR.sub(lookup, word)


class Job:
    __slots__ = ("key", "node", "workflow", "steps", "env", "permissions", "uses", "ref")

    def __init__(self, key: nodes.Scalar, node: nodes.Node | None, workflow: Workflow,
                 source_lines: list[str]) -> None:
        self.key = key
        self.node = node
        self.workflow = workflow
        self.env = nodes.get(node, "env")
        self.permissions = nodes.get_pair(node, "permissions")
        self.uses = nodes.get(node, "uses")
        self.ref = parse_uses(self.uses.value) if nodes.is_scalar(self.uses) else None
        self.steps = [Step(s, self, i, source_lines)
                      for i, s in enumerate(nodes.items(nodes.get(node, "steps")))
                      if nodes.is_map(s)]

    @property
    def name(self) -> str:
        return self.key.value

    def grants(self, scope: str, level: str = "write") -> bool | None:
        """Whether this job's token gets ``scope: level`` (job permissions replace top-level)."""
        key, perms = self.permissions
        if key is None:
            key, perms = self.workflow.permissions
            if key is None:
                return None  # repository default: unknown here
        return permission_grants(perms, scope, level)


class Workflow:
    __slots__ = ("doc", "root", "kind", "env", "permissions", "jobs", "memo")

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.root = doc.roots[0]
        self.kind = doc.kind
        self.memo: dict[str, Any] = {}  # derived views several rules share (scans, cosign calls)
        lines = doc.lines
        if doc.kind == "action":
            runs = nodes.get(self.root, "runs")
            self.env = None
            self.permissions: tuple[nodes.Scalar | None, nodes.Node | None] = (None, None)
            pseudo = runs if nodes.is_map(runs) else None
            # (``runs:`` is a mapping here, so its key is there)
            self.jobs = [Job(nodes.get_pair(self.root, "runs")[0], pseudo, self,  # type: ignore[arg-type]
                             lines)] if pseudo else []
        else:
            self.env = nodes.get(self.root, "env")
            self.permissions = nodes.get_pair(self.root, "permissions")
            self.jobs = [Job(k, v, self, lines)
                         for _, k, v in nodes.pairs(nodes.get(self.root, "jobs")) if nodes.is_map(v)]

    def release(self) -> None:
        """Break the job-step and workflow-job back references (``Document.close``)."""
        for job in self.jobs:
            job.steps = []
        self.jobs = []
        self.memo.clear()

    def steps(self) -> Iterator[Step]:
        for job in self.jobs:
            yield from job.steps

    def env_mappings(self) -> Iterator[nodes.Node | None]:
        """Every ``env:`` the file can set: top, job, container, service, step."""
        yield self.env
        for job in self.jobs:
            yield job.env
            yield nodes.path(job.node, "container", "env")
            for _, _, service in nodes.pairs(nodes.get(job.node, "services")):
                yield nodes.get(service, "env")
            for step in job.steps:
                yield step.env

    def uses_refs(self) -> list[tuple[nodes.Node, Uses, Job | Step]]:
        """``(node, Uses, owner)`` for every ``uses:``: job-level reusable workflows and step
        actions; ``owner`` is the Job or Step that holds it."""
        found = self.memo.get("uses")
        if found is None:
            found = self.memo["uses"] = []
            for job in self.jobs:
                if job.ref is not None:
                    found.append((job.uses, job.ref, job))
                for step in job.steps:
                    if step.ref is not None:
                        found.append((step.uses, step.ref, step))
        return found


def permission_grants(perms: nodes.Node | None, scope: str, level: str = "write") -> bool:
    if nodes.is_scalar(perms):
        value = perms.value.strip()
        return value == "write-all" or (value == "read-all" and level == "read")
    if nodes.is_map(perms):
        granted = nodes.text(nodes.get(perms, scope), "")
        return granted == "write" or (level == "read" and granted == "read")
    return False
