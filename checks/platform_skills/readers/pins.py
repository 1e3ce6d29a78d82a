"""SHA pins and their version comments, as ``pin --verify`` and PSK009 read them."""

from __future__ import annotations

import re

_VERSION = re.compile(r"^v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z][0-9A-Za-z.+-]*)?$")


def comment_version(comment: str | None) -> str | None:
    """The tag a trailing comment names (``v4.2.2``, ``tag=v4.2.2``, ``pin@v4.2.2``), or None."""
    words = (comment or "").split()
    if not words:
        return None
    word = words[0].rsplit("@", 1)[-1].split("=", 1)[-1]
    return word if _VERSION.match(word) else None


class VerifiedPin:
    """What the action's repository says about one ``uses: name@sha # tag``."""

    __slots__ = ("line", "name", "sha", "tag", "tag_commit", "sha_tags")

    def __init__(self, line: int, name: str, sha: str, tag: str, tag_commit: str | None,
                 sha_tags: list[str]) -> None:
        self.line = line
        self.name = name                # owner/repo[/path] as written
        self.sha = sha.lower()
        self.tag = tag                  # the tag the comment names
        self.tag_commit = tag_commit    # the commit that tag names; None when there is no such tag
        self.sha_tags = sha_tags        # the tags that do name the pinned commit
