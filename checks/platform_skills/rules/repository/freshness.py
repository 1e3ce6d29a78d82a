"""PSK908: the repository pins actions or images, and nothing keeps those pins fresh.

The reader (``readers/updates.py``) finds the pins and the update configurations and joins
them; this rule only words the answer, with evidence for both halves.
"""

from ...model import rule
from ...readers.facts import STALE_PINS

REF = "references/github-actions.md#keeping-pins-fresh"
_WHAT = {"github-actions": "actions are pinned by commit SHA",
         "docker": "images are pinned by digest"}

_BAD = """\
# .github/workflows/ci.yml; the repository has no .github/dependabot.yml and no
# Renovate configuration, so this pin stays on v5.0.0 for good.
on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
      - run: make test
"""

_GOOD = """\
# .github/dependabot.yml beside the same workflow: weekly update pull requests for the
# pinned actions and base images, grouped, after a week's cooldown.
version: 2
updates:
  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: weekly
    cooldown:
      default-days: 7
    groups:
      actions:
        patterns: ["*"]
  - package-ecosystem: docker
    directory: /
    schedule:
      interval: weekly
    cooldown:
      default-days: 7
"""


def _where(pins):
    shown = ", ".join(f"{path}:{line}" for path, line, _ in pins[:3])
    more = len(pins) - 3
    count = sum(n for _, _, n in pins)
    noun = "pin" if count == 1 else "pins"
    files = "1 file" if len(pins) == 1 else f"{len(pins)} files"
    return f"{count} {noun} in {files}: {shown}" + (f" and {more} more" if more > 0 else "")


def _pins_without_updates(facts):
    stale = facts.get(STALE_PINS)
    if not stale:
        return
    parts, related = [], []
    for group in stale:
        parts.append(f"{_WHAT[group.ecosystem]} ({_where(group.pins)}) and nothing keeps them "
                     f"fresh: {group.why}")
        related += [(path, line, f"pinned here ({count})") for path, line, count in group.pins[:5]]
        related += group.related
    yield 0, "; ".join(parts), related


pins_without_updates = rule(
    id="PSK908", name="pins-without-updates", severity="medium", domain="repository",
    targets=("repository",), reference=REF, since="0.3.0", precision="high",
    summary="Actions or images are pinned and no Dependabot or Renovate configuration updates them",
    rationale=(
        "A SHA or digest pin stops a moved tag from changing what runs, and it also stops every "
        "fix from arriving: the CVE patch in a base image or an action ships as a new version "
        "the pin never follows. Pinning is safe only with an update bot that proposes the new "
        "SHA or digest as a reviewed pull request, on a schedule."),
    fix=(
        "Add `.github/dependabot.yml` entries for `github-actions` (directory `/`, plus the "
        "folders of local composite actions) and `docker` (each folder with a Dockerfile or "
        "manifests), with grouped updates and a `cooldown`; or a Renovate configuration "
        "(`renovate.json`) extending `config:best-practices`, which pins and updates action "
        "and image digests."),
    bad=_BAD, good=_GOOD,
    limits=(
        "Reads `.github/dependabot.yml` (or `.yaml`) and the Renovate file Renovate itself "
        "would read first (`renovate.json`, `renovate.json5`, `.github/` and `.gitlab/` copies, "
        "`.renovaterc*`, then `package.json`'s `renovate` key), at the audited folder only. "
        "Presets a Renovate configuration `extends` are named in the message, never fetched: a "
        "configuration is trusted to cover actions and images unless it says otherwise itself "
        "(`enabled: false`, `enabledManagers` without a manager for them, "
        "`\"github-actions\": {\"enabled\": false}`, `docker:disable`). Renovate's `kubernetes` "
        "manager reads no file by default, so digest pins in Kubernetes manifests count as "
        "covered only when the configuration gives it (or `argocd`/`flux`) file patterns, or "
        "extends a preset outside Renovate's built-in ones. A Dependabot `directory` covers the "
        "files of that one folder (globs in `directories` match as shell patterns); for "
        "`github-actions`, `/` means the root's `.github/workflows` and root `action.yml`, and "
        "each composite action's folder must be listed. Dependabot does not update images in "
        "workflow and action files (job and service containers, `docker://`; "
        "dependabot-core#5819), so only Renovate, whose `github-actions` manager reads them, "
        "covers those pins. "
        "`open-pull-requests-limit: 0` turns an entry's version updates off and is not "
        "counted. Pins in Helm values files and compose files are not read. Pins are counted "
        "where the repository runs or ships them: workflow-shaped files outside "
        "`.github/workflows` and files under a folder named like test data, examples or "
        "documentation (`test`, `tests`, `testdata`, `fixtures`, `e2e`, `integration`, "
        "`example(s)`, `sample(s)`, `doc(s)`, `site`, or ending in `-test(s)`, such as "
        "Kyverno's `.chainsaw-test`) are samples, not pins to keep fresh; a "
        "real Dockerfile kept in such a folder is missed."),
)(_pins_without_updates)
