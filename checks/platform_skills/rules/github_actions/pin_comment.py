"""PSK009: a SHA pin whose version comment names another commit.

No file can show this offline: only the action's repository knows which commit a tag names.
``platform-skills pin --verify`` resolves each commented tag and hands this rule the
answers (``VerifiedPin`` records); ``check`` never runs it (its scope is ``online``).
"""

from ...model import rule
from .examples import REF

_BAD = """\
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@{sha} # {tag}
"""


@rule(
    id="PSK009", name="pin-comment-mismatch", severity="medium", domain="github-actions",
    targets=("online",), reference=REF + "#pin-and-verify-with-platform-skills-pin",
    summary="SHA pin whose version comment names a tag that resolves to another commit",
    rationale=(
        "Reviewers and update bots read the comment, GitHub runs the SHA. A comment that names "
        "another release (a SHA copied from elsewhere, a bot that updated one but not the "
        "other, a tag that was moved or re-created) makes a pin look reviewed when nobody knows "
        "what it runs. Only the action's repository can tell, so `platform-skills pin --verify` "
        "asks it; `check` cannot."),
    fix=(
        "Find out which side is right before changing either: if the SHA is the release you "
        "want, correct the comment to the tag that names it; otherwise re-pin the tag with "
        "`platform-skills pin` after replacing the SHA with that tag."),
    bad=_BAD.format(sha="08c6903cd8c0fde910a37f88322edcfb5dd907a8", tag="v4.2.2"),
    good=_BAD.format(sha="08c6903cd8c0fde910a37f88322edcfb5dd907a8", tag="v5.0.0"),
    precision="high",
    limits=("Runs only under `pin --verify`, which asks each action's repository for its tags "
            "(network); `check` never reports it. Only `uses:` pins with a version comment "
            "are verified, not image digests; a repository that cannot be reached is an "
            "error, not a finding."),
)
def pin_comment_mismatch(pins):
    for pin in pins:
        if pin.tag_commit == pin.sha:
            continue
        short = pin.sha[:12]
        actual = (f"; {short} is {', '.join(pin.sha_tags[:3])}" if pin.sha_tags
                  else "; no tag names that commit")
        if pin.tag_commit is None:
            yield pin.line, (f"'{pin.name}' is pinned to {short} with the comment '{pin.tag}', "
                             f"which is not a tag of its repository{actual}")
        else:
            yield pin.line, (f"'{pin.name}' is pinned to {short}, but its comment names "
                             f"{pin.tag}, which is {pin.tag_commit[:12]}{actual}")
