"""Tags and branches of an action's repository, through ``git ls-remote``.

The git protocol needs no token and works the same against github.com, GitHub Enterprise
and a ``file://`` tree of bare repositories. One listing answers every ref of a repository,
so each remote is asked once per run, however many workflows use it.

Remote URLs are ``<base>/<owner>/<repo>`` without ``.git``: GitHub accepts both spellings,
and for a local path git itself tries ``<repo>.git`` too, so a ``file://`` tree may hold
either ``owner/repo`` or ``owner/repo.git``.
"""

import os
import re
import subprocess

DEFAULT_GITHUB_URL = "https://github.com"
TIMEOUT = 120
_VERSION = re.compile(r"^(v?)(\d+(?:\.\d+)*)(.*)$")
_SHORT_SHA = re.compile(r"^[0-9a-fA-F]{7,39}$")


class ResolveError(Exception):
    """A reference that cannot be resolved; the message is the reason, for people."""


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
    """GitRefs from ``git ls-remote`` output; a ``^{}`` line is the commit an annotated tag names."""
    tags, peeled, branches = {}, {}, {}
    for line in output.splitlines():
        sha, _, ref = line.partition("\t")
        sha = sha.strip().lower()
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


def remote_url(base, owner_repo):
    return f"{base.rstrip('/')}/{owner_repo}"


def ls_remote(url):
    """The remote's refs; ResolveError with git's own reason when it cannot be listed."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never", "LC_ALL": "C"}
    try:
        proc = subprocess.run(["git", "ls-remote", "--tags", "--heads", "--", url],
                              capture_output=True, text=True, timeout=TIMEOUT, env=env,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise ResolveError("git is not installed; pin needs it to read tags") from None
    except subprocess.TimeoutExpired:
        raise ResolveError(f"git ls-remote {url} timed out after {TIMEOUT}s") from None
    if proc.returncode != 0:
        raise ResolveError(f"git ls-remote {url} failed: {_git_reason(proc.stderr)}")
    return parse_ls_remote(proc.stdout)


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
