"""What moving a ``${{ }}`` expression out of a ``run:`` script into ``env:`` needs to know.

The move is safe when the script reads the variable exactly where the expression was: a
POSIX shell runs it (``$NAME`` means nothing to PowerShell, the default on Windows
runners), and the expression sits inside double quotes, so ``"$NAME"`` keeps the value one
word as the pasted text was one string. Outside quotes the pasted value was split into
words and globbed; quoting it would change what the command receives, so that is not a
safe fix. Inside single quotes, a heredoc, backticks or ``$( )`` the shell reads the text
differently again, and the expression is left where it is.
"""

from __future__ import annotations

import re

from .. import nodes
from .expressions import spans

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .expressions import Path
    from .workflow import Step

_POSIX = re.compile(r"(?:bash|sh)(?:\s|$)")
# Names the runner sets or reads itself; a new variable must not shadow them.
_RESERVED = re.compile(r"(?:GITHUB|RUNNER|INPUT|ACTIONS|STATE)_|(?:CI|HOME|PATH|SHELL|PWD|USER"
                       r"|IFS|TERM|LANG|OLDPWD|HOSTNAME)$")


def posix_shell(step: Step) -> bool:
    """Whether ``bash`` or ``sh`` runs this ``run:`` step, as far as the file says."""
    job, wf = step.job, step.job.workflow
    for holder, where in ((step.node, ()), (job.node, ("defaults", "run")),
                          (wf.root if wf.kind == "workflow" else None, ("defaults", "run"))):
        shell = nodes.get(nodes.path(holder, *where) if where else holder, "shell")
        if shell is not None:
            return nodes.is_scalar(shell) and bool(_POSIX.match(shell.value.strip()))
    if wf.kind != "workflow":
        return False  # a composite action's run step must name its shell
    runs_on = nodes.get(job.node, "runs-on")
    labels = [runs_on] if nodes.is_scalar(runs_on) else list(nodes.items(runs_on))
    return bool(labels) and all(nodes.is_scalar(n) and "${{" not in n.value
                                and "windows" not in n.value.lower() for n in labels)


def double_quoted(script: str, position: int) -> bool:
    """Whether ``script[position]`` sits inside ``"..."`` of the shell's own quoting.

    Earlier ``${{ }}`` expressions are skipped whole (GitHub replaces them before the shell
    reads anything); comments are skipped; a heredoc before the position answers no.
    """
    opaque = {start: start + 5 + len(body) for start, body in spans(script[:position])}
    stack: list[str] = []
    i = 0
    while i < position:
        if i in opaque:
            i = opaque[i]
            continue
        c = script[i]
        top = stack[-1] if stack else None
        if top == "'":
            if c == "'":
                stack.pop()
        elif c == "\\":
            i += 2
            continue
        elif c == '"':
            if top == '"':
                stack.pop()
            else:
                stack.append('"')
        elif c == "`":
            if top == "`":
                stack.pop()
            else:
                stack.append("`")
        elif top == '"':
            if script.startswith("$(", i):
                stack.append("(")
                i += 1
        elif c == "'":
            stack.append("'")
        elif script.startswith("$(", i) or (c == "(" and top == "("):
            stack.append("(")
            i += 1 if c == "$" else 0
        elif c == ")" and top == "(":
            stack.pop()
        elif c == "#" and (i == 0 or script[i - 1] in " \t\n;"):
            end = script.find("\n", i)
            i = position if end < 0 else end
            continue
        elif script.startswith("<<<", i):  # a here-string: an ordinary word follows
            i += 3
            continue
        elif script.startswith("<<", i):
            return False
        i += 1
    return stack[-1:] == ['"']


def env_name(step: Step, path: Path, script: str) -> str:
    """A variable name for the context ``path`` that no ``env:`` the step sees holds, the
    script does not mention and the runner does not own: ``inputs.target`` -> ``TARGET``,
    ``github.event.pull_request.title`` -> ``PULL_REQUEST_TITLE``."""
    parts = [p for p in path if p != "*"]
    if parts[:2] == ["github", "event"]:
        parts = parts[2:]
    elif parts[:1] in (["github"], ["inputs"]):
        parts = parts[1:]
    base = re.sub(r"[^A-Za-z0-9]+", "_", "_".join(parts[-2:] or path[-1:])).strip("_").upper()
    base = base or "VALUE"
    if base[0].isdigit():
        base = "V_" + base
    taken = {name.upper() for env in (step.env, step.job.env, step.job.workflow.env)
             for name, _, _ in nodes.pairs(env)}
    # What the shell reads: not the expressions (GitHub replaces them) nor comment lines.
    for start, body in reversed(spans(script)):
        script = script[:start] + script[start + len(body) + 5:]
    script = "\n".join(line for line in script.split("\n") if not line.lstrip().startswith("#"))
    name, number = base, 1
    while name in taken or _RESERVED.match(name) or re.search(rf"\b{name}\b", script):
        number += 1
        name = f"{base}_{number}"
    return name


def env_holding(step: Step, expression: str) -> str | None:
    """The name of a step ``env:`` entry whose value is exactly ``expression``, or None."""
    for name, _, value in nodes.pairs(step.env):
        if nodes.text(value, "").strip() == expression:
            return name
    return None
