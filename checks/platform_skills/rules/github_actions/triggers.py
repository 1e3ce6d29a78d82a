"""Fork code under privileged triggers (PSK010)."""

from ...model import rule
from ...readers.checkouts import entries, privileged_triggers, runner
from .examples import CHECKOUT, REF

_BAD = f"""\
on: pull_request_target
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - {CHECKOUT}
        with:
          ref: ${{{{ github.event.pull_request.head.sha }}}}
          persist-credentials: false
      - run: make test
"""


@rule(
    id="PSK010", name="untrusted-checkout-privileged-trigger", severity="critical",
    requires=("pull_request_target", "workflow_run"),
    domain="github-actions", targets=("workflow",), since="0.2.0",
    reference=REF + "#fork-code-under-privileged-triggers",
    summary="`pull_request_target` or `workflow_run` job that checks out the contributor's code and runs it",
    rationale=(
        "`pull_request_target` and `workflow_run` run with the base repository's secrets and a "
        "token that can write, even for a pull request from a fork. Checking out the pull "
        "request's code and then running anything from the workspace (a script, `make`, "
        "`npm install`, a local action) runs the contributor's code next to those secrets. "
        "This is how the chain that ended in the tj-actions/changed-files compromise started."),
    fix=(
        "Build pull request code under `pull_request`, where forks get a read-only token and "
        "no secrets. Keep `pull_request_target` for jobs that only act on metadata, and move "
        "privileged follow-ups into a `workflow_run` job that treats the artifact as data."),
    bad=_BAD,
    good=_BAD.replace("pull_request_target", "pull_request").replace(
        "          ref: ${{ github.event.pull_request.head.sha }}\n", ""),
    limits=(
        "Needs both halves in one job: the privileged trigger alone is not a finding (zizmor's "
        "`dangerous-triggers` reports every `pull_request_target`, `workflow_run` and "
        "`issue_comment`; we do not). The contributor's code is recognised by the checkout's "
        "`ref:` (`github.event.pull_request.head.*`, `merge_commit_sha`, `github.head_ref`, "
        "`github.event.workflow_run.head_*`, `refs/pull/N/merge|head`, also through "
        "`env:`), by `git fetch|checkout|switch|pull|reset` of those and `gh pr checkout` in "
        "scripts, and, under `workflow_run`, by downloading the triggering run's artifacts "
        "(`actions/download-artifact` or `dawidd6/action-download-artifact` with a run id "
        "from the event, `gh run download`, github-script's `downloadArtifact`). A checkout "
        "of the whole workspace is taken as run by any later script, local action or build "
        "action, even one that only reads the files. Code that lands in a directory of its "
        "own (`path:`, an artifact's directory) is taken as run only by a later step that "
        "reaches into it: a program or script file from it, a build tool pointed at it or "
        "started in it (`cd`, `working-directory`), a local action from it; an artifact on "
        "the workspace root also by any build tool. Not seen: a checkout selected only by "
        "`repository:` (the fork's default branch), a ref computed by an earlier step "
        "(`steps.*.outputs.*`, as `issue_comment` workflows do), artifacts chosen by branch "
        "or workflow name, `if:` guards that keep forks out or wait for a label, and code "
        "run by a local action or reusable workflow defined in another file. At most 32 "
        "places where such code enters are examined per job."),
    precision="high",
)


def untrusted_checkout_privileged_trigger(wf):
    triggers = privileged_triggers(wf)
    if not triggers:
        return
    workflow_run = any(name == "workflow_run" for name, _ in triggers)
    lines = wf.doc.lines
    trigger_notes = [(node, f"privileged trigger '{name}'") for name, node in triggers]
    for job in wf.jobs:
        for entry in entries(job, lines, workflow_run):
            found = runner(job, entry, lines)
            if found is None:
                continue
            where, note = found
            yield entry.where, (f"job '{job.name}' {entry.what} under "
                                f"{' and '.join(n for n, _ in triggers)}, then runs "
                                "that code with the base repository's secrets and token"), \
                trigger_notes + [(where, note)]
