"""Rule texts are written in Markdown; terminals, Checkov names and SARIF ``text`` fields want
plain text. ``plain`` is the one conversion every such surface uses.

Only the inline Markdown the rule records use is converted: code spans, ``**bold**``,
``[text](url)`` and ``<url>``. Anything else passes through unchanged, so a glob such as
``deploy/**`` or a GitHub expression keeps its characters.
"""

from __future__ import annotations

import functools
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from re import Match

_INLINE = re.compile(
    r"(?P<fence>`+)(?P<code>.+?)(?P=fence)"          # `code` (contents kept verbatim)
    r"|\*\*(?P<bold>\S(?:.*?\S)?)\*\*"               # **bold**
    r"|\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\)"    # [label](url)
    r"|<(?P<auto>https?://[^>\s]+)>",                # <https://...>
    re.S)


@functools.lru_cache(maxsize=1024)  # the same few rule texts, once per finding
def plain(markdown: str | None) -> str:
    """``markdown`` as plain text: markers dropped, a link's absolute URL kept in
    parentheses (a relative link points into the handbook, which the caller's help link
    already names, so only its label is kept)."""
    if not markdown:
        return markdown or ""
    return _INLINE.sub(_replace, markdown)


def _replace(match: Match[str]) -> str:
    if match.group("fence"):
        return match.group("code").strip() or match.group("code")
    if match.group("bold") is not None:
        return plain(match.group("bold"))
    if match.group("auto"):
        return match.group("auto")
    label, url = plain(match.group("label")), match.group("url")
    if not url.startswith(("http://", "https://", "mailto:")):
        return label
    return url if url == label else f"{label} ({url})"
