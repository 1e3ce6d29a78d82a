"""Real bare git repositories for the pin tests, served through ``file://``.

``actions/checkout`` (stored as ``actions/checkout.git``) has three commits:

- C1: ``v4.1.0`` (annotated);
- C2: ``v4.2.2`` (annotated), ``v4.2`` and the moving major ``v4`` (lightweight), branch ``release-4``;
- C3: ``v5.0.0``, ``v5.0.0-rc.1``, ``v5`` (lightweight), branch ``main``.

``example/tool`` (stored without ``.git``) has C1 tagged ``v1.0.0`` (annotated, also the head
of ``main``) and C2, the head of branch ``feature``, with no tag.
"""

import os
import subprocess

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "pin tests", "GIT_AUTHOR_EMAIL": "pin@example.com",
           "GIT_COMMITTER_NAME": "pin tests", "GIT_COMMITTER_EMAIL": "pin@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(*args, cwd):
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=GIT_ENV,
                          check=True)
    return proc.stdout.strip()


def _remote(base, owner_repo, stored_as, history):
    """Build ``history`` (list of (tags, annotated tags, branches) per commit) and push it."""
    work = base / "_work" / owner_repo
    work.mkdir(parents=True)
    git("init", "-q", "-b", "scratch", cwd=work)
    shas = {}
    for number, (tags, annotated, branches) in enumerate(history, 1):
        (work / "file").write_text(f"{owner_repo} commit {number}\n")
        git("add", "file", cwd=work)
        git("commit", "-q", "-m", f"commit {number}", cwd=work)
        sha = git("rev-parse", "HEAD", cwd=work)
        shas[f"C{number}"] = sha
        for tag in tags:
            git("tag", tag, cwd=work)
        for tag in annotated:
            git("tag", "-a", tag, "-m", f"release {tag}", cwd=work)
        for branch in branches:
            git("branch", "-f", branch, cwd=work)
    bare = base / stored_as
    bare.parent.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "--bare", str(bare), cwd=base)
    git("push", "-q", str(bare), "--tags", *(f"{b}:{b}" for b in _branches(history)), cwd=work)
    return shas


def _branches(history):
    return [branch for _, _, branches in history for branch in branches]


def build_remotes(base):
    """Create the remotes under ``base``; returns ``{owner/repo: {"C1": sha, ...}}``."""
    checkout = _remote(base, "actions/checkout", "actions/checkout.git", [
        ((), ("v4.1.0",), ()),
        (("v4.2", "v4"), ("v4.2.2",), ("release-4",)),
        (("v5.0.0", "v5.0.0-rc.1", "v5"), (), ("main",)),
    ])
    tool = _remote(base, "example/tool", "example/tool", [
        ((), ("v1.0.0",), ("main",)),
        ((), (), ("feature",)),
    ])
    return {"actions/checkout": checkout, "example/tool": tool}
