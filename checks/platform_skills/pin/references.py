"""What pin can rewrite: ``uses:`` refs and container images, each with its exact place.

YAML is read through the loader's composed nodes, whose marks give the scalar's offsets in
the text; a value is editable only when the text at those offsets is exactly the value,
plain or in simple quotes (anything fancier is left alone, with a note).
"""

import re

from .. import nodes
from ..readers.patterns import SHA
from ..readers.podspec import CONTAINER_LISTS, POD_SPEC_PATHS
from ..readers.workflow import Workflow
from . import images
from .dockerfiles import base_images

_OWNER_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


class Reference:
    """One reference in one file.

    ``kind`` is ``action`` (``name``/``owner_repo``/``ref`` set) or ``image`` (``image`` set,
    ``prefix`` is ``docker://`` for docker actions). ``start``/``end`` are the character
    offsets of the value as written (quotes included), ``rest`` the rest of its line.
    ``note`` says why it cannot be pinned, when it cannot.
    """

    __slots__ = ("line", "kind", "value", "start", "end", "quote", "rest", "name", "owner_repo",
                 "ref", "image", "prefix", "note")

    def __init__(self, line, kind, value, start=None, end=None, quote="", rest=""):
        self.line = line
        self.kind = kind
        self.value = value
        self.start = start
        self.end = end
        self.quote = quote
        self.rest = rest
        self.name = self.owner_repo = self.ref = self.image = None
        self.prefix = ""
        self.note = None

    @property
    def comment(self):
        """The trailing comment's text (after ``#``), or None."""
        stripped = self.rest.lstrip()
        return stripped[1:] if stripped.startswith("#") else None

    @property
    def pinned(self):
        if self.kind == "action":
            return bool(SHA.match(self.ref or ""))
        return self.image is not None and self.image.digest is not None


def yaml_references(doc):
    """Every action and image reference of a loaded workflow, action or manifest document."""
    found = []
    if doc.kind in ("workflow", "action"):
        wf = Workflow(doc)
        for node, _, _ in wf.uses_refs():
            ref = _uses(doc.text, node)
            if ref is not None:
                found.append(ref)
        for node, prefix in _workflow_image_nodes(wf):
            found.append(_image(doc.text, node, prefix))
    elif doc.kind == "manifest":
        for root in doc.roots:
            for node in _pod_image_nodes(root):
                found.append(_image(doc.text, node, ""))
    unique, seen = [], set()
    for ref in found:  # an alias reuses its anchor's node: one place, one edit
        place = ref.start if ref.start is not None else ("line", ref.line, ref.value)
        if place not in seen:
            seen.add(place)
            unique.append(ref)
    return unique


def dockerfile_references(doc):
    """Every pinnable-looking ``FROM`` base image of a loaded Dockerfile (earlier stages and
    scratch excluded)."""
    found = []
    for base in base_images(doc):
        if base.stage_ref:
            continue
        ref = Reference(base.line, "image", base.image, base.start, base.end)
        _classify_image(ref, base.image, "")
        if ref.note and "$" in base.image:
            ref.note = f"FROM {base.image} is built from an ARG; pin leaves it alone"
        found.append(ref)
    return found


def _span(text, node):
    """``(start, end, quote, rest of line)`` when the scalar is written as its plain value."""
    start, end = node.start_mark.index, node.end_mark.index
    raw = text[start:end]
    quote = node.style if node.style in ('"', "'") else ""
    if node.style not in (None, "", '"', "'") or raw != quote + node.value + quote:
        return None
    if node.start_mark.line != node.end_mark.line:
        return None
    line_end = text.find("\n", end)
    rest = text[end:] if line_end < 0 else text[end:line_end]
    return start, end, quote, rest.rstrip("\r")


def _located(text, node, kind, value):
    span = _span(text, node)
    if span is None:
        ref = Reference(nodes.line(node), kind, value)
        ref.note = "written in a YAML form pin does not rewrite (multi-line or escaped)"
        return ref
    return Reference(nodes.line(node), kind, value, *span)


def _uses(text, node):
    value = node.value.strip()
    if value.startswith("docker://"):
        return _image(text, node, "docker://")
    if not value or value.startswith(("./", ".\\")) or "${{" in value:
        return None
    name, at, version = value.partition("@")
    owner_repo = "/".join(name.split("/")[:2])
    if not at or not version or not _OWNER_REPO.match(owner_repo):
        return None
    ref = _located(text, node, "action", value)
    ref.name, ref.owner_repo, ref.ref = name, owner_repo, version
    return ref


def _image(text, node, prefix):
    ref = _located(text, node, "image", node.value)
    _classify_image(ref, node.value.strip()[len(prefix):], prefix)
    return ref


def _classify_image(ref, image_text, prefix):
    ref.prefix = prefix
    if "$" in image_text:
        ref.note = f"image '{image_text}' comes from an expression or variable; pin leaves it alone"
        return
    parsed = images.parse(image_text)
    if parsed is None:
        ref.note = ref.note or f"'{image_text}' is not an image reference pin understands"
        return
    ref.image = parsed
    if parsed.digest is None and parsed.tag is None:
        ref.note = ref.note or (f"image '{image_text}' has no tag; give it a version tag, "
                                "then pin it")


def _workflow_image_nodes(wf):
    if wf.kind == "action":
        image = nodes.path(wf.root, "runs", "image")
        if nodes.is_scalar(image) and image.value.startswith("docker://"):
            yield image, "docker://"  # a Docker container action's own image
        return
    for job in wf.jobs:
        container = nodes.get(job.node, "container")
        image = container if nodes.is_scalar(container) else nodes.get(container, "image")
        if nodes.is_scalar(image) and image.value.strip():
            yield image, ""
        for _, _, service in nodes.pairs(nodes.get(job.node, "services")):
            image = service if nodes.is_scalar(service) else nodes.get(service, "image")
            if nodes.is_scalar(image) and image.value.strip():
                yield image, ""


def _pod_image_nodes(root):
    spec_path = POD_SPEC_PATHS.get(nodes.text(nodes.get(root, "kind")))
    if spec_path is None:
        return
    pod = nodes.path(root, *spec_path)
    for list_name in CONTAINER_LISTS:
        for container in nodes.items(nodes.get(pod, list_name)):
            image = nodes.get(container, "image")
            if nodes.is_scalar(image) and image.value.strip():
                yield image
