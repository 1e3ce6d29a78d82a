"""``check --fix`` and ``--diff``: the one place the rules' safe fixes are applied.

A fix is a set of text edits a rule computed for its finding (see ``fixes.py``). They are
applied in rounds: each round takes every fix that touches no span another fix of the round
touches, applies them together, and checks the new text again with the file's rules. The
new text must parse as the same kind of file and raise no finding the old text did not
(line numbers aside); otherwise the fixes are tried one at a time and a fix that fails alone
is dropped. Rounds go on until nothing changes, so fixes that meet at one place (two
findings both adding ``securityContext:``) land one after the other, and a second run finds
nothing left to do.
"""

import re
from collections import Counter

from . import engine, loader
from .fixes import Text
from .textfiles import Unreadable, read_source, unified_diff, write_atomic

MAX_ROUNDS = 50
_NUMBER = re.compile(r"\d+")


class Outcome:
    """What fixing one text did: the new text, findings fixed, fixable findings left."""

    __slots__ = ("path", "old", "text", "fixed", "left")

    def __init__(self, path, old, text, fixed, left):
        self.path = path
        self.old = old
        self.text = text
        self.fixed = fixed
        self.left = left

    @property
    def changed(self):
        return self.text != self.old

    def diff(self):
        return unified_diff(self.path, self.old, self.text)


def fix_text(path, text, rules, options=None):
    """Apply the safe fixes of ``rules`` to ``text`` (the file ``path``'s content)."""
    def check(candidate):
        doc, _ = loader.document(path, candidate)
        return None if doc is None else engine.check_document(doc, rules, options)[0]

    findings = check(text)
    if findings is None:
        return Outcome(path, text, text, 0, 0)
    old, before = text, len(findings)
    for _ in range(MAX_ROUNDS):
        step = _round(text, findings, check)
        if step is None:
            break
        text, findings = step
    left = sum(1 for f in findings if f.autofix is not None)
    return Outcome(path, old, text, before - len(findings), left)


def _round(text, findings, check):
    source = Text(text)
    planned = [edits for edits in (f.autofix.edits(source) for f in findings
                                   if f.autofix is not None) if edits]
    chosen, taken = [], []
    for edits in planned:
        if _compatible(taken, edits):
            chosen.append(edits)
            taken.extend((e.start, e.end) for e in edits)
    if not chosen:
        return None
    step = _attempt(text, findings, [e for edits in chosen for e in edits], check)
    if step is None and len(chosen) > 1:
        for edits in chosen:
            step = _attempt(text, findings, edits, check)
            if step is not None:
                break
    return step


def _compatible(taken, edits):
    """No edit overlaps a taken span; two inserts at one offset clash too (order unknown)."""
    for edit in edits:
        for start, end in taken:
            if edit.start == start or (edit.start < end and start < edit.end) \
                    or start < edit.start < end or edit.start < start < edit.end:
                return False
    return True


def _apply(text, edits):
    out, position = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[position:edit.start])
        out.append(edit.new)
        position = edit.end
    out.append(text[position:])
    return "".join(out)


def _attempt(text, before, edits, check):
    new = _apply(text, edits)
    if new == text:
        return None
    after = check(new)
    if after is None or _keys(after) - _keys(before):
        return None  # no longer parses as the same kind, or a fix raised a finding
    return new, after


def _keys(findings):
    return Counter((f.rule.id, _NUMBER.sub("#", f.message)) for f in findings)


def fix_files(findings, scope_of, write):
    """Fix every file some ``findings`` can be fixed in: ``(outcomes, errors)``.

    ``scope_of(path)`` gives the file's rules and options; with ``write`` the changed files
    are rewritten in place. ``errors`` are ``(path, message)``.
    """
    paths = sorted({f.path for f in findings if f.autofix is not None or f.rule.fixable})
    outcomes, errors = [], []
    for path in paths:
        try:
            source = read_source(path, ".")
        except Unreadable as exc:
            errors.append((path, str(exc)))
            continue
        scope = scope_of(path)
        outcome = fix_text(path, source.text, scope.selection, scope.options)
        if not outcome.changed:
            continue
        if write:
            try:
                write_atomic(source, outcome.text)
            except OSError as exc:
                errors.append((path, f"not fixed: {exc.strerror or exc}"))
                continue
        outcomes.append(outcome)
    return outcomes, errors
