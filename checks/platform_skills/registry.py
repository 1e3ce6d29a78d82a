"""The one table of rules, ID -> record: the CLI, the site, SARIF and Checkov all read it.

Explicit on purpose: a rule exists when it is listed in ``INDEX``, and the contract test reads
this table. The index names each rule's module and the input kinds it reads, so a run
chooses its rules before importing any of them: a commit that touches one workflow imports
the workflow rules and none of the others (a third of the start-up a one-file run had).
``tests/test_registry.py`` holds the index to the records. Each record is validated against
the input-kinds table when its module loads.
"""

from __future__ import annotations

import sys

from . import kinds
from .model import Rule, id_matches

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator

# Rule ID -> (module under ``rules/``, the input kinds it reads), in ID order.
INDEX: dict[str, tuple[str, tuple[str, ...]]] = {
    "PSK001": ("github_actions.pinning", ("workflow", "action")),
    "PSK002": ("github_actions.pinning", ("workflow", "action")),
    "PSK003": ("github_actions.pinning", ("workflow", "action")),
    "PSK004": ("github_actions.permissions", ("workflow",)),
    "PSK005": ("github_actions.permissions", ("workflow",)),
    "PSK006": ("github_actions.suppressions", ("suppressions",)),
    "PSK007": ("github_actions.suppressions", ("suppressions",)),
    "PSK008": ("github_actions.suppressions", ("suppressions",)),
    "PSK009": ("github_actions.pin_comment", ("online",)),
    "PSK010": ("github_actions.triggers", ("workflow",)),
    "PSK011": ("github_actions.injection", ("workflow", "action")),
    "PSK012": ("github_actions.injection", ("workflow", "action")),
    "PSK013": ("github_actions.releases", ("workflow", "action")),
    "PSK014": ("github_actions.releases", ("workflow", "action")),
    "PSK015": ("github_actions.credentials", ("workflow", "action")),
    "PSK016": ("github_actions.credentials", ("workflow", "action")),
    "PSK017": ("github_actions.containers", ("workflow",)),
    "PSK018": ("github_actions.credentials", ("workflow", "action")),
    "PSK019": ("github_actions.permissions", ("workflow",)),
    "PSK101": ("supply_chain.signing", ("workflow", "action", "goreleaser", "makefile", "script")),
    "PSK102": ("supply_chain.signing", ("workflow",)),
    "PSK103": ("supply_chain.signing", ("workflow", "action")),
    "PSK104": ("supply_chain.signing", ("workflow", "action")),
    "PSK110": ("supply_chain.scanning", ("workflow", "action")),
    "PSK111": ("supply_chain.scanning", ("workflow", "action")),
    "PSK130": ("supply_chain.provenance", ("workflow",)),
    "PSK201": ("kyverno.policies", ("manifest",)),
    "PSK202": ("kyverno.policies", ("manifest",)),
    "PSK203": ("kyverno.verification", ("manifest",)),
    "PSK204": ("kyverno.verification", ("manifest",)),
    "PSK205": ("kyverno.verification", ("manifest",)),
    "PSK301": ("kubernetes.images", ("manifest",)),
    "PSK302": ("kubernetes.images", ("manifest",)),
    "PSK303": ("kubernetes.pod_security", ("manifest",)),
    "PSK304": ("kubernetes.pod_security", ("manifest",)),
    "PSK305": ("kubernetes.pod_security", ("manifest",)),
    "PSK306": ("kubernetes.pod_security", ("manifest",)),
    "PSK307": ("kubernetes.pod_security", ("manifest",)),
    "PSK308": ("kubernetes.pod_security", ("manifest",)),
    "PSK309": ("kubernetes.pod_security", ("manifest",)),
    "PSK310": ("kubernetes.pod_security", ("manifest",)),
    "PSK311": ("kubernetes.pod_security", ("manifest",)),
    "PSK312": ("kubernetes.pod_security", ("manifest",)),
    "PSK320": ("kubernetes.resources", ("manifest",)),
    "PSK330": ("kubernetes.secrets", ("manifest", "kustomization")),
    "PSK331": ("kubernetes.rbac", ("manifest",)),
    "PSK332": ("kubernetes.rbac", ("manifest",)),
    "PSK340": ("kubernetes.api_versions", ("manifest",)),
    "PSK401": ("containers.base_images", ("dockerfile",)),
    "PSK402": ("containers.base_images", ("dockerfile",)),
    "PSK403": ("containers.user", ("dockerfile",)),
    "PSK404": ("containers.build_secrets", ("dockerfile",)),
    "PSK405": ("containers.downloads", ("dockerfile", "workflow", "action")),
    "PSK406": ("containers.downloads", ("dockerfile", "workflow", "action")),
    "PSK407": ("containers.downloads", ("dockerfile",)),
    "PSK501": ("gitops.flux", ("manifest",)),
    "PSK502": ("gitops.flux", ("manifest",)),
    "PSK503": ("gitops.flux", ("manifest",)),
    "PSK504": ("gitops.flux", ("manifest",)),
    "PSK505": ("gitops.flux", ("manifest",)),
    "PSK506": ("gitops.flux", ("manifest",)),
    "PSK507": ("gitops.flux", ("manifest",)),
    "PSK551": ("gitops.argocd", ("manifest",)),
    "PSK552": ("gitops.argocd", ("manifest",)),
    "PSK553": ("gitops.argocd", ("manifest",)),
    "PSK601": ("gitops.helm", ("chart",)),
    "PSK602": ("gitops.helm", ("values",)),
    "PSK701": ("terraform.iam", ("terraform",)),
    "PSK702": ("terraform.modules", ("terraform",)),
    "PSK703": ("terraform.modules", ("terraform",)),
    "PSK704": ("terraform.ecr", ("terraform",)),
    "PSK705": ("terraform.iam", ("terraform",)),
    "PSK901": ("repository.gaps", ("repository",)),
    "PSK902": ("repository.gaps", ("repository",)),
    "PSK903": ("repository.gaps", ("repository",)),
    "PSK904": ("repository.gaps", ("repository",)),
    "PSK905": ("repository.gaps", ("repository",)),
    "PSK906": ("repository.gaps", ("repository",)),
    "PSK907": ("repository.deny_readiness", ("repository",)),
    "PSK908": ("repository.freshness", ("repository",)),
}
_LOADED: dict[str, Rule] = {}


def _load(module: str) -> None:
    """Import one rule module and record every rule it defines."""
    name = f"{__package__}.rules.{module}"
    __import__(name)  # (importlib itself is one more module to load on every commit)
    namespace = sys.modules[name]
    for value in vars(namespace).values():
        if isinstance(value, Rule) and value.id in INDEX:
            kinds.validate(value)
            _LOADED[value.id] = value


def get_rule(rule_id: str) -> Rule:
    """The record of ``rule_id`` (KeyError for an ID the index does not hold)."""
    found = _LOADED.get(rule_id)
    if found is None:
        _load(INDEX[rule_id][0])
        found = _LOADED[rule_id]
    return found


class _Rules:
    """``RULES``: a read-only mapping ID -> record, in ID order, importing a rule's module
    only when its record is asked for; membership and the IDs need no import."""

    def __getitem__(self, rule_id: str) -> Rule:
        return get_rule(rule_id)

    def get(self, rule_id: str, default: Rule | None = None) -> Rule | None:
        return get_rule(rule_id) if rule_id in INDEX else default

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in INDEX

    def __iter__(self) -> Iterator[str]:
        return iter(INDEX)

    def __len__(self) -> int:
        return len(INDEX)

    def keys(self) -> Iterable[str]:
        return INDEX.keys()

    def values(self) -> list[Rule]:
        return [get_rule(i) for i in INDEX]

    def items(self) -> list[tuple[str, Rule]]:
        return [(i, get_rule(i)) for i in INDEX]


RULES = _Rules()


def all_rules() -> list[Rule]:
    """Every rule, in ID order (every rule module imported)."""
    return RULES.values()


def matches_any(rule_id: str, patterns: Iterable[str]) -> bool:
    return any(id_matches(rule_id, p) for p in patterns)


def chosen(rule_id: str, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> bool:
    """Whether ``select`` (IDs or prefixes; None: every rule) takes the rule and ``ignore``
    does not."""
    return (not select or matches_any(rule_id, select)) and not (ignore and matches_any(rule_id, ignore))


def scope_of(targets: Collection[str]) -> str:
    """``Rule.scope`` from the targets alone."""
    if kinds.REPOSITORY in targets:
        return "repository"
    return "online" if kinds.ONLINE in targets else "file"


class Selection:
    """The rules of a run, chosen by ID: each record is imported when the first file of a
    kind it reads turns up. Built from records (``of``), it holds them as given, rules
    outside the index (a test's toy rules) too."""

    __slots__ = ("ids", "_given", "_by_kind")

    def __init__(self, ids: Iterable[str], given: Iterable[Rule] = ()) -> None:
        self._given = {rule.id: rule for rule in given}
        self.ids = tuple(ids)
        self._by_kind: dict[str, list[Rule]] = {}

    @classmethod
    def of(cls, rules: Iterable[Rule]) -> Selection:
        rules = list(rules)
        return cls([r.id for r in rules], rules)

    def targets(self, rule_id: str) -> tuple[str, ...]:
        given = self._given.get(rule_id)
        return given.targets if given is not None else INDEX[rule_id][1]

    def kinds(self) -> set[str]:
        """Every input kind some rule of the selection reads."""
        return {kind for rule_id in self.ids for kind in self.targets(rule_id)}

    def for_kind(self, kind: str) -> list[Rule]:
        """The records of the rules that read ``kind``, in selection order."""
        found = self._by_kind.get(kind)
        if found is None:
            found = self._by_kind[kind] = [self._given.get(i) or get_rule(i) for i in self.ids
                                           if kind in self.targets(i)]
        return found
