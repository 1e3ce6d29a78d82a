"""The numbers the documentation states (rules, skills, slash commands, domains), counted once.

Site pages print them through macros (``{{ rule_count }}``, ``{{ skill_count | in_words }}``),
so they are right at every build. The README cannot run macros: a test reads the numbers it
writes by hand (``COUNTED`` says which phrases count) and compares them with these.
"""

from __future__ import annotations

import re
from pathlib import Path

from platform_skills.registry import all_rules

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen", "twenty")


def skills() -> list[str]:
    """The agent skills: every ``skills/<name>/SKILL.md``, by name."""
    return sorted(p.parent.name for p in (ROOT / "skills").glob("*/SKILL.md"))


def commands() -> list[str]:
    """The plugin's slash commands: every ``commands/<name>.md``, by name."""
    return sorted(p.stem for p in (ROOT / "commands").glob("*.md"))


def counts() -> dict[str, int]:
    """What each counted phrase must say, by the kind of thing it counts."""
    rules = all_rules()
    by_scope = {scope: sum(1 for r in rules if r.scope == scope)
                for scope in ("file", "repository", "online")}
    return {"rules": len(rules), "file rules": by_scope["file"],
            "repository rules": by_scope["repository"], "online rules": by_scope["online"],
            "skills": len(skills()), "slash commands": len(commands()),
            "domains": len({r.domain for r in rules})}


def in_words(number: int) -> str:
    """``6`` as ``six`` (up to twenty; digits beyond)."""
    return WORDS[number] if 0 <= number < len(WORDS) else str(number)


# A number (digits or a word) before a counted noun, with the qualifier that says which
# count: "78 rules", "six Agent Skills", "five slash commands", "71 file rules",
# "6 repository-gap rules". Other qualifiers ("two low-severity rules") describe a subset
# in passing and are not counted; nor are commands other than slash commands.
_GAP = r"(?:[^\S\n]+|\n(?=\S))"  # spaces, or a line break inside a paragraph
COUNTED = re.compile(
    r"\b(?P<number>\d+|" + "|".join(WORDS) + r")" + _GAP +
    r"(?P<qualifier>(?:agent|file|repository(?:-gap)?|gap|online|slash)" + _GAP + r")?"
    r"(?P<noun>rules|skills|commands|domains)\b", re.I)


_KINDS = {("", "rules"): "rules", ("file", "rules"): "file rules",
          ("repository", "rules"): "repository rules", ("repository-gap", "rules"): "repository rules",
          ("gap", "rules"): "repository rules", ("online", "rules"): "online rules",
          ("", "skills"): "skills", ("agent", "skills"): "skills",
          ("slash", "commands"): "slash commands", ("", "domains"): "domains"}


def stated(text: str) -> list[tuple[str, int, str]]:
    """``(kind, number, phrase)`` for every count ``text`` states by hand.

    Macro expressions (``{{ ... }}``) are the build's to fill in and code blocks are
    examples, so both are skipped; a Markdown link reads as its text
    (``five [Agent Skills](...)``)."""
    text = re.sub(r"\{\{.*?\}\}", " ", text, flags=re.S)
    text = re.sub(r"^([ \t]*)(```|~~~).*?^\1\2", " ", text, flags=re.S | re.M)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    found = []
    for match in COUNTED.finditer(text):
        qualifier = re.sub(r"\s+", " ", (match.group("qualifier") or "").lower()).strip()
        noun = match.group("noun").lower()
        # "two commands set everything up" counts shell commands, not the plugin's.
        kind = _KINDS.get((qualifier, noun))
        if kind is None:
            continue
        raw = match.group("number").lower()
        number = int(raw) if raw.isdigit() else WORDS.index(raw)
        found.append((kind, number, re.sub(r"\s+", " ", match.group(0))))
    return found
