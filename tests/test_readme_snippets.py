"""The README's pre-commit snippet, run as a consumer runs it, against a tagged clone.

The snippet is taken from README.md verbatim; only its ``repo:`` URL is pointed at a
temporary clone of this repository's HEAD, tagged with the ``rev`` the snippet names. A
scratch consumer repository with a bad workflow then runs ``pre-commit run --all-files``:
pre-commit fetches the tag, builds the hook environment and reports the finding.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, write_tree

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
FENCE = re.compile(r"^```yaml\n(.*?)^```", re.M | re.S)
REPO_LINE = re.compile(r"^(\s*-\s*repo:\s*)(\S+)(.*)$", re.M)
BAD = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
       "      - uses: actions/checkout@v4\n")


def readme_pre_commit_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in FENCE.findall(readme) if "# .pre-commit-config.yaml" in b]
    assert len(blocks) == 1, "README.md should hold exactly one .pre-commit-config.yaml snippet"
    return blocks[0]


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                               "PATH": "/usr/bin:/bin", "HOME": str(cwd)})


def test_readme_snippet_names_a_release_tag():
    rev = re.search(r"^\s*rev:\s*(\S+)", readme_pre_commit_snippet(), re.M)
    assert rev and re.fullmatch(r"v\d+\.\d+\.\d+", rev.group(1)), "rev must be a vX.Y.Z tag"


def test_readme_pre_commit_snippet_runs_against_a_tagged_clone(tmp_path):
    snippet = readme_pre_commit_snippet()
    rev = re.search(r"^\s*rev:\s*(\S+)", snippet, re.M).group(1)
    clone = tmp_path / "platform-skills"
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode:
        pytest.skip("not a git checkout: nothing to clone")
    git(tmp_path, "clone", "--quiet", "--no-local", str(ROOT), str(clone))
    git(clone, "tag", "--force", rev)  # the tag the snippet names, on the cloned HEAD

    repos = REPO_LINE.findall(snippet)
    assert len(repos) == 1, "the snippet should name one repository"
    config = REPO_LINE.sub(lambda m: m.group(1) + str(clone) + m.group(3), snippet)
    assert config.replace(str(clone), repos[0][1]) == snippet  # only the URL changed

    consumer = tmp_path / "consumer"
    write_tree(consumer, {".pre-commit-config.yaml": config, ".github/workflows/ci.yml": BAD})
    git(consumer, "init", "--quiet")
    git(consumer, "add", ".")

    home = tmp_path / "home"
    home.mkdir()
    env = {"PRE_COMMIT_HOME": str(home / "cache"), "HOME": str(home),
           "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    proc = subprocess.run([*PRE_COMMIT, "run", "--all-files"], cwd=consumer, capture_output=True,
                          text=True, env=env, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert ".github/workflows/ci.yml:6: PSK001 unpinned-action" in proc.stdout, out
    assert re.search(r"platform-skills check\.+Failed", proc.stdout), out
    assert "platform-skills audit" in proc.stdout, out  # the second hook of the snippet ran too
