"""Reference shapes every domain shares: commit SHAs, image digests, ``uses:`` values, images."""

import re

SHA = re.compile(r"^[0-9a-fA-F]{40}$")
DIGEST = re.compile(r"@sha256:[0-9a-fA-F]{64}$")


class Uses:
    """A parsed ``uses:`` value: ``local`` (``./``), ``docker`` (``docker://``), ``remote``
    (``owner/repo[/path]@ref``, name lower-cased) or ``dynamic`` (an expression)."""

    __slots__ = ("kind", "name", "ref", "value")

    def __init__(self, kind, name, ref, value):
        self.kind = kind
        self.name = name
        self.ref = ref
        self.value = value

    @property
    def pinned(self):
        return bool(SHA.match(self.ref))


_PARSED_USES = {}  # value -> Uses: the same few actions recur in every workflow of a tree


def parse_uses(value):
    found = _PARSED_USES.get(value)
    if found is None:
        if len(_PARSED_USES) >= 4096:
            _PARSED_USES.clear()
        found = _PARSED_USES[value] = _parse_uses(value)
    return found


def _parse_uses(value):
    value = value.strip()
    if value.startswith(("./", ".\\")):
        return Uses("local", value, "", value)
    if value.startswith("docker://"):
        return Uses("docker", value[len("docker://"):], "", value)
    if "${{" in value:
        return Uses("dynamic", value, "", value)
    name, _, ref = value.partition("@")
    return Uses("remote", name.strip().lower(), ref.strip(), value)


def split_image(image):
    """``(tag or None, has_digest)``; a registry port (``host:5000/app``) is not a tag."""
    name, _, _ = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else None
    return tag, bool(DIGEST.search(image))

SEMVER_TAG = re.compile(r"^v\d+\.\d+\.\d+$")
VERSION_WORD = re.compile(r"\bv?\d+(?:\.\d+)*\b")
SLSA_GENERATOR = "slsa-framework/slsa-github-generator"


def trusted(name, patterns):
    """Whether ``owner/repo[/path]`` matches one of the ``owner`` / ``owner/repo`` globs
    (``trusted-owners``: PSK001 and ``pin`` honour it)."""
    from fnmatch import fnmatchcase

    owner, _, rest = name.lower().partition("/")
    repo = owner + "/" + rest.split("/", 1)[0]
    return any(fnmatchcase(owner, p.lower()) if "/" not in p else fnmatchcase(repo, p.lower())
               for p in patterns)


def slsa_tag_exempt(uses):
    """``slsa-github-generator`` by ``vX.Y.Z``: its reusable workflows only accept tag refs."""
    return uses.name.startswith(SLSA_GENERATOR + "/") and bool(SEMVER_TAG.match(uses.ref))


# Regular expressions a signer identity can hold that match every subject.
ANY_SUBJECT = frozenset(("*", ".*", "^.*$", "^.*", ".*$", ".+", "^.+$"))


def matches_any_subject(pattern):
    """Whether a subject pattern (glob or regular expression) accepts any signer."""
    return pattern.strip() in ANY_SUBJECT
