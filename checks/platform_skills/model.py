"""The records everything else is built on: severities, rules, options, findings, documents.

Kept import-light on purpose: the pre-commit path imports this module on every commit. So
the records are plain ``__slots__`` classes, not dataclasses: ``import dataclasses`` pulls in
``inspect`` and costs about 8 ms, a sixth of a one-file run. Annotations are strings
(``from __future__``) and typing names are imported for the type checker only.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

    # ``check(view)`` or ``check(view, options)``; it yields what the finding builder reads.
    CheckFunction = Callable[..., Iterable[tuple[Any, ...]]]
    # What a file's text must hold for a rule to find anything (see ``Rule``).
    Requires = tuple[str, ...] | Callable[["Document"], bool]

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
STATUSES = ("stable", "preview", "deprecated")

# Where the handbook is published; rule help links are built from it.
HANDBOOK_URL = "https://platform-skills.github.io/platform-skills/"

# Domains in the order the catalog presents them: (key, title).
DOMAINS = (
    ("github-actions", "GitHub Actions hygiene"),
    ("supply-chain", "Signing, scanning, SBOM, provenance"),
    ("kyverno", "Kyverno admission policies"),
    ("kubernetes", "Kubernetes workloads"),
    ("containers", "Dockerfiles and downloads"),
    ("gitops", "Flux CD, Argo CD and Helm"),
    ("terraform", "Terraform and AWS"),
    ("repository", "Repository gaps (audit)"),
)


def id_matches(rule_id: str, pattern: str) -> bool:
    """Whether ``pattern`` (a full ID or a prefix such as ``PSK1``) names ``rule_id``."""
    pattern = pattern.strip().upper()
    return bool(pattern) and rule_id.startswith(pattern)


class Option:
    """A typed, documented per-rule setting (``rules: {PSK001: {trusted-owners: [...]}}``)."""

    __slots__ = ("name", "type", "default", "doc")

    TYPES = {"list": "a list of strings", "str": "a string", "bool": "true or false"}

    def __init__(self, name: str, type: str, default: Any, doc: str) -> None:
        if type not in self.TYPES:
            raise ValueError(f"option {name}: unknown type {type!r}")
        self.name = name
        self.type = type
        self.default = default
        self.doc = doc

    def coerce(self, value: Any) -> Any:
        """The value in this option's type, or raise ValueError saying what was expected."""
        if self.type == "list":
            if isinstance(value, str):
                value = [value]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return tuple(value)
        elif self.type == "str" and isinstance(value, str) or self.type == "bool" and isinstance(value, bool):
            return value
        raise ValueError(f"{self.name} must be {self.TYPES[self.type]}")


class Rule:
    """One rule: its contract fields, its documentation and the function that checks it.

    ``check(view)`` (or ``check(view, options)`` when the rule declares options) takes the
    view its input kind builds and yields ``(where, message)``, ``(where, message,
    related)`` or ``(where, message, related, fix)``: ``where`` is a line number or a YAML
    node, ``related`` a list of ``(where, note)`` or ``(path, where, note)`` for the other
    places the finding joins, ``fix`` advice for this finding when it differs from the rule's
    (per tool, say). A ``fixable`` rule may end any of these with a ``fixes.Fix``, the
    text edit that repairs the finding.
    ``targets`` names the input kinds (see ``kinds.py``) whose views it reads.
    ``evidence`` names the evidence from outside the repository the check also takes, after
    the options (``policy-reports``: the reports read, or None when none were given).
    ``requires`` says what a file's text holds whenever the rule can find anything in it: a
    tuple of words (one of them, as written) or a test of the ``Document`` (``AnyCase``, or
    a function); the engine does not run the rule on other files. It must be a true
    necessary condition: ``tests/test_prefilters.py`` runs every rule with and without it.
    """

    __slots__ = (
        "id", "name", "severity", "domain", "targets", "summary", "rationale",
        "fix", "bad", "good", "reference", "check", "since", "status", "options", "limits",
        "suppressible", "example_name", "example_files", "precision", "fixable",
        "evidence", "requires",
    )

    def __init__(self, id: str, name: str, severity: str, domain: str, targets: Iterable[str],
                 summary: str, rationale: str, fix: str, bad: str, good: str, reference: str,
                 check: CheckFunction, since: str = "0.1.0", status: str = "stable",
                 options: Iterable[Option] = (), limits: str = "", suppressible: bool = True,
                 example_name: str | None = None, example_files: Mapping[str, str] | None = None,
                 precision: str = "high", fixable: bool = False,
                 evidence: Iterable[str] = (), requires: Requires = ()) -> None:
        if severity not in SEVERITY_RANK:
            raise ValueError(f"{id}: unknown severity {severity!r}")
        if status not in STATUSES:
            raise ValueError(f"{id}: unknown status {status!r}")
        self.id = id
        self.name = name
        self.severity = severity
        self.domain = domain
        self.targets = tuple(targets)
        self.summary = summary
        self.rationale = rationale
        self.fix = fix
        self.bad = bad
        self.good = good
        self.reference = reference
        self.check = check
        self.since = since
        self.status = status
        self.options = tuple(options)
        self.limits = limits            # known limits, Markdown; shown on the rule's page
        self.suppressible = suppressible  # False for the rules that judge suppressions
        self.example_name = example_name  # file name the examples are checked under
        # Files the examples need beside them (a values.yaml is a chart's only next to its
        # Chart.yaml): {name: text}.
        self.example_files = dict(example_files or {})
        # How often a finding is right (SARIF's precision: very-high, high, medium, low):
        # lower where the rule must guess, e.g. about values computed at run time.
        self.precision = precision
        # Whether its findings may carry a safe fix (``check --fix``); see fixes.py.
        self.fixable = fixable
        self.evidence = tuple(evidence)
        self.requires = requires

    @property
    def scope(self) -> str:
        """``repository`` for audit-only gap rules, ``online`` for rules only ``pin --verify``
        can decide (it asks the network), ``file`` for everything else."""
        if "repository" in self.targets:
            return "repository"
        return "online" if "online" in self.targets else "file"

    @property
    def anchor(self) -> str:
        return self.id.lower()

    @property
    def help_url(self) -> str:
        return f"{HANDBOOK_URL}rules/{self.anchor}/"

    @property
    def checkov_id(self) -> str:
        return "CKV_PSK_" + self.id[3:]

    def option_defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}

    def __repr__(self) -> str:
        return f"<Rule {self.id} {self.name}>"


class Location:
    """A place in a file: 1-based line (0: the whole repository), column where known, a note."""

    __slots__ = ("path", "line", "column", "note")

    def __init__(self, path: str, line: int, column: int | None = None, note: str = "") -> None:
        self.path = path
        self.line = line
        self.column = column
        self.note = note

    def __repr__(self) -> str:
        return f"<Location {self.path}:{self.line}>"


class Finding:
    """A rule that fired: a primary place, and the related places it joins."""

    __slots__ = ("rule", "path", "line", "message", "column", "related", "_fix", "autofix")

    def __init__(self, rule: Rule, path: str, line: int, message: str, column: int | None = None,
                 related: Iterable[Location] = (), fix: str | None = None,
                 autofix: Any = None) -> None:
        self.rule = rule
        self.path = path
        self.line = line
        self.message = message
        self.column = column
        self.related = tuple(related)  # Location records
        self._fix = fix  # advice for this finding, where it differs by tool from the rule's
        self.autofix = autofix  # a fixes.Fix that repairs it, for check --fix; None: none

    @property
    def fix(self) -> str:
        return self._fix or self.rule.fix

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line, self.rule.id, self.message)

    def __repr__(self) -> str:
        return f"<Finding {self.rule.id} {self.path}:{self.line}>"


class FileError:
    """A file that could not be read or parsed; the run goes on without it."""

    __slots__ = ("path", "message")

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message

    def __repr__(self) -> str:
        return f"<FileError {self.path}: {self.message}>"


class Skipped:
    """A file that was not checked, with a reason the user can act on (a template, a Helm
    chart's ``templates/``, a file over a size limit, a missing parser, a fixture that does
    not parse): counted in the summary line, listed by ``--show-skipped``."""

    __slots__ = ("path", "reason")

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason

    def __repr__(self) -> str:
        return f"<Skipped {self.path}: {self.reason}>"


class Document:
    """A parsed file: its input kind, its parsed roots and its source.

    ``roots`` is what the kind's parser returned (composed YAML nodes for YAML kinds).
    ``memo`` holds views built from it, so each is built once whoever asks. ``around`` is the
    ``Surroundings`` of the tree it was found in (None when built from text alone): what
    views ask about other files.
    """

    __slots__ = ("path", "kind", "roots", "text", "memo", "around", "_lines")

    def __init__(self, path: str, kind: str, roots: Any, text: str, around: Any = None) -> None:
        self.path = path      # display path, relative to the current directory, "/" separators
        self.kind = kind      # a kind name from kinds.py
        self.roots = roots
        self.text = text
        self.memo: dict[Any, Any] = {}
        self.around = around
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        """Source lines (0-based list), for comments parsers drop: version pins, suppressions."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def close(self) -> None:
        """Let go of what rules built from this document. Views point back at one another
        and at it (a step at its job, a workflow at its document, a walk's list at its root),
        cycles only the garbage collector frees, after tracing each file's nodes again and
        again: about a tenth of a scan of workflows. Closed when done, a file's objects go at
        once. Nothing reads the views afterwards; the roots and the text stay as they were."""
        for view in self.memo.get("view", ()):
            release = getattr(view, "release", None)
            if release is not None:
                release()
        self.memo.clear()
        for root in self.roots if isinstance(self.roots, list) else ():
            cached = getattr(root, "__dict__", None)
            if cached:
                cached.pop("_psk_maps", None)
                cached.pop("_psk_pods", None)

    @property
    def lowered(self) -> str:
        """The text in lower case (asked by the rules whose words are case-blind)."""
        found = self.memo.get("lowered")
        if found is None:
            found = self.memo["lowered"] = self.text.lower()
        return found

    def __repr__(self) -> str:
        return f"<Document {self.kind} {self.path}>"


class AnyCase:
    """A rule's ``requires``: one of these words, in any case, in the file's text."""

    __slots__ = ("words",)

    def __init__(self, *words: str) -> None:
        self.words = tuple(word.lower() for word in words)

    def __call__(self, doc: Document) -> bool:
        lowered = doc.lowered
        return any(word in lowered for word in self.words)


def rule(**fields: Any) -> Callable[[CheckFunction], Rule]:
    """Decorator: turn a check function into its Rule record, documentation beside code."""
    def wrap(check: CheckFunction) -> Rule:
        return Rule(check=check, **fields)
    return wrap
