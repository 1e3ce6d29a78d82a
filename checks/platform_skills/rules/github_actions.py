"""GitHub Actions hygiene: pinning, permissions (PSK001-PSK005)."""

import re

from .. import nodes
from ..model import rule

REF = "references/github-actions.md"
_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
_DIGEST = re.compile(r"@sha256:[0-9a-fA-F]{64}$")
_SEMVER_TAG = re.compile(r"^v\d+\.\d+\.\d+$")
_VERSION_WORD = re.compile(r"\bv?\d+(?:\.\d+)*\b")
SLSA_GENERATOR = "slsa-framework/slsa-github-generator"


def _workflow(step, permissions="permissions:\n  contents: read\n"):
    """A one-job workflow around ``step``: the shape every example here shares."""
    return f"on: push\n{permissions}jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - {step}\n"


_CHECKOUT = "uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"


def remote_uses(wf):
    """``(node, owner/repo[/path], ref)`` for every ``uses:`` that names a repository."""
    if "remote_uses" not in wf.memo:
        found = []
        for node, _ in wf.uses_nodes():
            value = node.value.strip()
            if not value or value.startswith(("./", "docker://", ".\\")) or "${{" in value:
                continue
            name, _, ref = value.partition("@")
            found.append((node, name.lower(), ref))
        wf.memo["remote_uses"] = found
    return wf.memo["remote_uses"]


@rule(
    id="PSK001", name="unpinned-action", severity="medium", domain="github-actions",
    targets=("workflow", "action"), reference=REF + "#pin-actions-to-commit-shas",
    summary="Action or reusable workflow not pinned to a full commit SHA",
    rationale=(
        "A tag or branch is a pointer the action's owner (or anyone who steals their "
        "credentials) can move. A moved tag runs new code in your pipeline with your token "
        "and secrets, and nothing in your repository changes. A full 40-character commit SHA "
        "cannot be moved."),
    fix=(
        "Replace the ref with the commit SHA the tag points at and keep the tag as a trailing "
        "comment (`uses: actions/checkout@<sha> # v4.2.2`); let Dependabot or Renovate bump "
        "both together. `slsa-framework/slsa-github-generator` is the exception: its reusable "
        "workflows must be referenced by a `vX.Y.Z` tag (see PSK130)."),
    bad=_workflow("uses: actions/checkout@v4"),
    good=_workflow(_CHECKOUT),
)
def unpinned_action(wf):
    for node, name, ref in remote_uses(wf):
        if _SHA.match(ref):
            continue
        if name.startswith(SLSA_GENERATOR + "/") and _SEMVER_TAG.match(ref):
            continue  # its reusable workflows only accept release tags
        what = f"ref '{ref}'" if ref else "no ref"
        yield nodes.line(node), f"'{name}' is pinned to {what}, not a full commit SHA"


@rule(
    id="PSK002", name="pin-without-version-comment", severity="low", domain="github-actions",
    targets=("workflow", "action"), reference=REF + "#pin-actions-to-commit-shas",
    summary="SHA-pinned action without a trailing version comment",
    rationale=(
        "A bare SHA tells a reviewer nothing: is it v4.2.2 or a fork's commit? Dependabot and "
        "Renovate read the trailing comment to know which release the SHA stands for and keep "
        "the two in step when they update it."),
    fix="Add the release the SHA belongs to as a trailing comment: `@<sha> # v4.2.2`.",
    bad=_workflow(_CHECKOUT.split(" #")[0]),
    good=_workflow(_CHECKOUT),
)
def pin_without_version_comment(wf):
    lines = wf.doc.lines
    for node, name, ref in remote_uses(wf):
        if not _SHA.match(ref):
            continue
        end = node.end_mark
        rest = lines[end.line][end.column:] if end.line < len(lines) else ""
        comment = rest.partition("#")[2]
        if not _VERSION_WORD.search(comment):
            yield nodes.line(node), (f"'{name}' is pinned to a SHA with no version comment; "
                                     "add '# vX.Y.Z' so reviewers and update bots know what it is")


@rule(
    id="PSK003", name="docker-action-not-digest", severity="medium", domain="github-actions",
    targets=("workflow", "action"), reference=REF + "#pin-actions-to-commit-shas",
    summary="`docker://` action not pinned to an image digest",
    rationale=(
        "`uses: docker://image:tag` pulls whatever the tag points at today. Image tags are as "
        "mutable as git tags, so the step can change under you without a commit."),
    fix="Pin the image by digest: `uses: docker://alpine:3.20@sha256:<64 hex>`.",
    bad=_workflow("uses: docker://alpine:3.20"),
    good=_workflow("uses: docker://alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d"),
)
def docker_action_not_digest(wf):
    for node, _ in wf.uses_nodes():
        value = node.value.strip()
        if value.startswith("docker://") and not _DIGEST.search(value):
            image = value[len("docker://"):]
            yield nodes.line(node), f"docker action '{image}' is not pinned by @sha256 digest"


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
    bad=_workflow("run: make test", permissions=""),
    good=_workflow("run: make test"),
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
    targets=("workflow",), reference=REF + "#least-privilege-permissions",
    summary="`permissions: write-all`",
    rationale=(
        "`write-all` hands every step write access to code, packages, releases, deployments "
        "and the OIDC token at once. Any compromised dependency in the job inherits all of it."),
    fix="List the scopes the job needs (`contents: read`, `packages: write`, ...) instead.",
    bad=_workflow("run: make test", permissions="permissions: write-all\n"),
    good=_workflow("run: make test"),
)
def write_all_permissions(wf):
    holders = [("the workflow", wf.permissions)] + [(f"job '{j.name}'", j.permissions)
                                                     for j in wf.jobs]
    for who, (key, value) in holders:
        if key is not None and nodes.text(value, "").strip() == "write-all":
            yield nodes.line(key), f"{who} grants permissions: write-all"
