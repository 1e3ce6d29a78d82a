"""Small generated repositories with known gaps, for the fleet tests (and the bench)."""

from pathlib import Path

from support import ROOT, write_tree

PUSH_ONLY = """\
on: push
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
    steps:
      - run: docker push ghcr.io/example-org/{name}:1.0.0
"""

QUIET = """\
on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
"""

FLUX_UNVERIFIED = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 10m
  url: oci://ghcr.io/example-org/manifests/{name}
  ref:
    tag: "1.0.0"
"""

# A release that happens in another repository's reusable workflow: the audit cannot see it
# (from 0.3 an ``unseen`` entry), so fleet reports made here and from JSON must carry it alike.
REMOTE_RELEASE = """\
on: push
permissions: {}
jobs:
  release:
    permissions:
      contents: read
      packages: write
    uses: example-org/workflows/.github/workflows/build.yml@0b93645e9fea7318ecaed2b359559ac225c90d2b # v1.4.0
"""

DEPENDABOT = """\
version: 2
updates:
  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: weekly
"""

# What each kind of repository lacks, as the audit reports it.
GAPS = {
    "push-only": {"PSK901", "PSK902", "PSK903", "PSK905"},
    "complete": set(),
    "quiet": set(),
    "flux": {"PSK906"},
    "remote": set(),
}


def git_config(url):
    return (f'[core]\n\tbare = false\n[remote "origin"]\n\turl = {url}\n'
            "\tfetch = +refs/heads/*:refs/remotes/origin/*\n")


def make_repo(root, folder, kind, remote=None):
    """A repository folder of ``kind`` (a key of GAPS); ``remote`` names its origin URL."""
    path = Path(root) / folder
    name = folder.replace("/", "-")
    files = {}
    if kind == "push-only":
        files[".github/workflows/release.yml"] = PUSH_ONLY.format(name=name)
    elif kind == "complete":  # the handbook's own examples: signed, gated, SBOM, provenance
        for example in sorted((ROOT / "examples" / "supply-chain").glob("*.yml")):
            files[f".github/workflows/{example.name}"] = example.read_text()
        files[".github/dependabot.yml"] = DEPENDABOT  # and keeps its SHA pins fresh (PSK908)
    elif kind == "quiet":
        files[".github/workflows/test.yml"] = QUIET
    elif kind == "remote":
        files[".github/workflows/release.yml"] = REMOTE_RELEASE
    elif kind == "flux":
        files["clusters/prod/source.yaml"] = FLUX_UNVERIFIED.format(name=name)
    else:
        raise ValueError(kind)
    if remote:
        files[".git/config"] = git_config(remote)
    write_tree(path, files)
    return path
