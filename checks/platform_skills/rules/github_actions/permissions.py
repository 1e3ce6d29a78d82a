"""Least-privilege tokens: missing and write-all permissions (PSK004, PSK005)."""

from ... import nodes
from ...fixes import PLAIN, Edit, Fix, one_line_scalar, plain_node
from ...model import rule
from .examples import REF, workflow


@rule(
    id="PSK004", name="missing-permissions", severity="medium", domain="github-actions",
    targets=("workflow",), reference=REF + "#least-privilege-permissions",
    summary="Job without `permissions:` in a workflow without top-level `permissions:`",
    rationale=(
        "With no `permissions:` anywhere, the job's GITHUB_TOKEN gets the repository or "
        "organisation default, which on older repositories is read-write on everything. A "
        "compromised step can then push code, cut releases or rewrite packages."),
    fix=(
        "Set `permissions: {}` (or `contents: read`) at the top of the workflow and grant each "
        "job only what it needs, e.g. `id-token: write` and `packages: write` for keyless "
        "signing and pushing."),
    bad=workflow("run: make test", permissions=""),
    good=workflow("run: make test"),
    precision="very-high",
    limits=("The repository's or organisation's default token permissions are not in the "
            "files, so a job is reported even where that default is read-only: the file is "
            "what is copied to other repositories. A reusable workflow (`on: workflow_call`) "
            "with no `permissions:` is reported too, although its caller's grant caps it."),
)
def missing_permissions(wf):
    if wf.permissions[0] is not None:
        return
    for job in wf.jobs:
        if job.permissions[0] is None:
            yield nodes.line(job.key), (f"job '{job.name}' has no permissions: and the workflow "
                                        "sets none, so its token gets the repository default")


@rule(
    id="PSK005", name="write-all-permissions", severity="high", domain="github-actions",
    requires=("write-all",),
    targets=("workflow",), reference=REF + "#least-privilege-permissions",
    summary="`permissions: write-all`",
    rationale=(
        "`write-all` hands every step write access to code, packages, releases, deployments "
        "and the OIDC token at once. Any compromised dependency in the job inherits all of it."),
    fix="List the scopes the job needs (`contents: read`, `packages: write`, ...) instead.",
    bad=workflow("run: make test", permissions="permissions: write-all\n"),
    good=workflow("run: make test"),
    precision="very-high",
    limits=("Reads the value `write-all` at the top and in each job; a mapping that lists "
            "every scope as `write` one by one is not recognised as the same grant."),
)
def write_all_permissions(wf):
    holders = [("the workflow", wf.permissions)] + [(f"job '{j.name}'", j.permissions)
                                                     for j in wf.jobs]
    for who, (key, value) in holders:
        if key is not None and nodes.text(value, "").strip() == "write-all":
            yield nodes.line(key), f"{who} grants permissions: write-all"


@rule(
    id="PSK019", name="read-all-permissions", severity="low", domain="github-actions",
    requires=("read-all",),
    targets=("workflow",), reference=REF + "#read-all-is-not-least-privilege", since="0.2.0",
    summary="`permissions: read-all`",
    rationale=(
        "`read-all` looks like the safe end of the scale but grants read on every scope: "
        "contents, packages, issues, pull requests, deployments, security events, actions. "
        "In a private repository that is the code, the packages and the open security alerts, "
        "for whichever step in the job an attacker controls."),
    fix="Name the scopes the job reads, usually just `contents: read`.",
    bad=workflow("run: make test", permissions="permissions: read-all\n"),
    good=workflow("run: make test"),
    limits=(
        "zizmor's `excessive-permissions` reports `read-all` only with `--persona=pedantic`. "
        "Checkov's own workflow schema rejects `read-all` at job level, so a workflow with "
        "one reaches Checkov only through the `platform-skills-checkov` hook, which hands "
        "such files to Checkov's `yaml` framework."),
    fixable=True,
    precision="very-high",
)
def read_all_permissions(wf):
    holders = [("the workflow", wf.permissions)] + [(f"job '{j.name}'", j.permissions)
                                                     for j in wf.jobs]
    for who, (key, value) in holders:
        if key is not None and nodes.text(value, "").strip() == "read-all":
            yield nodes.line(key), (f"{who} grants permissions: read-all, read access to "
                                    "every scope; name the scopes it needs"), \
                Fix(_contents_read, key, value)


def _contents_read(text, key, value):
    """``permissions: read-all`` becomes ``permissions:`` with ``contents: read`` below it;
    a comment after the value stays on the key's line."""
    if not one_line_scalar(value) or value.start_mark.line != key.start_mark.line \
            or not plain_node(text, value) or key.style not in PLAIN:
        return None
    start, end = text.offset(key.end_mark), text.offset(value.end_mark)
    if text.text[start:text.offset(value.start_mark)].rstrip(" ") != ":":
        return None
    return [Edit(start, end, ":"),
            text.insert_after(key.start_mark.line, key.start_mark.column, [(1, "contents: read")])]
