"""Checkov checks generated from the rule registry: ``CKV_PSK_<NNN>`` for ``PSK<NNN>``.

No rule logic here: each check asks the native engine (``bridge``) whether its rule fired.

- ``github_actions`` framework: workflows under ``.github/workflows/``, as a whole-file check
  whose result range is narrowed to the first finding's line.
- ``kubernetes`` framework: manifests and Kyverno policies, one result per document
  (Checkov 3.3 reports the document's range and drops a check's details, so the exact line
  is the CLI's to give).
- ``yaml`` framework: what the two above never hand to a check: composite actions
  (``action.yml``), workflows outside ``.github/workflows/`` or that fail Checkov's workflow
  schema, and manifests without ``metadata``.
"""

import os

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.github_actions.checks.base_github_action_check import BaseGithubActionsCheck
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from checkov.yaml_doc.enums import BlockType

from platform_skills.checkov.bridge import findings_for, first_line_in, scanned_file
from platform_skills.registry import all_rules
from platform_skills.rules.kubernetes import POD_SPEC_PATHS
from platform_skills.rules.kyverno import CEL_VALIDATING, CLUSTER_SCOPED

MANIFEST_KINDS = sorted(set(POD_SPEC_PATHS) | CLUSTER_SCOPED | CEL_VALIDATING | {
    "Policy", "NamespacedMutatingPolicy", "NamespacedGeneratingPolicy", "NamespacedDeletingPolicy"})
_WORKFLOW_DIR = os.sep + os.path.join(".github", "workflows") + os.sep


def _narrowed(result_lines, conf):
    """A FAILED result whose range is the first finding's line (Checkov reports that range)."""
    line = min(result_lines)
    narrowed = {"__startline__": line, "__endline__": line}
    return CheckResult.FAILED, narrowed if isinstance(conf, dict) else conf


class _Adapter:
    """Shared by the three framework bases: identity fields from the rule record."""

    def _setup(self, rule):
        self.rule = rule
        self.guideline = rule.help_url

    def _file(self, entity_type):
        name = self.entity_path.rsplit(":", 1)[-1] if self.entity_path else ""
        return scanned_file(self.entity_path, entity_type, name)


class WorkflowCheck(_Adapter, BaseGithubActionsCheck):
    def __init__(self, rule):
        self._setup(rule)
        super().__init__(name=rule.summary, id=rule.checkov_id, supported_entities=("jobs",),
                         block_type=BlockType.DOCUMENT)
        self.guideline = rule.help_url

    def scan_conf(self, conf):
        found = findings_for(self._file(self.entity_type))
        lines = found.lines.get(self.rule.id) if found and found.kind == "workflow" else None
        if not lines:
            return CheckResult.PASSED, conf
        return _narrowed(lines, conf)


class ManifestCheck(_Adapter, BaseK8Check):
    def __init__(self, rule):
        self._setup(rule)
        super().__init__(name=rule.summary, id=rule.checkov_id, categories=(CheckCategories.SUPPLY_CHAIN,),
                         supported_entities=MANIFEST_KINDS, guideline=rule.help_url)

    def scan_spec_conf(self, conf):
        found = findings_for(self._file(self.entity_type))
        if not found or found.kind != "manifest":
            return CheckResult.PASSED
        line = first_line_in(found.lines.get(self.rule.id, ()), conf.get("__startline__"),
                             conf.get("__endline__"))
        return CheckResult.PASSED if line is None else CheckResult.FAILED


class FallbackCheck(_Adapter, BaseYamlCheck):
    """The ``yaml`` framework sees every YAML file; it answers only where the others cannot."""

    def __init__(self, rule):
        self._setup(rule)
        super().__init__(name=rule.summary, id=rule.checkov_id, categories=(CheckCategories.SUPPLY_CHAIN,),
                         supported_entities=("platform-skills",), block_type=BlockType.DOCUMENT)
        self.guideline = rule.help_url

    def scan_entity_conf(self, conf, entity_type):
        path = self._file(entity_type)
        found = findings_for(path)
        if not found or not _unreached(found.kind, path, conf):
            return CheckResult.UNKNOWN, conf
        lines = found.lines.get(self.rule.id)
        if not lines:
            return CheckResult.PASSED, conf
        return _narrowed(lines, conf)


def _unreached(kind, path, conf):
    """Whether Checkov's own frameworks leave this file to the fallback."""
    if kind == "action":
        return True
    if kind == "workflow":
        if _WORKFLOW_DIR not in os.sep + os.path.abspath(path):
            return True
        from checkov.github_actions.utils import is_schema_valid
        return not is_schema_valid(conf)
    docs = conf if isinstance(conf, list) else [conf]
    docs = [i for d in docs for i in (d.get("items") or [] if _is_list(d) else [d])]
    return any(isinstance(d, dict) and "kind" in d and not isinstance(d.get("metadata"), dict)
               for d in docs)


def _is_list(doc):
    return isinstance(doc, dict) and doc.get("kind") == "List" and isinstance(doc.get("items"), list)


def _register():
    checks = []
    for rule in all_rules():
        if rule.scope != "file":
            continue
        targets = set(rule.targets)
        if targets & {"workflow", "source"}:
            checks.append(WorkflowCheck(rule))
        if targets & {"manifest", "source"}:
            checks.append(ManifestCheck(rule))
        checks.append(FallbackCheck(rule))
    return checks


CHECKS = _register()
