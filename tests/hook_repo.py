"""One hook repository and one pre-commit store for every test that runs the hooks.

``pre-commit try-repo`` builds each hook environment in a store of its own, so every call
reinstalled this package (a third of the suite's time). The tests instead snapshot the
working tree once into a scratch git repository, tag it with the README's release tag, and
point consumers' ``.pre-commit-config.yaml`` at it with one shared ``PRE_COMMIT_HOME``:
pre-commit then builds each environment once per session, exactly as a consumer's machine
keeps its cache between commits.
"""

import subprocess
import sys
from pathlib import Path

from support import ROOT, write_tree

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**GIT_ENV, "HOME": str(cwd)})


class HookRepo:
    """A committed snapshot of the working tree (tracked and untracked, not ignored files)."""

    def __init__(self, base: Path, rev: str):
        self.path = base / "platform-skills"
        self.rev = rev
        self.home = base / "home"
        self.home.mkdir(parents=True)
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, check=True).stdout
        for rel in filter(None, listed.decode().split("\0")):
            source = ROOT / rel
            if source.is_file():  # deleted but still in the index: leave out
                target = self.path / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read_bytes())
                target.chmod(source.stat().st_mode)
        git(self.path, "init", "-q")
        git(self.path, "add", "-A")
        git(self.path, "commit", "-qm", "snapshot of the working tree")
        git(self.path, "tag", rev)

    def config(self, *hooks: str) -> str:
        listed = "".join(f"      - id: {hook}\n" for hook in hooks)
        return f"repos:\n  - repo: {self.path}\n    rev: {self.rev}\n    hooks:\n{listed}"

    def env(self, **extra: str) -> dict:
        return {"PRE_COMMIT_HOME": str(self.home / "cache"), "HOME": str(self.home),
                "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", **GIT_ENV, **extra}

    def consumer(self, path: Path, files: dict, *hooks: str, config: str | None = None) -> Path:
        """A scratch repository with ``files`` and a config naming ``hooks`` (or ``config``)."""
        write_tree(path, {**files, ".pre-commit-config.yaml": config or self.config(*hooks)})
        git(path, "init", "-q")
        git(path, "add", ".")
        return path

    def run(self, consumer: Path, *args: str, **extra_env: str):
        return subprocess.run([*PRE_COMMIT, "run", "--all-files", *args], cwd=consumer,
                              capture_output=True, text=True, env=self.env(**extra_env), timeout=900)
