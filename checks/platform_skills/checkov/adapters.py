"""Checkov checks generated from the rule registry: ``CKV_PSK_<NNN>`` for ``PSK<NNN>``.

No rule logic here: each check asks the native engine (``bridge``) whether its rule fired.

- ``github_actions`` framework: workflows under ``.github/workflows/``, as a whole-file check
  whose result range is narrowed to the first finding's line.
- ``kubernetes`` framework: manifests and Kyverno policies, one result per document
  (Checkov 3.3 reports the document's range and drops a check's details, so the exact line
  is the CLI's to give).
- ``dockerfile`` framework: Dockerfiles, as one whole-file check per rule whose range is
  narrowed to the first finding's line. Checkov's runner does not pick up files named
  ``Containerfile``; only the CLI checks those.
- ``yaml`` framework: what the two above never hand to a check: composite actions
  (``action.yml``), workflows outside ``.github/workflows/`` or that fail Checkov's workflow
  schema, manifests without ``metadata`` and typed lists (``PodList``), and Helm charts'
  ``Chart.yaml`` and values files. Checkov's yaml parser keeps only a file's first
  document, so manifests without ``metadata`` and typed lists are reached only there.
- ``terraform`` framework: resource, data and module blocks, one result per block whose
  range holds a finding (Checkov reports the block's range). Checkov hands no check the
  ``terraform`` block, so a finding inside it (``required_providers``) has no Checkov face.
"""

import os

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.dockerfile.base_dockerfile_check import BaseDockerfileCheck
from checkov.github_actions.checks.base_github_action_check import BaseGithubActionsCheck
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from checkov.terraform.checks.data.base_check import BaseDataCheck
from checkov.terraform.checks.module.base_module_check import BaseModuleCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from checkov.yaml_doc.enums import BlockType

from platform_skills import kinds
from platform_skills.checkov.bridge import (
    findings_for,
    first_line_in,
    local_file,
    scanned_file,
    scanned_root_file,
)
from platform_skills.plaintext import plain
from platform_skills.registry import all_rules

# Every kind: rules read Secrets, RBAC objects, Flux and Argo CD objects and any apiVersion
# that was removed (PSK340), and a kind left off a list would fail silently in Checkov.
MANIFEST_KINDS = ("*",)
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
        super().__init__(name=plain(rule.summary), id=rule.checkov_id, supported_entities=("jobs",),
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
        super().__init__(name=plain(rule.summary), id=rule.checkov_id, categories=(CheckCategories.SUPPLY_CHAIN,),
                         supported_entities=MANIFEST_KINDS, guideline=rule.help_url)

    def scan_spec_conf(self, conf):
        found = findings_for(self._file(self.entity_type))
        if not found or found.kind != "manifest":
            return CheckResult.PASSED
        line = first_line_in(found.lines.get(self.rule.id, ()), conf.get("__startline__"),
                             conf.get("__endline__"))
        return CheckResult.PASSED if line is None else CheckResult.FAILED


class DockerfileCheck(_Adapter, BaseDockerfileCheck):
    """Checkov's dockerfile framework hands a ``*`` check the whole file's instructions."""

    def __init__(self, rule):
        self._setup(rule)
        super().__init__(name=plain(rule.summary), id=rule.checkov_id,
                         categories=(CheckCategories.SUPPLY_CHAIN,), supported_instructions=("*",),
                         guideline=rule.help_url)

    def scan_resource_conf(self, conf):
        found = findings_for(local_file(self._file(self.entity_type)))
        lines = found.lines.get(self.rule.id) if found and found.kind == "dockerfile" else None
        if not lines:
            return CheckResult.PASSED, None
        line = min(lines) - 1  # Checkov's Dockerfile lines are 0-based
        return CheckResult.FAILED, {"startline": line, "endline": line,
                                    "instruction": _instruction_at(conf, line)}


def _instruction_at(conf, line):
    """The instruction (as Checkov's parser names it) that holds 0-based ``line``.

    Checkov reads the code block of a result with no instruction from its own raw lines,
    which do not follow the file's lines after a here-document, and fails; with an
    instruction it looks the block up and only logs when the line is not its start. Its
    lookup table leaves comments out, so a comment is never the answer.
    """
    names = [name for name in conf if name != "COMMENT"]
    for name in names:
        for item in conf[name]:
            if item.get("startline", -1) <= line <= item.get("endline", -1):
                return name
    return names[0] if names else "FROM"


class FallbackCheck(_Adapter, BaseYamlCheck):
    """The ``yaml`` framework sees every YAML file; it answers only where the others cannot."""

    def __init__(self, rule):
        self._setup(rule)
        super().__init__(name=plain(rule.summary), id=rule.checkov_id, categories=(CheckCategories.SUPPLY_CHAIN,),
                         supported_entities=("platform-skills",), block_type=BlockType.DOCUMENT)
        self.guideline = rule.help_url

    def scan_entity_conf(self, conf, entity_type):
        path = self._file(entity_type)
        found = findings_for(path)
        ranges = _unreached(found.kind, path, conf) if found else None
        if not ranges:
            return CheckResult.UNKNOWN, conf
        lines = [n for n in found.lines.get(self.rule.id, ())
                 if any(first_line_in((n,), start, end) for start, end in ranges)]
        if not lines:
            return CheckResult.PASSED, conf
        return _narrowed(lines, conf)


class _TerraformAdapter(_Adapter):
    """A Terraform block fails when one of the rule's findings lies in its line range.

    Checkov names the file relative to the scanned directory (``/infra/main.tf``)."""

    def _block_result(self, conf):
        # entity_path is "<file>:<block type>:<name>"; module checks leave entity_type unset.
        found = findings_for(scanned_root_file(self.entity_path.rsplit(":", 2)[0]))
        if not found or found.kind != "terraform":
            return CheckResult.PASSED
        line = first_line_in(found.lines.get(self.rule.id, ()), conf.get("__start_line__"),
                             conf.get("__end_line__"))
        return CheckResult.PASSED if line is None else CheckResult.FAILED


class TerraformResourceCheck(_TerraformAdapter, BaseResourceCheck):
    def __init__(self, rule):
        self._setup(rule)
        super().__init__(name=plain(rule.summary), id=rule.checkov_id, categories=(CheckCategories.SUPPLY_CHAIN,),
                         supported_resources=("*",), guideline=rule.help_url)

    def scan_resource_conf(self, conf):
        return self._block_result(conf)


class TerraformDataCheck(_TerraformAdapter, BaseDataCheck):
    def __init__(self, rule):
        self._setup(rule)
        super().__init__(name=plain(rule.summary), id=rule.checkov_id, categories=(CheckCategories.SUPPLY_CHAIN,),
                         supported_data=("*",), guideline=rule.help_url)

    def scan_data_conf(self, conf):
        return self._block_result(conf)


class TerraformModuleCheck(_TerraformAdapter, BaseModuleCheck):
    def __init__(self, rule):
        self._setup(rule)
        super().__init__(name=plain(rule.summary), id=rule.checkov_id, categories=(CheckCategories.SUPPLY_CHAIN,),
                         guideline=rule.help_url)

    def scan_module_conf(self, conf):
        return self._block_result(conf)


def terraform_checks(rule):
    """Checkov registers checks per block type: one of each for a Terraform rule."""
    return [TerraformResourceCheck(rule), TerraformDataCheck(rule), TerraformModuleCheck(rule)]


_WHOLE_FILE = [(None, None)]


def _read_by_github_actions(path):
    """Whether Checkov's ``github_actions`` framework reads this file: a workflow under
    ``.github/workflows/`` that passes its schema (which predates some permission scopes).
    Asked of Checkov's own parser, once per file version."""
    try:
        key = (os.path.abspath(path), os.stat(path).st_mtime_ns)
    except OSError:
        return False
    if key not in _GHA_READS:
        from checkov.github_actions.utils import parse_file
        _GHA_READS[key] = _WORKFLOW_DIR in os.sep + key[0] and parse_file(path) is not None
    return _GHA_READS[key]


_GHA_READS = {}


def _unreached(kind, path, conf):
    """Line ranges of this file that Checkov's own frameworks never hand to a check."""
    if kind in ("action", "chart", "values", "kustomization"):
        return _WHOLE_FILE
    if kind == "workflow":
        return _WHOLE_FILE if not _read_by_github_actions(path) else []
    ranges = []
    pending = list(conf) if isinstance(conf, list) else [conf]
    while pending:
        doc = pending.pop()
        if not isinstance(doc, dict) or "kind" not in doc:
            continue
        if doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            pending.extend(doc["items"])  # Checkov's kubernetes framework expands these
        elif str(doc.get("kind")).endswith("List") or not isinstance(doc.get("metadata"), dict):
            ranges.append((doc.get("__startline__"), doc.get("__endline__")))
    return ranges


# Each Checkov framework a kind names, and what builds the checks that answer for it there.
ADAPTERS = {"github_actions": lambda rule: [WorkflowCheck(rule)],
            "kubernetes": lambda rule: [ManifestCheck(rule)],
            "yaml": lambda rule: [FallbackCheck(rule)],
            "dockerfile": lambda rule: [DockerfileCheck(rule)],
            "terraform": terraform_checks}


def _frameworks(rule):
    """The frameworks that reach the files a rule reads, from the kinds table."""
    targets = [kinds.get(t) for t in rule.targets if t not in kinds.PSEUDO_TARGETS]
    if kinds.SUPPRESSIONS in rule.targets:  # suppression comments can be in any file
        targets = kinds.all_kinds()
    return {framework for kind in targets for framework in kind.checkov}


def _register():
    checks = []
    for rule in all_rules():
        if rule.scope == "file":
            frameworks = _frameworks(rule)
            for name, build in ADAPTERS.items():
                if name in frameworks:
                    checks.extend(build(rule))
    return checks


CHECKS = _register()
