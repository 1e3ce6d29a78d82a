"""Which context values an outside contributor chooses, and which inputs carry free text.

The definition is RULES.md's "untrusted context": titles, bodies, messages, names, e-mail
addresses, labels and refs of the event (not of ``pull_request.base``, the repository's own
target branch, and not ``github.event.ref`` itself, which is the value of ``github.ref`` and
is read the same way), plus ``github.head_ref``. Paths are the lower-cased segment tuples of
``expressions.pasted`` (``*`` for an index or a ``.*`` filter).
"""

from __future__ import annotations

from .. import nodes
from .expressions import pasted_paths
from .triggers import events

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .expressions import Path
    from .workflow import Step, Workflow

LEAF_NAMES = frozenset(("title", "body", "message", "name", "email", "label", "ref", "page_name"))
_EXPLICIT = tuple(tuple(p.split(".")) for p in (
    "issue.title", "issue.body", "pull_request.title", "pull_request.body",
    "pull_request.head.ref", "pull_request.head.label", "pull_request.head.repo.default_branch",
    "pull_request.head.repo.full_name", "comment.body", "review.body", "review_comment.body",
    "discussion.title", "discussion.body", "pages.*.page_name", "commits.*.message",
    "commits.*.author.name", "commits.*.author.email", "head_commit.message",
    "head_commit.author.name", "head_commit.author.email", "workflow_run.head_branch",
    "workflow_run.display_title", "workflow_run.head_commit.message",
    "workflow_run.head_commit.author.*"))
# Under the event but chosen by the repository or its maintainers: the repository object
# (the same values as github.repository*), the target branch, and workflow_dispatch inputs
# (which are inputs, judged by PSK012).
_TRUSTED_SUBTREES = frozenset(("repository", "inputs"))
# Input types that cannot carry a command.
SAFE_INPUT_TYPES = frozenset(("boolean", "number", "choice", "environment"))


def _matches(path: Path, pattern: Path) -> bool:
    return len(path) == len(pattern) and all(
        a == b or a == "*" or b == "*" for a, b in zip(path, pattern, strict=True))


def untrusted(path: Path) -> bool:
    """Whether a pasted context path may hold text an outside contributor chose.

    An object that holds such text (``github.event.pull_request``, ``github``) counts too:
    ``toJSON()`` pastes all of it.
    """
    if not path or path[0] != "github":
        return False
    if len(path) == 1 or path[1:] == ("head_ref",):
        return True
    if path[1] != "event":
        return False
    rest = path[2:]
    if not rest:
        return True
    if rest[0] in _TRUSTED_SUBTREES or "base" in rest or rest == ("ref",):
        return False  # github.event.ref is github.ref: one reading for one value
    for pattern in _EXPLICIT:
        if _matches(rest, pattern) or (len(rest) < len(pattern)
                                       and _matches(rest, pattern[:len(rest)])):
            return True
    return rest[-1] in LEAF_NAMES


def input_name(path: Path) -> str | None:
    """The input a pasted path reads (``inputs.x``, ``github.event.inputs.x``), or None;
    ``*`` for the whole ``inputs`` object."""
    if path[0] == "inputs":
        return path[1] if len(path) > 1 else "*"
    if path[:3] == ("github", "event", "inputs"):
        return path[3] if len(path) > 3 else "*"
    return None


def input_types(wf: Workflow) -> dict[str, set[str]]:
    """``{input name: {declared types}}`` of a workflow's ``workflow_call`` and
    ``workflow_dispatch`` inputs (untyped ones are ``string``); a composite action's inputs
    have no type, so every one is ``string``."""
    found: dict[str, set[str]] | None = wf.memo.get("input-types")
    if found is not None:
        return found
    found = wf.memo["input-types"] = {}
    if wf.kind == "action":
        declared = [nodes.get(wf.root, "inputs")]
    else:
        declared = [nodes.get(config, "inputs") for name, _, config in events(wf)
                    if name in ("workflow_call", "workflow_dispatch")]
    for inputs in declared:
        for name, _, spec in nodes.pairs(inputs):
            kind = nodes.text(nodes.get(spec, "type"), "string").strip().lower()
            found.setdefault(name.lower(), set()).add(kind if wf.kind == "workflow" else "string")
    return found


def free_text_input(wf: Workflow, name: str) -> bool:
    """Whether input ``name`` may carry any string (declared so, untyped, or undeclared)."""
    types = input_types(wf).get(name)
    return name == "*" or not types or not types <= SAFE_INPUT_TYPES


def env_routes(step: Step, path: Path, seen: Path = ()) -> list[tuple[Path, str | None]]:
    """``[(path, env name)]`` an ``env.NAME`` path pastes, read from the ``env:`` mappings the
    step sees (step, then job, then workflow), following a few levels of env-in-env."""
    if len(path) != 2 or path[0] != "env" or path[1] in seen or len(seen) >= 4:
        return []
    name = next((n for env in (step.env, step.job.env, step.job.workflow.env)
                 for n, _, _ in nodes.pairs(env) if n.lower() == path[1]), None)
    value = step.env_value(name) if name else None
    out = []
    for inner in pasted_paths(value or ""):
        out.append((inner, name))
        out.extend(env_routes(step, inner, seen + (path[1],)))
    return out


def pasted_through_env(step: Step, text: str) -> list[Path]:
    """The context paths ``text`` pastes, directly or through ``env.NAME`` and ``$NAME``."""
    out = []
    for path in pasted_paths(step.expand(text) if "$" in text else text):
        out.append(path)
        out.extend(inner for inner, _ in env_routes(step, path))
    return out
