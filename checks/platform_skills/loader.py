"""Finding, reading and parsing files: the only code that touches the file system or YAML.

Every failure becomes a ``FileError`` for that file alone; nothing here raises for bad
input. Files that are simply not ours (a Helm template, an unrelated YAML list, an empty
file) are skipped quietly.
"""

import os
import re

import yaml

from . import nodes
from .model import Document, FileError

YAML_SUFFIXES = (".yml", ".yaml")
SKIP_DIRS = frozenset((".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", ".terraform", "site-packages"))
MAX_BYTES = 10 * 1024 * 1024
_GO_TEMPLATE = re.compile(r"(?<!\$)\{\{")
_ACTION_NAMES = ("action.yml", "action.yaml")
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAGS = {"scalar": "tag:yaml.org,2002:str", "sequence": "tag:yaml.org,2002:seq",
         "mapping": "tag:yaml.org,2002:map"}


class _Loader(_BASE_LOADER):
    """The safe C loader without implicit tag resolution.

    Rules read scalars as the text written in the file (``on``, ``true``, ``2026-01-15``), so
    the regex-based guessing of bool/int/timestamp tags for every scalar is wasted work: it
    is a third of the parse time. Composition (anchors, aliases, marks) is unchanged.
    """

    def resolve(self, kind, value, implicit):
        return _TAGS[kind.id]

    def descend_resolver(self, current_node, current_index):
        pass  # path-based resolvers are never registered on a safe loader

    def ascend_resolver(self):
        pass


def display_path(path):
    """Relative to the current directory, with "/" separators."""
    rel = os.path.normpath(path) if not os.path.isabs(path) else os.path.relpath(path)
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def discover(paths, excluded=None):
    """Expand the paths given on the command line into ``(path, root)`` candidates.

    Directories are walked for YAML files; files named explicitly are taken as given,
    whatever their suffix (pre-commit decides what to pass). ``root`` is the tree a
    symlinked file must resolve into. Returns ``(candidates, errors)``.
    """
    candidates, errors = [], []
    for given in paths:
        if os.path.isdir(given):
            candidates.extend((p, given) for p in walk(given, excluded))
        elif os.path.lexists(given):
            if excluded and excluded(display_path(given)):
                continue
            candidates.append((given, os.curdir))
        else:
            errors.append(FileError(display_path(given), "no such file or directory"))
    return candidates, errors


def walk(top, excluded=None):
    """YAML files under ``top``: never follows directory symlinks, so loops cannot hang it."""
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        names = {e.name for e in entries}
        helm_chart = "Chart.yaml" in names
        for entry in entries:
            rel = display_path(entry.path)
            if excluded and excluded(rel):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIP_DIRS or (helm_chart and entry.name == "templates"):
                    continue
                if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                    continue  # a virtualenv
                stack.append(entry.path)
            elif entry.name.endswith(YAML_SUFFIXES):
                yield entry.path
    return


def classify_path(path):
    """What a file is by its name alone: workflow, action, or None (decide by content)."""
    norm = path.replace(os.sep, "/")
    name = norm.rsplit("/", 1)[-1]
    if name in _ACTION_NAMES:
        return "action"
    if "/.github/workflows/" in "/" + norm and name.endswith(YAML_SUFFIXES):
        return "workflow"
    return None


def load(path, root=os.curdir):
    """Read and parse one file: ``(Document or None, FileError or None)``."""
    shown = display_path(path)
    try:
        text = _read_text(path, root)
    except _Unreadable as exc:
        return None, FileError(shown, str(exc))
    if not text.strip():
        return None, None
    by_name = classify_path(path)
    if by_name is None and "kind" not in text and "jobs" not in text and "runs" not in text:
        return None, None  # cannot be ours: skip the parse
    try:
        roots = [r for r in yaml.compose_all(text, Loader=_Loader) if r is not None]
    except yaml.MarkedYAMLError as exc:
        if _GO_TEMPLATE.search(text) and by_name is None:
            return None, None  # a Helm or Go template, not plain YAML
        return None, FileError(shown, _yaml_message(exc))
    except yaml.YAMLError as exc:
        return None, FileError(shown, f"invalid YAML: {type(exc).__name__}")
    except RecursionError:
        return None, FileError(shown, "invalid YAML: nesting too deep to parse")
    except MemoryError:
        return None, FileError(shown, "invalid YAML: too large to parse")
    return _classify(shown, by_name, roots, text)


def _classify(shown, by_name, roots, text):
    if by_name is not None:
        if not roots:
            return None, None
        root = roots[0]
        if not nodes.is_map(root):
            what = "workflow" if by_name == "workflow" else "action metadata file"
            return None, FileError(shown, f"a {what} must be a mapping at the top level, "
                                          f"found a {root.id} at line {nodes.line(root)}")
        return Document(shown, by_name, [root], text), None
    maps = [r for r in roots if nodes.is_map(r)]
    if len(maps) == 1 and nodes.get(maps[0], "jobs") is not None and (
            nodes.get(maps[0], "on") is not None or nodes.get(maps[0], "true") is not None):
        return Document(shown, "workflow", maps, text), None
    if len(maps) == 1 and nodes.is_map(nodes.get(maps[0], "runs")) and nodes.get(
            nodes.get(maps[0], "runs"), "using") is not None:
        return Document(shown, "action", maps, text), None
    manifests = []
    pending = list(reversed(maps))
    seen = set()  # aliases can make Lists of Lists exponential: expand each node once
    while pending:  # `kind: List` (and PodList, DeploymentList, ...) hold their objects in items
        root = pending.pop()
        if id(root) in seen:
            continue
        seen.add(id(root))
        items = nodes.get(root, "items")
        if nodes.text(nodes.get(root, "kind"), "").endswith("List") and nodes.is_seq(items):
            pending.extend(i for i in reversed(items.value) if nodes.is_map(i))
        elif nodes.get(root, "kind") is not None and nodes.get(root, "apiVersion") is not None:
            manifests.append(root)
    if manifests:
        return Document(shown, "manifest", manifests, text), None
    return None, None


class _Unreadable(Exception):
    pass


def _read_text(path, root):
    if os.path.islink(path):
        target = os.path.realpath(path)
        top = os.path.realpath(root)
        if not (target == top or target.startswith(top.rstrip(os.sep) + os.sep)):
            raise _Unreadable("symlink points outside the scanned tree; not read")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise _Unreadable("is a directory") from None
    except OSError as exc:
        raise _Unreadable(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise _Unreadable(f"larger than {MAX_BYTES // (1024 * 1024)} MB; not checked")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _Unreadable("not valid UTF-16 despite its byte-order mark") from None
    if b"\x00" in data:
        raise _Unreadable("binary content (NUL bytes); not a YAML file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                          f"{exc.start})") from None


def _yaml_message(exc):
    """The parser's problem and position, never the offending source excerpt."""
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = exc.problem or exc.context or "cannot parse"
    context = ""
    if exc.context and exc.context_mark and exc.problem:
        context = f" ({exc.context} at line {exc.context_mark.line + 1})"
    return f"invalid YAML{where}: {problem}{context}"


CONFIG_KEYS = ("select", "ignore", "fail-on", "exclude", "trusted-owners", "rules")
# Per-rule options under ``rules: {PSK001: {...}}``; each takes a list of strings.
RULE_OPTIONS = {"PSK001": ("trusted-owners",)}


class ConfigError(Exception):
    pass


def read_config(start):
    """Settings from ``.platform-skills.yaml`` or ``[tool.platform-skills]`` in pyproject.toml.

    Looked for in ``start`` and its parents up to the repository root (the folder with
    ``.git``). Returns ``({}, None)`` when there is none; raises ConfigError when invalid.
    """
    here = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        yaml_path = os.path.join(here, ".platform-skills.yaml")
        if os.path.isfile(yaml_path):
            return _config_from_yaml(yaml_path), yaml_path
        toml_path = os.path.join(here, "pyproject.toml")
        if os.path.isfile(toml_path):
            settings = _config_from_pyproject(toml_path)
            if settings is not None:
                return settings, toml_path
        parent = os.path.dirname(here)
        if os.path.exists(os.path.join(here, ".git")) or parent == here:
            return {}, None
        here = parent


def _config_from_yaml(path):
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_BASE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{display_path(path)}: cannot read settings: "
                          f"{getattr(exc, 'problem', None) or exc}") from None
    return _validate_config(data or {}, path)


def _config_from_pyproject(path):
    with open(path, "rb") as handle:
        data = handle.read()
    if b"platform-skills" not in data:
        return None
    import tomllib
    try:
        table = tomllib.loads(data.decode("utf-8")).get("tool", {}).get("platform-skills")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{display_path(path)}: invalid TOML: {exc}") from None
    return None if table is None else _validate_config(table, path)


def _validate_config(data, path):
    shown = display_path(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{shown}: settings must be a mapping")
    unknown = sorted(set(data) - set(CONFIG_KEYS))
    if unknown:
        raise ConfigError(f"{shown}: unknown setting(s) {', '.join(unknown)}; "
                          f"known: {', '.join(CONFIG_KEYS)}")
    out = {}
    for key, value in data.items():
        if key == "fail-on":
            if not isinstance(value, str):
                raise ConfigError(f"{shown}: fail-on must be a severity name")
            out[key] = value
            continue
        if key == "rules":
            out[key] = _rule_options(value, shown)
            continue
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{shown}: {key} must be a list of strings")
        out[key] = value
    return out


def _rule_options(value, shown):
    if not isinstance(value, dict):
        raise ConfigError(f"{shown}: rules must map rule IDs to their options")
    out = {}
    for rule_id, options in value.items():
        known = RULE_OPTIONS.get(str(rule_id).upper())
        if known is None:
            raise ConfigError(f"{shown}: rules: {rule_id} takes no options; rules with options: "
                              f"{', '.join(RULE_OPTIONS)}")
        if not isinstance(options, dict):
            raise ConfigError(f"{shown}: rules: {rule_id} must be a mapping of options")
        checked = {}
        for name, option in options.items():
            if name not in known:
                raise ConfigError(f"{shown}: rules: {rule_id}: unknown option {name}; "
                                  f"known: {', '.join(known)}")
            if isinstance(option, str):
                option = [option]
            if not isinstance(option, list) or not all(isinstance(v, str) for v in option):
                raise ConfigError(f"{shown}: rules: {rule_id}: {name} must be a list of strings")
            checked[name] = option
        out[str(rule_id).upper()] = checked
    return out
