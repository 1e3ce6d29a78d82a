"""Kubernetes workload images (PSK301-PSK302)."""

from ...model import rule
from ...readers.patterns import split_image
from ...readers.podspec import build_placeholder, images
from .examples import HARDENED, PINNED

_DEPLOYMENT = HARDENED.replace(PINNED, "IMAGE")

REF = "references/supply-chain.md"
_PINNED = ("ghcr.io/example-org/app:1.4.2@sha256:"
           "3b1c5a5e1fb2e8c3c0cb4f9f0a1f6e2d7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d")


@rule(
    id="PSK301", name="image-latest-or-untagged", severity="medium", domain="kubernetes",
    requires=("image",),
    targets=("manifest",), reference=REF + "#admission-enforcement",
    summary="Container image with `latest` or no tag, and no digest",
    rationale=(
        "`latest` (or no tag, which means `latest`) is whatever was pushed last. Two nodes can "
        "run different code under the same spec, a rollback re-pulls the broken image, and no "
        "signature or scan result can be tied to what actually runs."),
    fix="Deploy a versioned tag pinned by digest: `image: registry/app:1.4.2@sha256:<digest>`.",
    bad=_DEPLOYMENT.replace("IMAGE", "ghcr.io/example-org/app:latest"),
    good=_DEPLOYMENT.replace("IMAGE", _PINNED),
    limits=(
        "Build placeholders are not images: a `ko://` import path, or a name listed as a "
        "build artifact (`build.artifacts[].image`, in any profile) in a `skaffold*.yaml` of "
        "the tree being checked (the folder given, or the current directory for files named "
        "one by one); Skaffold and ko put the built image, digest included, in its place. "
        "Images set by variables or templates (`$IMAGE`, `{{ }}`) are not judged; a placeholder "
        "in single braces that a script replaces (`{IMAGE}`) is read as an image name."),
    precision="high",
)
def image_latest_or_untagged(root):
    for key, image in images(root):
        tag, digest = split_image(image)
        if not digest and (tag is None or tag == "latest") and not build_placeholder(root, image):
            what = "the 'latest' tag" if tag else "no tag"
            yield key, f"image '{image}' has {what} and no digest"


@rule(
    id="PSK302", name="image-not-digest", severity="low", domain="kubernetes",
    requires=("image",),
    targets=("manifest",), reference=REF + "#admission-enforcement",
    summary="Container image pinned by tag but not by digest",
    rationale=(
        "A tag can be re-pushed. Admission-time signature checks resolve the tag to a digest "
        "once, the kubelet may resolve it again later, and a rollback to the tag can fetch a "
        "different image. The digest is the only reference that always means the same bytes."),
    fix="Append the digest: `image: registry/app:1.4.2@sha256:<digest>` (keep the tag for humans).",
    bad=_DEPLOYMENT.replace("IMAGE", "ghcr.io/example-org/app:1.4.2"),
    good=_DEPLOYMENT.replace("IMAGE", _PINNED),
    limits=("Build placeholders (`ko://` paths, Skaffold artifacts of the tree, as in PSK301) "
            "are not judged; images set by variables or templates are not either."),
    precision="very-high",
)
def image_not_digest(root):
    for key, image in images(root):
        tag, digest = split_image(image)
        if not digest and tag is not None and tag != "latest" and not build_placeholder(root, image):
            yield key, f"image '{image}' is pinned by tag '{tag}' but not by digest"
