"""Container image references, ``[registry[:port]/]repository[:tag][@digest]``: one parser for
the rules (``patterns.split_image``) and for ``pin`` (``parse``).

The registry is the first path component when it looks like a host (has a dot or a port,
or is ``localhost``), as Docker decides; otherwise the image lives on Docker Hub, whose
one-word names are under ``library/``. A digest is ``sha256:`` with 64 hex digits or
``sha512:`` with 128, the two algorithms the OCI image specification registers.
"""

from __future__ import annotations

import re

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
_HUB_ALIASES = {"docker.io", "index.docker.io", "registry-1.docker.io"}
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::\d+)?$")
DIGEST_ALTERNATIVES = r"(?:sha256:[0-9a-fA-F]{64}|sha512:[0-9a-fA-F]{128})"
_DIGEST_VALUE = re.compile("^" + DIGEST_ALTERNATIVES + "$")


class ImageRef:
    """A reference split into its parts. ``host`` is where the registry API answers."""

    __slots__ = ("text", "registry", "repository", "tag", "digest")

    def __init__(self, text: str, registry: str, repository: str, tag: str | None,
                 digest: str | None) -> None:
        self.text = text
        self.registry = registry      # as written, or docker.io
        self.repository = repository  # library/alpine for Docker Hub one-word names
        self.tag = tag                # None when there is none
        self.digest = digest          # the text after ``@`` (None: no ``@``), not yet checked

    @property
    def host(self) -> str:
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def pinned(self) -> bool:
        """Whether the digest is one (``sha256:``/``sha512:`` and the right number of digits)."""
        return self.digest is not None and bool(_DIGEST_VALUE.match(self.digest))

    def key(self) -> tuple[str, str, str | None]:
        """What the registry is asked: one question per distinct key per run."""
        return (self.host, self.repository, self.tag)

    def __repr__(self) -> str:
        return f"<ImageRef {self.text}>"


def split(text: str) -> ImageRef:
    """The parts of ``text`` as written, whatever they hold (``${TAG}`` stays a tag): what
    the rules read, even in references built from variables."""
    rest, at, digest = text.partition("@")
    written, path = _registry(rest)
    registry = DOCKER_HUB if written is None else written.lower()
    tag = None
    head, _, last = path.rpartition("/")
    if ":" in last:
        last, tag = last.split(":", 1)
        path = f"{head}/{last}" if head else last
    if registry in _HUB_ALIASES:
        registry = DOCKER_HUB
        if path and "/" not in path:
            path = "library/" + path
    return ImageRef(text, registry, path, tag, digest if at else None)


def parse(text: str) -> ImageRef | None:
    """An ImageRef, or None when ``text`` is not a plain, valid image reference (a variable,
    a malformed tag or digest, an upper-case repository)."""
    if not text or text != text.strip() or any(c in text for c in "$ \t\"'{}"):
        return None
    ref = split(text)
    if ref.digest is not None and not ref.pinned:
        return None
    if ref.tag is not None and not _TAG.match(ref.tag):
        return None
    written, _ = _registry(text.partition("@")[0])
    if written is not None and not _HOST.match(written):
        return None
    path = ref.repository
    if not path or not all(_COMPONENT.match(part) for part in path.split("/")):
        return None
    return ref


def _registry(name: str) -> tuple[str | None, str]:
    """``(registry as written or None, the rest)``: the first component names a registry
    when it has a dot or a port or is ``localhost``."""
    first, slash, remainder = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first, remainder
    return None, name
