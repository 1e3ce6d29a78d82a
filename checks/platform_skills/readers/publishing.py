"""Steps that publish a release or hand files to others: what PSK013 and PSK014 call
"publishes" and "uploads".

"Publishes" is an image push as the audit sees it (``pipeline.publishing_pushes``: a push to
a throwaway registry such as ``localhost:5000`` or ``ttl.sh`` is not publishing), plus the
usual release channels: ``gh release create|upload``, ``softprops/action-gh-release``,
``pypa/gh-action-pypi-publish``, ``npm|pnpm|yarn publish``, ``twine upload`` and
``goreleaser release``.
"""

from __future__ import annotations

from .. import nodes
from .pipeline import IMAGE_ACTIONS, is_push, publishing_pushes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from .shell import Command
    from .workflow import Job, Step

    Where = nodes.Node | int  # a node, or a line

PUBLISH_ACTIONS = {
    "softprops/action-gh-release": "creates a GitHub release",
    "pypa/gh-action-pypi-publish": "uploads to PyPI",
}
UPLOAD_ACTIONS = ("actions/upload-artifact", "actions/upload-pages-artifact")
_NO_PUBLISH = ("--snapshot", "--skip-publish", "--skip=publish", "--dry-run")


def goreleaser_publishes(args: Sequence[str]) -> bool:
    """``goreleaser [release] ...`` (release is the default command) that is not a dry run."""
    first = args[0] if args else ""
    if first and not first.startswith("-") and first != "release":
        return False
    return not any(a in _NO_PUBLISH or a.startswith("--skip=") and "publish" in a for a in args)


def goreleaser_releases(step: Step) -> list[Where]:
    """Where the step runs a ``goreleaser release`` that publishes (not ``install-only``, not a
    snapshot or ``--skip=publish`` run): ``[node or line]``. The audit follows these to the
    goreleaser configuration, and PSK013/PSK014 count them as publishing."""
    found: list[Where] = []
    if step.action == "goreleaser/goreleaser-action" and not nodes.is_true(
            step.input("install-only")) and goreleaser_publishes(
            nodes.text(step.input("args"), "").split()):
        found.append(step.uses)  # type: ignore[arg-type]
    for command in step.commands:
        args = command.invocation("goreleaser")
        if args is not None and goreleaser_publishes([t.text for t in args]):
            found.append(command.line)
    return found


def _publishing_command(command: Command) -> str | None:
    """What a script command publishes (an image push is judged by the caller), or None."""
    gh = command.invocation("gh")
    if gh and gh[0].text == "release" and len(gh) > 1 and gh[1].text in ("create", "upload"):
        return f"runs gh release {gh[1].text}"
    for tool in ("npm", "pnpm", "yarn"):
        args = command.invocation(tool)
        if args is not None:
            texts = [t.text for t in args]
            if "publish" in texts[:2] and "--dry-run" not in texts:
                return f"runs {tool} publish"
    args = command.invocation("twine")
    if args and args[0].text == "upload":
        return "runs twine upload"
    return None


def publishes(step: Step) -> list[tuple[Where, str]]:
    """``[(where, what)]`` of the publishing in one step (``where``: a node or a line)."""
    if not step.commands and step.action not in _PUBLISHING_ACTIONS:
        return []  # most steps: nothing below can find anything
    found: list[tuple[Where, str]] = []
    # An image push publishes exactly when the audit says so: not to a throwaway registry.
    pushed = publishing_pushes(step)
    if step.action in IMAGE_ACTIONS and \
            nodes.line(step.uses) in pushed:  # type: ignore[arg-type]
        found.append((step.uses, "pushes an image"))  # type: ignore[arg-type]
    elif step.action in PUBLISH_ACTIONS:
        found.append((step.uses, PUBLISH_ACTIONS[step.action]))  # type: ignore[arg-type]
    found.extend((where, "runs goreleaser release") for where in goreleaser_releases(step))
    for command in step.commands:
        what = "pushes an image" if is_push(command, publish_tools=True) and \
            command.line in pushed else _publishing_command(command)
        if what:
            found.append((command.line, what))
    return found


# Every action ``publishes`` looks at; a step with none of them and no commands publishes nothing.
_PUBLISHING_ACTIONS = frozenset((*IMAGE_ACTIONS, "goreleaser/goreleaser-action", *PUBLISH_ACTIONS))


def uploads(step: Step) -> list[tuple[nodes.Node, str]]:
    """``[(where, what)]`` when the step uploads an artifact."""
    if step.action in UPLOAD_ACTIONS:
        return [(step.uses, f"uploads with {step.action}")]  # type: ignore[list-item]
    return []


def job_publishing(job: Job) -> list[tuple[Step, Where, str]]:
    """``[(step, where, what)]`` of every publishing place in the job, computed once."""
    memo: dict[nodes.Scalar, list[tuple[Step, Where, str]]] = job.workflow.memo.setdefault("publishing", {})
    if job.key not in memo:
        memo[job.key] = [(step, where, what) for step in job.steps
                         for where, what in publishes(step)]
    return memo[job.key]
