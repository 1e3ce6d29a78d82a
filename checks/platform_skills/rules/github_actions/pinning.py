"""Pinning actions and reusable workflows (PSK001-PSK003)."""

from ...model import Option, rule
from ...readers.patterns import DIGEST, VERSION_WORD, slsa_tag_exempt, trusted
from .examples import CHECKOUT, REF, workflow

TRUSTED_OWNERS = Option(
    "trusted-owners", "list", (),
    "`owner` or `owner/repo` glob patterns (`my-org`, `my-org/*`, `actions/checkout`) whose "
    "actions may be referenced by tag: organisations whose release process you control. "
    "Only PSK001 honours it; `pin` leaves these references alone too.")


def _remote(wf):
    return [(node, uses) for node, uses, _ in wf.uses_refs() if uses.kind == "remote" and uses.name]


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
    bad=workflow("uses: actions/checkout@v4"),
    good=workflow(CHECKOUT),
    options=(TRUSTED_OWNERS,),
    limits=(
        "Checks the shape of the ref only: whether `@<sha> # v4.2.2` really is v4.2.2 needs the "
        "network (`platform-skills pin --verify`, PSK009). A SHA from a fork of the action's "
        "repository (an impostor commit) looks the same offline."),
    precision="very-high",
)
def unpinned_action(wf, options):
    patterns = options["trusted-owners"]
    for node, uses in _remote(wf):
        if uses.pinned or slsa_tag_exempt(uses):
            continue
        if patterns and trusted(uses.name, patterns):
            continue
        what = f"ref '{uses.ref}'" if uses.ref else "no ref"
        yield node, f"'{uses.name}' is pinned to {what}, not a full commit SHA"


@rule(
    id="PSK002", name="pin-without-version-comment", severity="low", domain="github-actions",
    targets=("workflow", "action"), reference=REF + "#pin-actions-to-commit-shas",
    summary="SHA-pinned action without a trailing version comment",
    rationale=(
        "A bare SHA tells a reviewer nothing: is it v4.2.2 or a fork's commit? Dependabot and "
        "Renovate read the trailing comment to know which release the SHA stands for and keep "
        "the two in step when they update it."),
    fix="Add the release the SHA belongs to as a trailing comment: `@<sha> # v4.2.2`.",
    bad=workflow(CHECKOUT.split(" #")[0]),
    good=workflow(CHECKOUT),
    precision="very-high",
    limits=("Reads the comment on the `uses:` line itself: a version written on the line "
            "above does not count. Any version-like word counts (`# v4`, `# 4.2.2`, `# "
            "release 1.0`); whether it names the pinned commit is PSK009's question (`pin "
            "--verify`, which needs the network)."),
)
def pin_without_version_comment(wf):
    lines = wf.doc.lines
    for node, uses in _remote(wf):
        if not uses.pinned:
            continue
        end = node.end_mark
        rest = lines[end.line][end.column:] if end.line < len(lines) else ""
        comment = rest.partition("#")[2]
        if not VERSION_WORD.search(comment):
            yield node, (f"'{uses.name}' is pinned to a SHA with no version comment; "
                         "add '# vX.Y.Z' so reviewers and update bots know what it is")


@rule(
    id="PSK003", name="docker-action-not-digest", severity="medium", domain="github-actions",
    requires=("docker://",),
    targets=("workflow", "action"), reference=REF + "#pin-actions-to-commit-shas",
    summary="`docker://` action not pinned to an image digest",
    rationale=(
        "`uses: docker://image:tag` pulls whatever the tag points at today. Image tags are as "
        "mutable as git tags, so the step can change under you without a commit."),
    fix="Pin the image by digest: `uses: docker://alpine:3.20@sha256:<64 hex>`.",
    bad=workflow("uses: docker://alpine:3.20"),
    good=workflow("uses: docker://alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d"),
    precision="high",
    limits=("Reads the `uses: docker://` of steps; job `container:` and `services:` images "
            "are PSK017's. Only a `sha256` or `sha512` digest written in the value counts, so "
            "an image given by an expression (`docker://${{ env.IMAGE }}`) is reported."),
)
def docker_action_not_digest(wf):
    for node, uses, _ in wf.uses_refs():
        if uses.kind == "docker" and not DIGEST.search(uses.name):
            yield node, f"docker action '{uses.name}' is not pinned by @sha256 digest"


