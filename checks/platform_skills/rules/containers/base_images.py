"""Base images pinned by digest (PSK401-PSK402)."""

from ...model import rule
from ...readers.patterns import split_image
from .examples import BASE, CONTAINERFILE, DIGEST, REF, dockerfile

_LIMITS_COMMON = (
    "`FROM scratch` and `FROM <earlier stage>` (stage names are case-insensitive, as in "
    "BuildKit) are not image references and pass. `ARG` defaults declared before the first "
    "`FROM` are substituted first, including `${NAME:-default}`, `${NAME-default}`, "
    "`${NAME:+alt}` and nested forms; a `--build-arg` given at build time can still replace "
    "them, which the check cannot see. ")


def external_bases(df):
    """``(stage, image)`` for every stage built on an image rather than on an earlier stage;
    ``image`` is None when an ``ARG`` in it has no value to resolve."""
    for stage in df.stages:
        if stage.parent is None and not stage.scratch:
            yield stage, stage.image


def _shown(stage):
    if stage.image == stage.written:
        return f"'{stage.image}'"
    return f"'{stage.image}' (written '{stage.written}')"


@rule(
    id="PSK401", name="base-image-latest-or-untagged", severity="medium", domain="containers",
    targets=("dockerfile",), reference=REF + "#base-images-by-digest", since="0.2.0",
    example_name="Dockerfile",
    summary="`FROM` an image with `latest` or no tag, and no digest",
    rationale=(
        "`FROM node` and `FROM node:latest` build on whatever was pushed last. Two builds of "
        "the same commit can ship different operating systems and runtimes, a rebuild for a "
        "one-line fix can pull in a major upgrade, and nothing in the repository records "
        "which base the released image used."),
    fix=("Pin a version tag and its digest: `FROM node:22-bookworm-slim@sha256:<digest>`; let "
         "Dependabot or Renovate propose digest updates."),
    bad=dockerfile(base="node"),
    good=dockerfile(base="node:22-bookworm-slim" + DIGEST),
    limits=_LIMITS_COMMON + (
        "Peers, run on the same fixtures: hadolint 2.15's DL3006 (untagged) and DL3007 "
        "(`latest`) and Checkov 3.3's CKV_DOCKER_7 cover the same cases, but hadolint skips "
        "every `FROM ${VAR}` (so `ARG BASE=alpine:latest` passes there) and matches stage names "
        "case-sensitively (`FROM build` after `AS Build` is DL3006 there), and Checkov reports "
        "a `FROM ${VAR}` as untagged whatever its default, and only a file's first such "
        "`FROM`.") + CONTAINERFILE,
    precision="high",
)
def base_image_latest_or_untagged(df):
    for stage, image in external_bases(df):
        if image is None:
            continue
        tag, digest = split_image(image)
        if not digest and (tag is None or tag == "latest"):
            what = "the 'latest' tag" if tag else "no tag"
            yield stage.instruction.line, f"base image {_shown(stage)} has {what} and no digest"


@rule(
    id="PSK402", name="base-image-not-digest", severity="low", domain="containers",
    targets=("dockerfile",), reference=REF + "#base-images-by-digest", since="0.2.0",
    example_name="Dockerfile",
    summary="`FROM image:tag` without a digest, or a `FROM ${ARG}` that cannot be resolved",
    rationale=(
        "A tag is a pointer the publisher can move. Pinning the digest makes the build "
        "reproducible and turns every base-image change into a reviewed commit, which update "
        "bots open for you. A base chosen by a build argument without a default cannot be "
        "checked at all, so it is reported too."),
    fix=("Append the digest to the tag: `FROM python:3.13-slim@sha256:<digest>` (the index "
         "digest from `docker buildx imagetools inspect`), or give the `ARG` a pinned default."),
    bad=dockerfile(base="python:3.13-slim"),
    good=dockerfile(base=BASE),
    limits=_LIMITS_COMMON + (
        "A reference whose digest comes from a variable (`image:1.2@${DIGEST}`) counts as "
        "pinned, as in PSK101. Neither hadolint 2.15 nor Checkov 3.3 has a digest "
        "rule for base images (their `latest` rules accept any tag), and neither reports a "
        "`FROM ${BASE}` it cannot resolve.") + CONTAINERFILE,
    precision="very-high",
)
def base_image_not_digest(df):
    for stage, image in external_bases(df):
        if image is None:
            if "@sha256:" in stage.written or "@$" in stage.written:
                continue
            why = "; ".join(
                f"ARG {name} has no default" if name in df.global_args else
                f"{name} is not declared by an ARG before the first FROM"
                for name in dict.fromkeys(stage.unresolved))
            yield stage.instruction.line, (
                f"base image '{stage.written}' cannot be resolved ({why}), so its digest cannot "
                "be checked")
            continue
        tag, digest = split_image(image)
        if not digest and tag is not None and tag != "latest":
            yield stage.instruction.line, (f"base image {_shown(stage)} is pinned by tag '{tag}' "
                                           "but not by digest")
