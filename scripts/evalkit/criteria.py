"""criteria.yaml: a scenario's machine-checkable definition of success.

Keys (every one optional except ``wrong`` and at least one goal: ``gone``, ``audit_ok``
or ``commands``)::

    gone:       # findings the fix must remove: rule ID and file
      - {rule: PSK101, path: .github/workflows/release.yml}
    absent:     # rules that must not be reported afterwards: anywhere, or in one file
      - PSK130
      - {rule: PSK104, path: .github/workflows/release.yml}
    unchanged:  # files that must stay byte for byte (a missing file must stay missing)
      - deploy/api.yaml
    audit_ok:   # audit gap rows that must read ok (rule IDs of gap rows)
      - PSK901
    commands:   # shell commands run in the fixed repository; each must exit 0
      - grep -q 'validationActions: \\[Deny\\]' policies/require-signed-images.yaml
    wrong:      # tempting wrong fixes; each patch must FAIL these criteria
      - {patch: wrong.patch, why: signs the tag instead of the pushed digest}
    max_changed_lines: 40   # a reviewable fix; default: 3x the reference solution, at least 30
    answer:     # what the agent's answer must say (agent modes only); each entry is a list of
      - [PSK104]             # case-insensitive regular expressions, one of which must match
      - [roll ?back, revert]
    policy_reports:  # PolicyReports exported from a cluster (files in repo/): every check
      - evidence/staging-reports.yaml  # and audit runs with --policy-reports on them

Every mistake is reported as ``<file>: <key>: <problem>`` so a broken scenario names itself.
"""

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

KEYS = ("gone", "absent", "unchanged", "audit_ok", "commands", "wrong", "max_changed_lines", "answer",
        "policy_reports")
RULE_ID = re.compile(r"^PSK\d{3}$")


class CriteriaError(Exception):
    """criteria.yaml is missing, unreadable or says something the runner cannot check."""


@dataclass(frozen=True)
class Target:
    rule: str
    path: str | None  # None: anywhere in the repository

    def __str__(self):
        return f"{self.rule} in {self.path}" if self.path else self.rule


@dataclass(frozen=True)
class WrongFix:
    patch: str
    why: str


@dataclass(frozen=True)
class Criteria:
    gone: tuple
    absent: tuple
    unchanged: tuple
    audit_ok: tuple
    commands: tuple
    wrong: tuple
    max_changed_lines: int | None = None  # None: derived from the reference solution
    answer: tuple = ()  # tuples of compiled patterns; one of each must match the answer
    policy_reports: tuple = ()  # evidence the checks read, relative to repo/

    @property
    def targeted_rules(self):
        """Rules the fix is about: a new suppression of one of them is silencing, not fixing."""
        return {t.rule for t in self.gone + self.absent}


class _Reader:
    """Validates one file's data, raising CriteriaError that names the file and key."""

    def __init__(self, shown, known_rules, audit_rows, scenario_dir):
        self.shown = shown
        self.known_rules = known_rules
        self.audit_rows = audit_rows
        self.scenario_dir = scenario_dir

    def fail(self, key, problem):
        raise CriteriaError(f"{self.shown}: {key}: {problem}")

    def items(self, data, key):
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key, f"must be a list, not {type(value).__name__}")
        return value

    def rule_id(self, key, value):
        if not isinstance(value, str) or not RULE_ID.match(value):
            self.fail(key, f"{value!r} is not a rule ID like PSK101")
        if value not in self.known_rules:
            self.fail(key, f"{value} is not a rule (see 'platform-skills rules')")
        return value

    def path(self, key, value):
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"path {value!r} must be a non-empty string")
        pure = PurePosixPath(value)
        if "\\" in value or pure.is_absolute() or ".." in pure.parts or value != pure.as_posix():
            self.fail(key, f"path {value!r} must be relative to repo/, with / and no '..'")
        return value

    def target(self, key, entry, need_path):
        if isinstance(entry, str) and not need_path:
            return Target(self.rule_id(key, entry), None)
        if not isinstance(entry, dict):
            form = "{rule: PSKnnn, path: file}" if need_path else "PSKnnn or {rule: PSKnnn, path: file}"
            self.fail(key, f"each entry is {form}, not {entry!r}")
        extra = set(entry) - {"rule", "path"}
        if extra:
            self.fail(key, f"unknown field(s) {sorted(extra)} in {entry!r}")
        if "rule" not in entry:
            self.fail(key, f"entry {entry!r} has no rule")
        if need_path and "path" not in entry:
            self.fail(key, f"entry {entry!r} needs the path of the file the finding is in")
        path = self.path(key, entry["path"]) if "path" in entry else None
        return Target(self.rule_id(key, entry["rule"]), path)

    def wrong(self, data):
        value = data.get("wrong")
        if value is None:
            self.fail("wrong", "missing: name at least one tempting wrong fix "
                               "({patch: wrong.patch, why: ...}) that the criteria must reject")
        entries = [value] if isinstance(value, dict) else value
        if not isinstance(entries, list) or not entries:
            self.fail("wrong", "must be a {patch, why} mapping or a non-empty list of them")
        out = []
        for entry in entries:
            if not isinstance(entry, dict) or set(entry) != {"patch", "why"}:
                self.fail("wrong", f"each entry is {{patch: file, why: text}}, not {entry!r}")
            patch, why = entry["patch"], entry["why"]
            if not isinstance(why, str) or not why.strip():
                self.fail("wrong", f"why for {patch!r} must say what makes the fix wrong")
            self.path("wrong", patch)
            if not (self.scenario_dir / patch).is_file():
                self.fail("wrong", f"patch {patch!r} does not exist next to criteria.yaml")
            out.append(WrongFix(patch, why.strip()))
        return tuple(out)


def load(path, known_rules, audit_rows, shown=None):
    """Read and validate one criteria.yaml. ``known_rules``: every rule ID in the registry;
    ``audit_rows``: the rule IDs of the audit gap table's rows."""
    path = Path(path)
    shown = shown or str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CriteriaError(f"{shown}: missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CriteriaError(f"{shown}: unreadable: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise CriteriaError(f"{shown}: not valid YAML{where}: "
                            f"{getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict):
        raise CriteriaError(f"{shown}: must be a mapping with keys {', '.join(KEYS)}")
    reader = _Reader(shown, set(known_rules), set(audit_rows), path.parent)
    for key in data:
        if key not in KEYS:
            reader.fail(key, f"unknown key (known: {', '.join(KEYS)})")

    gone = tuple(reader.target("gone", e, need_path=True) for e in reader.items(data, "gone"))
    absent = tuple(reader.target("absent", e, need_path=False) for e in reader.items(data, "absent"))
    unchanged = tuple(reader.path("unchanged", e) for e in reader.items(data, "unchanged"))
    audit_ok = []
    for entry in reader.items(data, "audit_ok"):
        rule_id = reader.rule_id("audit_ok", entry)
        if rule_id not in reader.audit_rows:
            reader.fail("audit_ok", f"{rule_id} is not a row of the audit gap table "
                                    f"(rows: {', '.join(sorted(reader.audit_rows))})")
        audit_ok.append(rule_id)
    commands = []
    for entry in reader.items(data, "commands"):
        if not isinstance(entry, str) or not entry.strip():
            reader.fail("commands", f"each command is a non-empty string, not {entry!r}")
        commands.append(entry.strip())
    if not (gone or audit_ok or commands):
        reader.fail("gone", "nothing to achieve: give gone, audit_ok or commands")
    budget = data.get("max_changed_lines")
    if budget is not None and (not isinstance(budget, int) or isinstance(budget, bool) or budget < 1):
        reader.fail("max_changed_lines", f"must be a positive number of lines, not {budget!r}")
    answer = []
    for entry in reader.items(data, "answer"):
        alternatives = entry if isinstance(entry, list) else [entry]
        if not alternatives or not all(isinstance(a, str) and a.strip() for a in alternatives):
            reader.fail("answer", f"each entry is a list of regular expressions, not {entry!r}")
        try:
            answer.append(tuple(re.compile(a, re.I) for a in alternatives))
        except re.error as exc:
            reader.fail("answer", f"{entry!r}: not a regular expression: {exc}")
    reports = tuple(reader.path("policy_reports", e) for e in reader.items(data, "policy_reports"))
    return Criteria(gone, absent, unchanged, tuple(audit_ok), tuple(commands), reader.wrong(data),
                    budget, tuple(answer), reports)
