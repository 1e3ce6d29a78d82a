"""Byte-exact replacements: the new ref goes where the old one was written, nothing else moves.

YAML is never re-serialised. An edit replaces the characters of one value (keeping its
quotes) and, for ``uses:``, writes the version comment after it. Before a file is written,
its new text is parsed again and must hold exactly the old values with the intended ones
replaced; otherwise the file is left alone.
"""

import yaml

from ..parsers import ParseError, dockerfile_instructions
from ..readers.pins import comment_version
from ..textfiles import unified_diff  # noqa: F401  (pin prints its diffs with it)
from .dockerfiles import base_images

_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Edit:
    """Replace ``text[start:end]`` with ``new``; ``value`` is the scalar's intended value."""

    __slots__ = ("start", "end", "new", "value")

    def __init__(self, start, end, new, value):
        self.start = start
        self.end = end
        self.new = new
        self.value = value


def action_edit(ref, sha, comment):
    """``uses: name@ref`` becomes ``uses: name@<sha> # <comment>``."""
    value = f"{ref.name}@{sha}"
    written = ref.quote + value + ref.quote
    rest = ref.rest
    stripped = rest.lstrip()
    if not stripped:
        return Edit(ref.start, ref.end, f"{written} # {comment}", value)
    if stripped.startswith("#"):
        existing = stripped[1:].strip()
        if existing == ref.ref or (len(existing.split()) == 1 and comment_version(existing)):
            # the old version comment goes: it described the tag, not the new SHA
            gap = rest[:len(rest) - len(stripped)]
            return Edit(ref.start, ref.end + len(rest), f"{written}{gap}# {comment}", value)
        return Edit(ref.start, ref.end, f"{written} # {comment}", value)
    # something follows on the line (a flow mapping): the comment goes at the line's end
    if "#" in rest:
        return Edit(ref.start, ref.end, written, value)
    return Edit(ref.start, ref.end + len(rest), f"{written}{rest} # {comment}", value)


def image_edit(ref, digest):
    """``image:tag`` becomes ``image:tag@sha256:...`` (a ``docker://`` prefix is kept)."""
    value = f"{ref.value}@{digest}"
    return Edit(ref.start, ref.end, ref.quote + value + ref.quote, value)


def apply(text, edits):
    out, position = [], 0
    for edit in sorted(edits, key=lambda e: e.start):
        out.append(text[position:edit.start])
        out.append(edit.new)
        position = edit.end
    out.append(text[position:])
    return "".join(out)


def yaml_preserved(old, new, edits):
    """Whether ``new`` parses to the same tree as ``old`` with only the edited values changed."""
    replaced = {e.start: e.value for e in edits}
    try:
        before = _shape(yaml.compose_all(old, Loader=_COMPOSER), replaced)
        after = _shape(yaml.compose_all(new, Loader=_COMPOSER), {})
    except (yaml.YAMLError, RecursionError):
        return False
    return before == after


def _shape(documents, replaced):
    """Node kinds and scalar values in document order, each node once (aliases stay cheap)."""
    shape, seen = [], set()
    for root in documents:
        stack = [root]
        while stack:
            node = stack.pop()
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            if node.id == "scalar":
                shape.append(("s", replaced.get(node.start_mark.index, node.value)))
            elif node.id == "sequence":
                shape.append(("q", len(node.value)))
                stack.extend(reversed(node.value))
            else:
                shape.append(("m", len(node.value)))
                for key, value in reversed(node.value):
                    stack.extend((value, key))
    return shape


def dockerfile_preserved(old, new, edits):
    """Whether ``new`` has the same instructions as ``old`` with only base images changed."""
    replaced = {e.start: e.value for e in edits}
    try:
        expected = [replaced.get(b.start, b.image) for b in base_images(old)]
        found = [b.image for b in base_images(new)]
        others = [[(c.cmd, c.flags, c.value) for c in dockerfile_instructions(text)
                   if c.cmd.upper() != "FROM"] for text in (old, new)]
    except ParseError:
        return False
    return expected == found and others[0] == others[1]
