"""Temporary copies of a scenario's repository, patches applied to them, and snapshots.

Patches are unified diffs relative to ``repo/`` with ``a/`` and ``b/`` prefixes (what
``git diff`` writes), applied with ``git apply``, which refuses fuzz: a reference solution
that no longer applies cleanly is reported, not half-applied.
"""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

# Never part of a repository's content: version control and caches tools leave behind.
SKIP_DIRS = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".venv", "venv",
             "node_modules"}
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "evals", "GIT_AUTHOR_EMAIL": "evals@example.invalid",
                "GIT_COMMITTER_NAME": "evals", "GIT_COMMITTER_EMAIL": "evals@example.invalid"}


class PatchError(Exception):
    """A patch that does not apply to the copy."""


def copy_repo(source, dest):
    shutil.copytree(source, dest, symlinks=True)
    return Path(dest)


def _git_env(cwd):
    env = dict(os.environ)
    # Stop git from finding a repository above the copy: the patch applies to the copy alone.
    env["GIT_CEILING_DIRECTORIES"] = str(Path(cwd).resolve().parent)
    env.update(GIT_IDENTITY)
    return env


def apply_patch(patch, cwd):
    proc = subprocess.run(["git", "apply", "--whitespace=nowarn", str(Path(patch).resolve())],
                          cwd=cwd, capture_output=True, text=True, env=_git_env(cwd), timeout=60)
    if proc.returncode != 0:
        raise PatchError(f"{Path(patch).name} does not apply: "
                         f"{(proc.stderr or proc.stdout).strip().splitlines()[:3]}")


def git_init(cwd):
    """Commit the copy as it stands, so an agent sees a repository with a clean history."""
    env = _git_env(cwd)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["commit", "-q", "--no-gpg-sign", "-m", "Starting state"]):
        subprocess.run(["git", *args], cwd=cwd, capture_output=True, env=env, check=True,
                       timeout=60)


def files(top):
    """``{relative path: absolute path}`` of regular files under ``top``, caches skipped."""
    top = Path(top)
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            path = Path(dirpath, name)
            if path.is_file() and not path.is_symlink():
                out[path.relative_to(top).as_posix()] = path
    return out


def digest(path):
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def snapshot(top, ignore=()):
    """``{relative path: (size, mtime_ns)}`` for every file under ``top`` and every directory
    (by presence only), except the subtrees in ``ignore`` (absolute paths) and caches. In a
    ``.git`` directory only ``HEAD`` and the refs count: a commit or a branch switch, not the
    index that any ``git status`` refreshes. Used to prove nothing changed there."""
    top = Path(top)
    ignored = {Path(p).resolve() for p in ignore}
    out = {}
    if not top.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(top):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames
                       if d not in _SNAPSHOT_SKIP and (here / d).resolve() not in ignored]
        if here.name == ".git":
            dirnames[:] = [d for d in dirnames if d == "refs"]
            filenames = [f for f in filenames if f in ("HEAD", "packed-refs")]
        for name in dirnames:
            out[(here / name).relative_to(top).as_posix() + "/"] = (0, 0)
        for name in filenames:
            path = here / name
            try:
                st = path.lstat()
            except OSError:
                continue
            out[path.relative_to(top).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


# Caches that any Python or test run may refresh; a write there proves nothing.
_SNAPSHOT_SKIP = {"__pycache__", ".pytest_cache", ".ruff_cache", ".venv", "venv",
                  "node_modules"}


def changed(before, after):
    """Paths created, removed or modified between two snapshots, sorted."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def changed_lines(start, after, ignore=(".claude",)):
    """Lines added plus lines removed between two trees, as a reviewer counts a diff; a
    binary or unreadable file counts as one line. ``ignore``: top-level folders left out."""
    import difflib

    def texts(top):
        return {rel: path for rel, path in files(top).items() if rel.split("/", 1)[0] not in ignore}

    def lines(path):
        try:
            return Path(path).read_text(encoding="utf-8").splitlines() if path else []
        except (OSError, UnicodeDecodeError):
            return None

    old, new = texts(start), texts(after)
    total = 0
    for rel in old.keys() | new.keys():
        a, b = lines(old.get(rel)), lines(new.get(rel))
        if a is None or b is None:
            total += digest(old.get(rel) or "") != digest(new.get(rel) or "")
            continue
        total += sum(1 for line in difflib.unified_diff(a, b, lineterm="", n=0)
                     if line[:1] in "+-" and not line.startswith(("+++", "---")))
    return total


def patch_lines(patch):
    """Lines a unified diff adds or removes."""
    text = Path(patch).read_text(encoding="utf-8", errors="replace")
    return sum(1 for line in text.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++ ", "--- ")))
