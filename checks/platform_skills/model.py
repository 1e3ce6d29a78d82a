"""The records everything else is built on: severities, rules and findings.

Kept import-light on purpose: the pre-commit path imports this module on every commit.
"""

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

# Where the handbook is published; rule help links are built from it.
HANDBOOK_URL = "https://platform-skills.github.io/platform-skills/"

# Domains in the order the catalog presents them: (key, title).
DOMAINS = (
    ("github-actions", "GitHub Actions hygiene"),
    ("supply-chain", "Signing, scanning, SBOM, provenance"),
    ("kyverno", "Kyverno admission policies"),
    ("kubernetes", "Kubernetes workloads"),
    ("repository", "Repository gaps (audit)"),
)


class Rule:
    """One rule: its contract fields, its documentation and the function that checks it.

    ``check`` takes a rule-specific view (a workflow, a Kubernetes document or a repository
    summary) and yields ``(line, message)`` pairs. ``targets`` names the views it runs on.
    """

    __slots__ = (
        "id", "name", "severity", "domain", "targets", "summary", "rationale",
        "fix", "bad", "good", "reference", "check",
    )

    def __init__(self, id, name, severity, domain, targets, summary, rationale, fix,
                 bad, good, reference, check):
        if severity not in SEVERITY_RANK:
            raise ValueError(f"{id}: unknown severity {severity!r}")
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

    @property
    def scope(self):
        """``repository`` for audit-only gap rules, ``online`` for rules only ``pin --verify``
        can decide (it asks the network), ``file`` for everything else."""
        if "repository" in self.targets:
            return "repository"
        return "online" if "online" in self.targets else "file"

    @property
    def anchor(self):
        return self.id.lower()

    @property
    def help_url(self):
        return f"{HANDBOOK_URL}rules/#{self.anchor}"

    @property
    def checkov_id(self):
        return "CKV_PSK_" + self.id[3:]

    def __repr__(self):
        return f"<Rule {self.id} {self.name}>"


class Finding:
    """A rule that fired at one place. ``line`` is 1-based; 0 means the whole repository."""

    __slots__ = ("rule", "path", "line", "message")

    def __init__(self, rule, path, line, message):
        self.rule = rule
        self.path = path
        self.line = line
        self.message = message

    def sort_key(self):
        return (self.path, self.line, self.rule.id)

    def __repr__(self):
        return f"<Finding {self.rule.id} {self.path}:{self.line}>"


class FileError:
    """A file that could not be read or parsed; the run goes on without it."""

    __slots__ = ("path", "message")

    def __init__(self, path, message):
        self.path = path
        self.message = message

    def __repr__(self):
        return f"<FileError {self.path}: {self.message}>"


class Document:
    """A parsed file: what kind it is, its YAML roots (composed nodes) and its source."""

    __slots__ = ("path", "kind", "roots", "text", "_lines")

    def __init__(self, path, kind, roots, text):
        self.path = path      # display path, relative to the current directory, "/" separators
        self.kind = kind      # "workflow", "action" or "manifest"
        self.roots = roots    # one composed root node per YAML document
        self.text = text
        self._lines = None

    @property
    def lines(self):
        """Source lines (0-based list), for comments YAML drops: version pins, suppressions."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def __repr__(self):
        return f"<Document {self.kind} {self.path}>"


def rule(**fields):
    """Decorator: turn a check function into its Rule record, documentation beside code."""
    def wrap(check):
        return Rule(check=check, **fields)
    return wrap
