"""Renderers: text, concise, json, sarif, github, and the statistics view of text.

Each exposes ``render(report) -> str``.
"""

FORMATS = ("text", "concise", "json", "sarif", "github")


class Report:
    """What a run produced, in the shape every renderer reads."""

    __slots__ = ("findings", "errors", "files", "command", "gaps", "facts", "color", "skipped",
                 "configs", "repository", "gap_rows", "show_skipped", "baselined", "stale", "fixed",
                 "readiness")

    def __init__(self, findings, errors, files, command="check", gaps=None, facts=None,
                 color=False, skipped=(), configs=(), show_skipped=False):
        self.findings = findings
        self.errors = errors
        self.files = files
        self.command = command
        self.gaps = gaps          # audit only: the gap rows as findings at path "."
        self.facts = facts or {}
        self.color = color
        self.skipped = list(skipped)
        self.configs = list(configs)  # the configuration files the run read, as printed
        self.repository = None        # audit only: the repository's owner/name (or folder)
        self.gap_rows = None          # audit only: the IDs of the rows that apply and were run
        self.show_skipped = show_skipped  # list each skipped file instead of counting them
        self.baselined = None  # with a baseline: findings it holds (not shown), and
        self.stale = None      # its entries that matched nothing (fixed since)
        self.fixed = None      # with --fix: findings the safe fixes removed
        self.readiness = None  # audit with PolicyReports: the Deny readiness rows

    @classmethod
    def of_audit(cls, result, gaps, chosen, repository, color=False, show_skipped=False):
        """The report of one repository's audit, from what ``audit.run_scoped`` returned: its
        gap rows as run, the repository's name and its Deny readiness rows (CLI and fleet)."""
        from ..audit import rows_run

        report = cls(result.findings, result.errors, result.files, "audit", gaps, result.facts,
                     color, result.skipped, show_skipped=show_skipped)
        report.repository = repository
        report.gap_rows = rows_run(result.facts, chosen)
        report.readiness = result.readiness
        return report

    @property
    def shown(self):
        """The findings this report is about: gap rows for ``audit``, file findings otherwise."""
        return self.gaps if self.command == "audit" else self.findings


def render(fmt, report, statistics=False):
    if statistics:
        from . import statistics as module
    elif fmt == "concise":
        from . import concise as module
    elif fmt == "json":
        from . import json_report as module
    elif fmt == "sarif":
        from . import sarif as module
    elif fmt == "github":
        from . import github as module
    elif report.command == "audit":
        from . import audit_table as module
    else:
        from . import text as module
    return module.render(report)
