"""The package's floors hold: imports flow one way, and a new input kind plugs in alone."""

import ast
import json
from pathlib import Path

from support import ROOT, write_tree

PACKAGE = ROOT / "checks" / "platform_skills"
# Lower number = lower floor. A module may import its own floor or lower ones.
FLOORS = [
    ("model", 0), ("nodes", 0), ("plaintext", 0), ("json5", 0), ("forked", 0),
    ("parsers", 1), ("readers", 1), ("fixes", 1),
    ("kinds", 2), ("loader", 2), ("surroundings", 2), ("config", 2), ("findings", 2), ("textfiles", 2),
    ("rules", 3),
    ("registry", 4),
    ("engine", 5), ("scopes", 5),
    ("audit", 6), ("fixer", 6), ("baseline", 6),
    ("report", 7), ("checkov", 7), ("fleet", 7),
    ("cli", 8), ("checkov_hook", 8), ("pin", 8),
]


def _module_name(path):
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _floor(module):
    part = module.split(".")[1] if "." in module else ""
    for name, floor in FLOORS:
        if part == name:
            return floor
    return -1  # the package root: version() only


def _imports(run_time_only=False):
    """``{module: modules it imports}``; with ``run_time_only``, leaving out the imports under
    ``if TYPE_CHECKING:`` (annotations only: they cannot make a cycle when the code runs)."""
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        module = _module_name(path)
        is_package = path.name == "__init__.py"
        found = set()
        tree = ast.parse(path.read_text())
        typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                       for n in ast.walk(block)} if run_time_only else set()
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".")
                    base = base[:len(base) - node.level + (1 if is_package else 0)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                submodules = [target + "." + a.name for a in node.names
                              if _exists(target + "." + a.name)]
                for name in submodules or [target]:
                    if name.startswith("platform_skills") and name != module:
                        found.add(name)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("platform_skills"))
        graph[module] = found
    return graph


def _exists(name):
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").exists() or (PACKAGE.parent / rel).is_dir()


def test_every_module_has_a_floor():
    assert [m for m in _imports() if "." in m and _floor(m) < 0] == []


def test_no_module_imports_a_higher_floor():
    wrong = []
    for module, targets in _imports().items():
        for target in targets:
            if _floor(target) > _floor(module):
                wrong.append(f"{module} -> {target}")
    assert not wrong, wrong


def test_rule_modules_do_not_import_each_other():
    wrong = []
    for module, targets in _imports().items():
        if not module.startswith("platform_skills.rules."):
            continue
        domain = module.split(".")[2]
        for target in targets:
            if not target.startswith("platform_skills.rules."):
                continue
            parts = target.split(".")
            same_examples = parts[2] == domain and parts[-1] == "examples"
            if not same_examples and target != "platform_skills.rules":
                wrong.append(f"{module} -> {target}")
    assert not wrong, wrong


def test_import_graph_has_no_cycle():
    graph = {m: {t for t in ts if t in _imports_keys()} for m, ts in _imports(run_time_only=True).items()}
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in graph.get(node, ()):
            if state.get(nxt) == "open":
                raise AssertionError("cycle: " + " -> ".join(stack + [node, nxt]))
            if nxt not in state:
                visit(nxt, stack + [node])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [])


def _imports_keys():
    return {_module_name(p) for p in PACKAGE.rglob("*.py")}


def test_a_toy_kind_plugs_in_without_touching_engine_loader_or_adapters(tmp_path):
    """A kind for ``*.toy`` files and a rule for it: only the kind table and one reader."""
    from platform_skills import engine, kinds
    from platform_skills.model import rule
    from platform_skills.parsers import ParseError

    def parse(text):  # the toy reader: "key = value" lines
        pairs = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                key, sep, value = line.partition("=")
                if not sep:
                    raise ParseError(f"line {number}: expected key = value")
                pairs.append((number, key.strip(), value.strip()))
        return pairs

    toy = kinds.Kind("toy", "toy settings", parse, lambda doc: [doc.roots],
                     claims=lambda norm, name: name.endswith(".toy"))
    kinds.register(toy)
    try:
        @rule(id="PSK999", name="toy-debug-on", severity="low", domain="repository",
              targets=("toy",), summary="debug on", rationale="r", fix="f", bad="", good="",
              reference="docs/rules.md")
        def toy_debug_on(pairs):
            for number, key, value in pairs:
                if key == "debug" and value == "on":
                    yield number, "debug is on"

        kinds.validate(toy_debug_on)
        write_tree(tmp_path, {"a.toy": "name = x\ndebug = on\n", "b.toy": "broken\n",
                              "c.yaml": "kind: x\n"})
        result = engine.run([str(tmp_path)], [toy_debug_on], jobs=1)
        assert [(f.path.rsplit("/", 1)[-1], f.line) for f in result.findings] == [("a.toy", 2)]
        assert [e.message for e in result.errors] == ["line 1: expected key = value"]
    finally:
        kinds.unregister("toy")


def test_rules_json_shows_since_status_and_options():
    from support import run_cli

    data = json.loads(run_cli("rules", "--format", "json").stdout)
    assert all({"since", "status", "options"} <= set(r) for r in data)
    psk001 = next(r for r in data if r["id"] == "PSK001")
    assert [o["name"] for o in psk001["options"]] == ["trusted-owners"]
    assert psk001["options"][0]["default"] == []


def _floors_named(lines):
    """``{floor: {modules}}`` from lines that start with a floor number and name modules in
    backticks (README's list, the contributor page's table)."""
    import re

    out = {}
    for line in lines:
        match = re.match(r"^(?:- Floor |\| )(\d)[,| ]", line)
        if match:
            cell = line.split("|")[2] if line.startswith("|") else line.split(":", 1)[0]
            out[int(match.group(1))] = set(re.findall(r"`([a-z_0-9]+)(?:/[^`]*)?`", cell))
    return out


def test_readme_and_contributor_page_name_the_floors_the_test_holds():
    expected = {}
    for name, floor in FLOORS:
        expected.setdefault(floor, set()).add(name)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    assert _floors_named(section.splitlines()) == expected
    page = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    assert _floors_named(page.splitlines()) == expected
