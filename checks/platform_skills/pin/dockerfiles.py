"""Where each ``FROM`` base image sits in a Dockerfile's text, so pin can edit it in place.

The file is parsed and its stages decided by the readers (``parsers.dockerfile_instructions``,
``readers.dockerfile``), as ``check`` reads it; this module only finds each image token's
character offsets. The token as written is what pin edits: ``ARG`` defaults are not
substituted, since ``--build-arg`` may replace them.
"""

import re

from ..model import Document
from ..parsers import dockerfile_instructions
from ..readers.dockerfile import DockerfileView

_FROM = re.compile(r"^\s*from\b", re.IGNORECASE)


class BaseImage:
    """One ``FROM``: the image token as written and where it sits in the text."""

    __slots__ = ("line", "start", "end", "image", "stage_ref")

    def __init__(self, line, start, end, image, stage_ref):
        self.line = line            # 1-based line of the image token
        self.start = start          # character offsets of the token in the text
        self.end = end
        self.image = image
        self.stage_ref = stage_ref  # True when it builds on an earlier stage or scratch


def base_images(doc):
    """Every ``FROM`` of a loaded Dockerfile document (or of a text, parsed here: ParseError
    when it does not parse) with its image token located."""
    if isinstance(doc, str):
        doc = Document("Dockerfile", "dockerfile", dockerfile_instructions(doc), doc)
    lines = doc.lines
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    found = []
    for stage in DockerfileView(doc).stages:
        image = stage.written
        ins = stage.instruction
        located = _locate(lines, ins.line - 1, ins.end - 1, image)
        if located is not None:
            index, column = located
            start = offsets[index] + column
            found.append(BaseImage(index + 1, start, start + len(image), image,
                                   stage.parent is not None or stage.scratch))
    return found


def _locate(lines, first, last, token):
    """``(line index, column)`` of ``token`` as a whole word after the ``FROM`` keyword."""
    pattern = re.compile(r"(?<!\S)" + re.escape(token) + r"(?!\S)")
    for index in range(first, min(last, len(lines) - 1) + 1):
        line = lines[index]
        begin = 0
        if index == first:
            keyword = _FROM.match(line)
            if keyword is None:
                return None
            begin = keyword.end()
        match = pattern.search(line, begin)
        if match:
            return index, match.start()
    return None
