"""The README's pre-commit snippet, run as a consumer runs it, against a tagged snapshot.

The snippet is taken from README.md verbatim; only its ``repo:`` URL is pointed at a
snapshot of this working tree tagged with the ``rev`` the snippet names (``hook_repo``). A
scratch consumer repository with a bad workflow then runs ``pre-commit run --all-files``:
pre-commit fetches the tag, builds the hook environment and reports the finding.
"""

import re

from support import ROOT

FENCE = re.compile(r"^```yaml\n(.*?)^```", re.M | re.S)
REPO_LINE = re.compile(r"^(\s*-\s*repo:\s*)(\S+)(.*)$", re.M)
BAD = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
       "      - uses: actions/checkout@v4\n")


def readme_pre_commit_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in FENCE.findall(readme) if "# .pre-commit-config.yaml" in b]
    assert len(blocks) == 1, "README.md should hold exactly one .pre-commit-config.yaml snippet"
    return blocks[0]


def test_readme_snippet_names_a_release_tag():
    rev = re.search(r"^\s*rev:\s*(\S+)", readme_pre_commit_snippet(), re.M)
    assert rev and re.fullmatch(r"v\d+\.\d+\.\d+", rev.group(1)), "rev must be a vX.Y.Z tag"


def test_readme_pre_commit_snippet_runs_against_a_tagged_clone(tmp_path, hook_repo):
    """``hook_repo`` is the working tree committed and tagged with the rev the snippet names."""
    snippet = readme_pre_commit_snippet()
    rev = re.search(r"^\s*rev:\s*(\S+)", snippet, re.M).group(1)
    assert rev == hook_repo.rev
    repos = REPO_LINE.findall(snippet)
    assert len(repos) == 1, "the snippet should name one repository"
    config = REPO_LINE.sub(lambda m: m.group(1) + str(hook_repo.path) + m.group(3), snippet)
    assert config.replace(str(hook_repo.path), repos[0][1]) == snippet  # only the URL changed

    consumer = hook_repo.consumer(tmp_path / "consumer", {".github/workflows/ci.yml": BAD},
                                  config=config)
    proc = hook_repo.run(consumer)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert ".github/workflows/ci.yml:6: PSK001 unpinned-action" in proc.stdout, out
    assert re.search(r"platform-skills check\.+Failed", proc.stdout), out
    assert "platform-skills audit" in proc.stdout, out  # the second hook of the snippet ran too
