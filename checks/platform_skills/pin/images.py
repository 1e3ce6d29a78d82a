"""Container image references: ``[registry[:port]/]repository[:tag][@digest]``.

The registry is the first path component when it looks like a host (has a dot or a port,
or is ``localhost``), as Docker decides; otherwise the image lives on Docker Hub, whose
one-word names are under ``library/``.
"""

import ipaddress
import re

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
_HUB_ALIASES = {"docker.io", "index.docker.io", "registry-1.docker.io"}
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::\d+)?$")


class ImageRef:
    """A parsed reference. ``host`` is where the registry API answers."""

    __slots__ = ("text", "registry", "repository", "tag", "digest")

    def __init__(self, text, registry, repository, tag, digest):
        self.text = text
        self.registry = registry      # as written, or docker.io
        self.repository = repository  # library/alpine for Docker Hub one-word names
        self.tag = tag
        self.digest = digest

    @property
    def host(self):
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    def key(self):
        """What the registry is asked: one question per distinct key per run."""
        return (self.host, self.repository, self.tag)

    def __repr__(self):
        return f"<ImageRef {self.text}>"


def parse(text):
    """An ImageRef, or None when ``text`` is not a plain image reference."""
    if not text or text != text.strip() or any(c in text for c in "$ \t\"'{}"):
        return None
    rest, _, digest = text.partition("@")
    if digest and not _DIGEST.match(digest):
        return None
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        if not _HOST.match(first):
            return None
        registry, path = first.lower(), remainder
    else:
        registry, path = DOCKER_HUB, rest
    tag = None
    last = path.rsplit("/", 1)[-1]
    if ":" in last:
        path, tag = path.rsplit(":", 1)
        if not _TAG.match(tag):
            return None
    if not path or not all(_COMPONENT.match(part) for part in path.split("/")):
        return None
    if registry in _HUB_ALIASES:
        registry = DOCKER_HUB
        if "/" not in path:
            path = "library/" + path
    return ImageRef(text, registry, path, tag, digest or None)


def is_loopback(host):
    """Registries Docker talks plain HTTP to without being told: this machine."""
    name = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
