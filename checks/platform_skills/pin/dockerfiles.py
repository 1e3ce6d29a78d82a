"""Dockerfile ``FROM`` instructions, found with the ``dockerfile`` package (BuildKit's own
parser), with the place of each base image in the text so that it can be edited in place.

``ARG`` defaults are not substituted: a ``FROM ${BASE}`` is reported as not pinnable, since
the value a build uses may come from ``--build-arg``.
"""

import re

_FROM = re.compile(r"^\s*from\b", re.IGNORECASE)


class ParseError(Exception):
    pass


class BaseImage:
    """One ``FROM``: the image token as written and where it sits in the text."""

    __slots__ = ("line", "start", "end", "image", "stage_ref")

    def __init__(self, line, start, end, image, stage_ref):
        self.line = line            # 1-based line of the image token
        self.start = start          # character offsets of the token in the text
        self.end = end
        self.image = image
        self.stage_ref = stage_ref  # True when it names an earlier stage or scratch


def base_images(text):
    """Every ``FROM`` with a located image token; ParseError when the file does not parse."""
    try:
        import dockerfile
    except ImportError:
        raise ParseError("reading Dockerfiles needs the 'dockerfile' package") from None

    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        if "no instructions" in str(exc):
            return []
        raise ParseError(f"cannot parse Dockerfile: {exc}") from None
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    stages = {"scratch"}
    found = []
    for command in commands:
        if command.cmd.upper() != "FROM" or not command.value:
            continue
        image = command.value[0]
        located = _locate(lines, command.start_line - 1, command.end_line - 1, image)
        if located is not None:
            index, column = located
            start = offsets[index] + column
            found.append(BaseImage(index + 1, start, start + len(image), image,
                                   image.lower() in stages))
        if len(command.value) >= 3 and command.value[1].lower() == "as":
            stages.add(command.value[2].lower())
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
