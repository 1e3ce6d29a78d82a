"""The one list of rules: the CLI, the site, SARIF and the Checkov adapters all read it."""

from .model import Rule
from .rules import github_actions, kubernetes, kyverno, pin_comment, repo, supply_chain, suppressions

_MODULES = (github_actions, suppressions, pin_comment, supply_chain, kyverno, kubernetes, repo)
FIX_ORDER = repo.FIX_ORDER


def _collect():
    found = {}
    for module in _MODULES:
        for value in vars(module).values():
            if isinstance(value, Rule):
                if value.id in found and found[value.id] is not value:
                    raise RuntimeError(f"duplicate rule id {value.id}")
                found[value.id] = value
    return dict(sorted(found.items()))


_RULES = _collect()


def all_rules():
    """Every rule, in ID order."""
    return list(_RULES.values())


def get_rule(rule_id):
    return _RULES[rule_id]


def select(rules, select=None, ignore=None):
    """Rules matching ``select`` (IDs or prefixes; default all) and not ``ignore``."""
    def matches(rule_id, patterns):
        return any(rule_id.startswith(p.strip().upper()) for p in patterns if p.strip())
    return [r for r in rules
            if (not select or matches(r.id, select)) and not (ignore and matches(r.id, ignore))]


class GapRowView:
    """A gap-table row with its rule record attached."""

    __slots__ = ("rule", "title", "impact", "step", "rollup")

    def __init__(self, row):
        self.rule = _RULES[row.rule_id]
        self.title = row.title
        self.impact = row.impact
        self.step = row.step
        self.rollup = row.rollup


def gap_rows():
    """The audit gap table rows, in fix order."""
    return [GapRowView(row) for row in repo.GAP_ROWS]
