"""Tags and branches of an action's repository: git's own answer, checked before it is used.

Over HTTP(S) pin speaks git's smart protocol itself (``GET <repo>/info/refs?service=
git-upload-pack``, the ref advertisement, protocol v0) so that it can refuse what ``git
ls-remote`` would quietly accept: the dumb protocol (a plain file ``info/refs`` any web
server or captive portal can serve), redirects to another host, a server that trickles.
Other URLs (``file://``, ``ssh://``, ``git://``) go to ``git ls-remote``, under the same
deadline. Either way every object id must be 40 hex digits (64 in a SHA-256 repository), the
same length throughout, and never all zeros; one malformed line and the whole listing is
refused: a repository's answer is trusted whole or not at all.

A token in the base URL (``https://TOKEN@ghe.example.com``) is sent as HTTP basic
authentication, as git does, only to that host, and never printed (``redact``).

Remote URLs are ``<base>/<owner>/<repo>`` without ``.git``: GitHub accepts both spellings,
and for a local path git itself tries ``<repo>.git`` too, so a ``file://`` tree may hold
either ``owner/repo`` or ``owner/repo.git``.
"""

import base64
import os
import re
from urllib.parse import unquote, urlsplit, urlunsplit

from .errors import ResolveError
from .redact import redact, remember_url
from .transport import DEFAULT_TIMEOUT, Deadline, fetch, run_process

DEFAULT_GITHUB_URL = "https://github.com"
MAX_ADVERTISEMENT = 32 * 1024 * 1024
_ADVERTISEMENT = "application/x-git-upload-pack-advertisement"
_VERSION = re.compile(r"^(v?)(\d+(?:\.\d+)*)(.*)$")
_SHORT_SHA = re.compile(r"^[0-9a-fA-F]{7,39}$")
_OID = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_PKT_LENGTH = re.compile(rb"[0-9a-fA-F]{4}")


class GitRefs:
    """A remote's tags and branches, each mapped to the commit it names (tags peeled)."""

    __slots__ = ("tags", "branches", "_by_commit")

    def __init__(self, tags, branches):
        self.tags = tags
        self.branches = branches
        self._by_commit = None

    def tags_at(self, commit):
        if self._by_commit is None:
            self._by_commit = {}
            for name, sha in self.tags.items():
                self._by_commit.setdefault(sha, []).append(name)
        return sorted(self._by_commit.get(commit.lower(), ()))


def parse_ls_remote(output):
    """GitRefs from ``git ls-remote`` output (``<oid>\\t<ref>`` lines)."""
    pairs = []
    for line in output.splitlines():
        if line.strip():
            sha, _, ref = line.partition("\t")
            pairs.append((sha.strip().lower(), ref.strip()))
    return refs_from(pairs)


def refs_from(pairs, length=None):
    """GitRefs from ``(oid, ref name)`` pairs; ResolveError for any malformed object id.

    A ``^{}`` ref is the commit an annotated tag names. ``length``: the object id length the
    server announced (40 for SHA-1, 64 for SHA-256); else the first id sets it.
    """
    tags, peeled, branches = {}, {}, {}
    for sha, ref in pairs:
        if not _OID.match(sha) or (length and len(sha) != length):
            raise ResolveError(f"the remote listed a malformed object id for '{_shown(ref)}'; "
                               "its answer is not used")
        length = length or len(sha)
        if sha.count("0") == len(sha):
            raise ResolveError(f"the remote listed the null object id for '{_shown(ref)}'; "
                               "its answer is not used")
        if ref.startswith("refs/tags/"):
            name = ref[len("refs/tags/"):]
            if name.endswith("^{}"):
                peeled[name[:-3]] = sha
            else:
                tags[name] = sha
        elif ref.startswith("refs/heads/"):
            branches[ref[len("refs/heads/"):]] = sha
    tags.update((name, sha) for name, sha in peeled.items() if name in tags)
    return GitRefs(tags, branches)


def _shown(ref):
    return "".join(c if c.isprintable() else "?" for c in ref[:120])


def remote_url(base, owner_repo):
    return f"{base.rstrip('/')}/{owner_repo}"


def ls_remote(url, timeout=DEFAULT_TIMEOUT):
    """The remote's refs; ResolveError with the reason when they cannot be listed or trusted."""
    remember_url(url)
    with Deadline(timeout, f"listing {url}") as deadline:
        if urlsplit(url).scheme in ("http", "https"):
            return smart_http_refs(url, deadline)
        return _git_ls_remote(url, deadline)


def _git_ls_remote(url, deadline):
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never", "LC_ALL": "C",
           "GIT_PROTOCOL_FROM_USER": "0",
           "GIT_ALLOW_PROTOCOL": "file:git:ssh"}  # HTTP(S) is spoken above, never by git
    try:
        code, out, err = run_process(["git", "ls-remote", "--tags", "--heads", "--", url],
                                     deadline, env)
    except FileNotFoundError:
        raise ResolveError("git is not installed; pin needs it to read tags") from None
    if code != 0:
        raise ResolveError(redact(f"git ls-remote {url} failed: {_git_reason(err)}"))
    return parse_ls_remote(out)


def smart_http_refs(url, deadline):
    """Refs from the smart HTTP ref advertisement; the dumb protocol is refused."""
    parts = urlsplit(url)
    headers = {"Accept": _ADVERTISEMENT, "Git-Protocol": "version=0"}
    if parts.username is not None or parts.password is not None:
        userinfo = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(userinfo.encode()).decode()
        parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
    plain = urlunsplit(parts).rstrip("/")
    answer = fetch("GET", plain + "/info/refs?service=git-upload-pack", headers, deadline,
                   MAX_ADVERTISEMENT)
    shown = redact(url)
    if answer.status in (401, 403):
        raise ResolveError(f"{shown} refused access ({answer.status}): the repository is private "
                           "or the token in the URL is wrong")
    if answer.status == 404:
        raise ResolveError(f"{shown}: no such repository (404)")
    if answer.status != 200:
        raise ResolveError(f"{shown} answered HTTP {answer.status}")
    media_type = (answer.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if media_type != _ADVERTISEMENT:
        raise ResolveError(f"{shown} does not speak git's smart HTTP protocol (content type "
                           f"{media_type[:80] or 'none'!r}): a dumb-protocol server, a proxy or "
                           "a captive portal; pin does not trust it")
    return parse_advertisement(answer.body, shown)


def parse_advertisement(body, shown="the remote"):
    """GitRefs from a smart-protocol v0 ref advertisement (pkt-lines), strictly."""
    lines = list(_pkt_lines(body, shown))
    if not lines or lines[0] != b"# service=git-upload-pack\n" or len(lines) < 2 or \
            lines[1] is not None:
        raise ResolveError(f"{shown} sent no git-upload-pack service announcement; not a smart "
                           "git server")
    pairs, length, first = [], None, True
    for line in lines[2:]:
        if line is None:
            break
        if line.startswith(b"ERR "):
            reason = line[4:].decode("utf-8", "replace").strip()
            raise ResolveError(redact(f"{shown} refused: {_shown(reason)}"))
        text = line.decode("utf-8", "replace").rstrip("\n")
        if first:
            text, _, capabilities = text.partition("\0")
            for capability in capabilities.split():
                if capability == "object-format=sha256":
                    length = 64
                elif capability == "object-format=sha1":
                    length = 40
            first = False
            sha, _, ref = text.partition(" ")
            if ref == "capabilities^{}" and sha.count("0") == len(sha):
                continue  # an empty repository: no refs at all
        sha, _, ref = text.partition(" ")
        pairs.append((sha, ref))
    return refs_from(pairs, length)


def _pkt_lines(body, shown):
    """Each pkt-line's payload, None for a flush packet."""
    position = 0
    while position < len(body):
        size = body[position:position + 4]
        length = int(size, 16) if _PKT_LENGTH.fullmatch(size) else -1
        if length == 0:
            yield None
            position += 4
            continue
        if length < 4 or position + length > len(body):
            raise ResolveError(f"{shown} sent a malformed git protocol answer; not used")
        yield body[position + 4:position + length]
        position += length


def _git_reason(stderr):
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith("fatal:")]
    reason = (fatal or lines or ["no reason given"])[0]
    return reason.removeprefix("fatal:").strip()[:300]


def resolve(refs, owner_repo, ref):
    """``(commit, comment)`` for ``ref``: a tag (commented with its most specific version
    tag) or else a branch (commented with its name), as git prefers tags over branches."""
    if ref in refs.tags:
        commit = refs.tags[ref]
        return commit, most_specific_tag(refs.tags_at(commit), ref)
    if ref in refs.branches:
        return refs.branches[ref], ref
    if _SHORT_SHA.match(ref):
        raise ResolveError(f"'{ref}' looks like a short SHA, which the git protocol cannot "
                           "expand; write the full 40-character SHA")
    raise ResolveError(f"{owner_repo} has no tag or branch named '{ref}'")


def most_specific_tag(tags, ref):
    """The version tag that says most about the commit: ``v4`` and ``v4.2.2`` on one commit
    give ``v4.2.2``. Tags that extend the ref the workflow named win over unrelated ones,
    releases over pre-releases; with no version tag at all, the ref itself."""
    best, best_key = ref, None
    for tag in tags:
        match = _VERSION.match(tag)
        if not match:
            continue
        numbers = tuple(int(n) for n in match.group(2).split("."))
        extends = tag == ref or tag.startswith((ref + ".", ref + "-"))
        key = (extends, len(numbers), match.group(3) == "", numbers, tag)
        if best_key is None or key > best_key:
            best, best_key = tag, key
    return best
