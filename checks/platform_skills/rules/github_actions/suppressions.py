"""Suppression hygiene (PSK006-PSK008): the comments that silence findings are judged too.

These rules read the suppression comments of any checked file after every other rule has
run, so they know which comments silenced something. They cannot themselves be suppressed.
"""

from ...model import id_matches, rule
from .examples import workflow

REF = "references/github-actions.md#suppression-hygiene"
_COMMON = dict(domain="github-actions", targets=("suppressions",), reference=REF,
               suppressible=False)
_STEP = "uses: actions/checkout@v4"


@rule(
    id="PSK006", name="suppression-without-reason", severity="low",
    summary="Suppression comment without a reason",
    rationale=(
        "A suppression is a decision someone will have to revisit. Without the reason, the "
        "next reviewer cannot tell an accepted risk from a silenced alarm."),
    fix="Say why after the bracket: `# platform-skills: ignore[PSK001] vendored fork, pinned by tag on purpose`.",
    bad=workflow(f"{_STEP}  # platform-skills: ignore[PSK001]"),
    good=workflow(f"{_STEP}  # platform-skills: ignore[PSK001] internal mirror, tags are immutable there"),
    **_COMMON,
    precision="high",
    limits=("Any text after the closing `]` counts as a reason, however short (`ok`, `todo`); "
            "whether it explains anything is for review."),
)
def suppression_without_reason(view):
    for entry in view.entries:
        if not entry.reason:
            yield entry.line, (f"suppression of {', '.join(entry.ids) or 'nothing'} "
                               "gives no reason")


@rule(
    id="PSK007", name="suppression-unknown-rule", severity="low", since="0.2.0",
    summary="Suppression comment naming no existing rule",
    rationale=(
        "A typo in a suppression (`PSK01`, `PKS001`) silences nothing, so the finding it was "
        "meant for still fails the build, or worse, a prefix silences far more than intended "
        "once new rules arrive. Either way the comment no longer says what it does."),
    fix="Name an existing rule ID (`platform-skills rules` lists them), or delete the comment.",
    bad=workflow(f"{_STEP}  # platform-skills: ignore[PSK001,PSK0001] mirror with immutable tags"),
    good=workflow(f"{_STEP}  # platform-skills: ignore[PSK001] mirror with immutable tags"),
    **_COMMON,
    precision="high",
    limits=("Names are matched against the rules of the installed version, prefixes included "
            "(`PSK3` matches); a suppression naming a rule added in a later release is "
            "reported until that release is installed."),
)
def suppression_unknown_rule(view):
    for entry in view.entries:
        unknown = [i for i in entry.ids if not any(id_matches(k, i) for k in view.known)]
        if unknown:
            yield entry.line, f"suppression names {', '.join(unknown)}, which matches no rule"


@rule(
    id="PSK008", name="suppression-unused", severity="low", since="0.2.0",
    summary="Suppression comment that suppresses nothing",
    rationale=(
        "When the code it excused is fixed or moved, a suppression stays behind and silently "
        "excuses whatever lands on that line next. Removing dead suppressions keeps every "
        "remaining one a live, reviewed decision."),
    fix="Delete the comment, or move it to the line the finding is on.",
    bad=workflow("uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
                 "  # platform-skills: ignore[PSK001] mirror"),
    good=workflow(f"{_STEP}  # platform-skills: ignore[PSK001] mirror with immutable tags"),
    limits=(
        "Reported only when every rule the comment names ran (a `--select` that leaves one "
        "out cannot tell). A comment naming a rule that does not read this kind of file is "
        "reported as unused."),
    **_COMMON,
    precision="high",
)
def suppression_unused(view):
    for entry in view.entries:
        if entry.used or not entry.ids:
            continue
        named = [k for k in view.known if any(id_matches(k, i) for i in entry.ids)]
        if named and all(k in view.selected for k in named):
            yield entry.line, (f"suppression of {', '.join(entry.ids)} silences nothing on the "
                               "line it covers")
