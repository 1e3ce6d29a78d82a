"""Baselines: today's findings recorded in a file, so a run reports only the new ones.

A finding is known by a fingerprint that survives lines moving: its rule, its path, the
text of the line it points at with whitespace collapsed, and which occurrence of that text
in the file the line is (the second identical ``- uses: actions/checkout@v4`` line is
occurrence 2). Inserting lines above a finding or reordering jobs changes none of these.
Findings with the same fingerprint are matched by count, so two findings on one line both
need an entry. SARIF carries the same fingerprint in ``partialFingerprints``.

The file is JSON, versioned, with one entry per line of text, sorted, so a shrinking
baseline reads as deleted lines in review.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter

from .loader import display_path
from .textfiles import Unreadable, read_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import NotRequired, TypedDict

    from .model import Finding

    class Entry(TypedDict):
        """One baseline record (a file read back is checked for the three strings only)."""

        rule: str
        path: str
        fingerprint: str
        text: NotRequired[str]
        occurrence: NotRequired[int]

VERSION = 1
SARIF_KEY = "platformSkills/v1"
_SPACE = re.compile(r"\s+")


class BaselineError(Exception):
    pass


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _occurrences(lines: Iterable[str]) -> dict[int, tuple[str, int]]:
    """``{line number: (collapsed text, occurrence)}`` for every line of a file."""
    seen: Counter[str] = Counter()
    out = {}
    for number, line in enumerate(lines, 1):
        text = collapse(line)
        seen[text] += 1
        out[number] = (text, seen[text])
    return out


def digest(rule_id: str, path: str, text: str, occurrence: int) -> str:
    key = "\0".join((rule_id, path, text, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


class Keys:
    """Fingerprints of findings, reading each file they point into once."""

    def __init__(self) -> None:
        self._files: dict[str, dict[int, tuple[str, int]]] = {}

    def entry(self, finding: Finding) -> Entry:
        """``{"rule", "path", "text", "occurrence", "fingerprint"}`` of a finding."""
        text, occurrence = self._place(finding.path, finding.line)
        return {"rule": finding.rule.id, "path": finding.path, "text": text,
                "occurrence": occurrence,
                "fingerprint": digest(finding.rule.id, finding.path, text, occurrence)}

    def fingerprint(self, finding: Finding) -> str:
        return self.entry(finding)["fingerprint"]

    def _place(self, path: str, line: int) -> tuple[str, int]:
        if not line:
            return "", 1  # the file or repository as a whole
        table = self._files.get(path)
        if table is None:
            try:
                lines = read_source(path, os.curdir).text.split("\n")
            except (Unreadable, OSError):
                lines = []
            table = self._files[path] = _occurrences(lines)
        return table.get(line, ("", 1))


def write(path: str, findings: Iterable[Finding]) -> int:
    """Record ``findings`` in the baseline file ``path``; returns how many entries."""
    keys = Keys()
    entries = sorted((keys.entry(f) for f in findings),
                     key=lambda e: (e["path"], e["rule"], e["text"], e["occurrence"]))
    data = {"version": VERSION, "tool": "platform-skills", "findings": entries}
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise BaselineError(f"{display_path(path)}: cannot write the baseline: "
                            f"{exc.strerror or exc}") from None
    return len(entries)


def read(path: str) -> list[Entry]:
    """The baseline's fingerprints with their counts, or BaselineError naming the problem."""
    shown = display_path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"{shown}: cannot read the baseline: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{shown}: not a baseline (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{shown}: not a baseline (no \"findings\" list); write one with "
                            "check --write-baseline")
    if data.get("version") != VERSION:
        raise BaselineError(f"{shown}: baseline version {data.get('version')!r} is not "
                            f"{VERSION}; write it again with check --write-baseline")
    entries = []
    for entry in data["findings"]:
        if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) for k in ("rule", "path", "fingerprint")):
            raise BaselineError(f"{shown}: every entry needs \"rule\", \"path\" and "
                                "\"fingerprint\" strings")
        entries.append(entry)
    return entries  # type: ignore[return-value]  # each entry checked above


def apply(entries: Sequence[Entry], findings: Iterable[Finding], covered: Callable[[Entry], bool],
          ) -> tuple[list[Finding], int, int]:
    """``(new findings, baselined count, stale count)``.

    ``covered(entry)`` says whether this run looked where an entry points (its file was
    among the paths given, its rule was selected): only those can be stale.
    """
    remaining = Counter(e["fingerprint"] for e in entries)
    keys = Keys()
    new, baselined = [], 0
    for finding in findings:
        fingerprint = keys.fingerprint(finding)
        if remaining[fingerprint] > 0:
            remaining[fingerprint] -= 1
            baselined += 1
        else:
            new.append(finding)
    stale = 0
    for entry in entries:
        if remaining[entry["fingerprint"]] > 0 and covered(entry):
            remaining[entry["fingerprint"]] -= 1
            stale += 1
    return new, baselined, stale
