"""Reference shapes every domain shares: commit SHAs, image digests, ``uses:`` values, images."""

from __future__ import annotations

import re

from .image_refs import DIGEST_ALTERNATIVES, split

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

SHA = re.compile(r"^[0-9a-fA-F]{40}$")
DIGEST = re.compile("@" + DIGEST_ALTERNATIVES + "$")  # at the end of an image reference


class Uses:
    """A parsed ``uses:`` value: ``local`` (``./``), ``docker`` (``docker://``), ``remote``
    (``owner/repo[/path]@ref``, name lower-cased) or ``dynamic`` (an expression)."""

    __slots__ = ("kind", "name", "ref", "value")

    def __init__(self, kind: str, name: str, ref: str, value: str) -> None:
        self.kind = kind
        self.name = name
        self.ref = ref
        self.value = value

    @property
    def pinned(self) -> bool:
        return bool(SHA.match(self.ref))


_PARSED_USES: dict[str, Uses] = {}  # value -> Uses: the same few actions recur in every workflow of a tree


def parse_uses(value: str) -> Uses:
    found = _PARSED_USES.get(value)
    if found is None:
        if len(_PARSED_USES) >= 4096:
            _PARSED_USES.clear()
        found = _PARSED_USES[value] = _parse_uses(value)
    return found


def _parse_uses(value: str) -> Uses:
    value = value.strip()
    if value.startswith(("./", ".\\")):
        return Uses("local", value, "", value)
    if value.startswith("docker://"):
        return Uses("docker", value[len("docker://"):], "", value)
    if "${{" in value:
        return Uses("dynamic", value, "", value)
    name, _, ref = value.partition("@")
    return Uses("remote", name.strip().lower(), ref.strip(), value)


def split_image(image: str) -> tuple[str | None, bool]:
    """``(tag or None, has_digest)``; a registry port (``host:5000/app``) is not a tag."""
    ref = split(image)
    return ref.tag, ref.pinned


SEMVER_TAG = re.compile(r"^v\d+\.\d+\.\d+$")
VERSION_WORD = re.compile(r"\bv?\d+(?:\.\d+)*\b")
SLSA_GENERATOR = "slsa-framework/slsa-github-generator"


def trusted(name: str, patterns: Iterable[str]) -> bool:
    """Whether ``owner/repo[/path]`` matches one of the ``owner`` / ``owner/repo`` globs
    (``trusted-owners``: PSK001 and ``pin`` honour it)."""
    from fnmatch import fnmatchcase

    owner, _, rest = name.lower().partition("/")
    repo = owner + "/" + rest.split("/", 1)[0]
    return any(fnmatchcase(owner, p.lower()) if "/" not in p else fnmatchcase(repo, p.lower())
               for p in patterns)


def slsa_tag_exempt(uses: Uses) -> bool:
    """``slsa-github-generator`` by ``vX.Y.Z``: its reusable workflows only accept tag refs."""
    return uses.name.startswith(SLSA_GENERATOR + "/") and bool(SEMVER_TAG.match(uses.ref))


# Regular expressions a signer identity can hold that match every subject.
ANY_SUBJECT = frozenset(("*", ".*", "^.*$", "^.*", ".*$", ".+", "^.+$"))


def matches_any_subject(pattern: str) -> bool:
    """Whether a subject pattern (glob or regular expression) accepts any signer."""
    return pattern.strip() in ANY_SUBJECT
