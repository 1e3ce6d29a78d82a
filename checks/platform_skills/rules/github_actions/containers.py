"""Job and service containers pinned by digest (PSK017)."""

import re

from ... import nodes
from ...model import rule
from ...readers.patterns import DIGEST
from .examples import REF

_JOB = """\
on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    container:
      image: {image}
    steps:
      - run: make test
"""


def _images(job):
    """``(what, value node)`` of the job container and each service container image."""
    container = nodes.get(job.node, "container")
    yield "job container", container if nodes.is_scalar(container) else nodes.get(container, "image")
    for name, _, service in nodes.pairs(nodes.get(job.node, "services")):
        yield f"service '{name}'", service if nodes.is_scalar(service) else nodes.get(service, "image")


@rule(
    id="PSK017", name="job-image-not-digest", severity="medium", domain="github-actions",
    targets=("workflow",), reference=REF + "#job-and-service-containers-by-digest", since="0.2.0",
    summary="Job or service container image without `@sha256:` digest",
    rationale=(
        "With `container:`, every script of the job runs inside that image, next to the job's "
        "token and secrets; service images run beside it on the same network. A tag is a "
        "pointer the registry owner, or whoever steals their credentials, can move."),
    fix=(
        "Pin the image by digest and keep the tag for readers: `node:22-bookworm@sha256:<64 "
        "hex>` (`docker buildx imagetools inspect node:22-bookworm` prints it)."),
    bad=_JOB.format(image="node:22-bookworm"),
    good=_JOB.format(image="node:22-bookworm@sha256:"
                     "0000000000000000000000000000000000000000000000000000000000000000"),
    limits=(
        "An image given as `${{ matrix.<key> }}` is checked against the literal values of "
        "that matrix key (its list and `include` entries), each reported at the line where "
        "the matrix names it, with the container line as a related location; any other "
        "expression is known only at run time and is not reported. Action images are "
        "PSK003's. zizmor's `unpinned-images` reports untagged and `latest` images by default and tag-only ones with "
        "`--persona=pedantic`; we report every image without a digest."),
    precision="high",
)
def job_image_not_digest(wf):
    text = wf.doc.text
    if "container" not in text and "services" not in text:
        return
    for job in wf.jobs:
        for what, node in _images(job):
            image = nodes.text(node, "").strip()
            key = _MATRIX_VALUE.fullmatch(image)
            if key:
                for value in _matrix_values(job, key.group(1).lower()):
                    text = value.value.strip()
                    if text and not DIGEST.search(text):
                        yield value, (f"{what} of job '{job.name}' uses '{text}' (from the "
                                      "matrix), not pinned by @sha256 digest"), \
                            [(node, f"{what} image")]
            elif image and "${{" not in image and not DIGEST.search(image):
                yield node, (f"{what} of job '{job.name}' uses '{image}', not pinned by "
                             "@sha256 digest")


_MATRIX_VALUE = re.compile(r"\$\{\{\s*matrix\.([A-Za-z_][\w-]*)\s*\}\}")


def _matrix_values(job, key):
    """The literal scalar values ``matrix.<key>`` takes: its axis and ``include`` entries."""
    matrix = nodes.path(job.node, "strategy", "matrix")
    for name, _, value in nodes.pairs(matrix):
        if name.lower() == key:
            yield from (v for v in nodes.items(value) if nodes.is_scalar(v))
            if nodes.is_scalar(value) and "${{" not in value.value:
                yield value
    for entry in nodes.items(nodes.get(matrix, "include")):
        for name, _, value in nodes.pairs(entry):
            if name.lower() == key and nodes.is_scalar(value):
                yield value
