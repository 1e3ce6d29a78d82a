"""The registry's index (each rule's module and kinds, read before any rule is imported)
agrees with the records, and a run imports the rule modules of the kinds it meets only."""

import json
import pkgutil
import subprocess
import sys

from platform_skills import registry, rules
from platform_skills.model import Rule
from support import ROOT, write_tree

_WORKFLOW = """\
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""


def _rule_modules():
    """Every module under ``rules/`` that defines rules (examples modules hold none)."""
    for info in pkgutil.walk_packages(rules.__path__, rules.__name__ + "."):
        if not info.ispkg and not info.name.endswith(".examples"):
            yield info.name


def test_the_index_holds_every_rule_record_with_its_module_and_kinds():
    defined = {}
    for name in _rule_modules():
        module = __import__(name, fromlist=["_"])
        for value in vars(module).values():
            if isinstance(value, Rule) and value.check.__module__ == name:
                defined[value.id] = (name.removeprefix(rules.__name__ + "."), value.targets)
    assert defined == registry.INDEX
    assert list(registry.INDEX) == sorted(registry.INDEX)
    assert [r.id for r in registry.all_rules()] == list(registry.INDEX)


def test_ids_and_membership_import_nothing_and_records_load_on_demand():
    code = (
        "import sys, json\n"
        "from platform_skills.registry import RULES, Selection\n"
        "loaded = lambda: sorted(m for m in sys.modules if m.startswith('platform_skills.rules.'))\n"
        "out = {'ids': len(list(RULES)), 'member': 'PSK401' in RULES, 'before': loaded()}\n"
        "selection = Selection(['PSK001', 'PSK401', 'PSK701'])\n"
        "out['kinds'] = sorted(selection.kinds())\n"
        "out['unchanged'] = loaded()\n"
        "out['dockerfile'] = [r.id for r in selection.for_kind('dockerfile')]\n"
        "out['after'] = loaded()\n"
        "print(json.dumps(out))\n")
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True, cwd=ROOT).stdout)
    assert out["ids"] == len(registry.INDEX) and out["member"]
    assert out["before"] == out["unchanged"] == []
    assert out["kinds"] == ["action", "dockerfile", "terraform", "workflow"]
    assert out["dockerfile"] == ["PSK401"]
    assert out["after"] == ["platform_skills.rules.containers",
                            "platform_skills.rules.containers.base_images",
                            "platform_skills.rules.containers.examples"]


def test_a_workflow_check_imports_the_workflow_rules_and_no_others(tmp_path):
    write_tree(tmp_path, {".github/workflows/ci.yml": _WORKFLOW})
    code = ("import sys, json, contextlib, io\n"
            "from platform_skills.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    code = main(['check', '.github/workflows/ci.yml'])\n"
            "print(json.dumps([code, sorted(m for m in sys.modules if m.startswith('platform_skills.'))]))\n")
    code, modules = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                              text=True, check=True, cwd=tmp_path).stdout)
    assert code == 1  # PSK001 found the tag
    wanted = {f"platform_skills.rules.{module}" for module, targets in registry.INDEX.values()
              if {"workflow", "suppressions"} & set(targets)}
    loaded = {m for m in modules if m.startswith("platform_skills.rules.")
              and m.count(".") == 3 and not m.endswith(".examples")}
    assert loaded == wanted
    for reader in ("dockerfile", "makefile", "following", "terraform", "kyverno", "facts"):
        assert f"platform_skills.readers.{reader}" not in modules
    assert "platform_skills.forked" not in modules  # a small run starts no worker
