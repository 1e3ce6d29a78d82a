"""Project settings: ``.platform-skills.yaml`` or ``[tool.platform-skills]`` in pyproject.toml.

Keys: ``select``, ``ignore``, ``fail-on``, ``exclude``, ``trusted-owners`` (shorthand for
PSK001's option of that name), ``rules`` (per-rule options: ``rules: {PSK001:
{trusted-owners: [...]}}``), ``baseline`` (a baseline file, relative to this file) and
``policy-reports`` (PolicyReport files or folders, relative to this file). Unknown keys are
errors that name the file and the key.
"""

from __future__ import annotations

import os

from .loader import display_path as _shown
from .parsers import load_settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from .model import Rule

    # Checked settings, by key (the values of YAML or TOML), plus _path: the file shown.
    Settings = dict[str, Any]

YAML_NAME = ".platform-skills.yaml"
LIST_KEYS = ("select", "ignore", "exclude", "trusted-owners", "policy-reports")
KEYS = LIST_KEYS + ("fail-on", "rules", "baseline")


class ConfigError(Exception):
    pass


def find(start: str, cache: dict[str, tuple[Settings, str | None]] | None = None,
         ) -> tuple[Settings, str | None]:
    """``(settings, path)`` of the configuration nearest to ``start``, going up.

    The search stops at the repository root (the folder with ``.git``) or the file-system
    root. Returns ``({}, None)`` when there is none; raises ConfigError when a file is
    invalid or two files sit at one level. ``cache`` (a dict) remembers the answer for every
    folder passed on the way, so a run with many paths reads each folder once.
    """
    here = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    cache = {} if cache is None else cache
    passed = []
    while here not in cache:
        passed.append(here)
        found = _at(here)
        if found is not None:
            break
        parent = os.path.dirname(here)
        if os.path.exists(os.path.join(here, ".git")) or parent == here:
            found = ({}, None)
            break
        here = parent
    else:
        found = cache[here]
    for folder in passed:
        cache[folder] = found
    return found


def _at(here: str) -> tuple[Settings, str | None] | None:
    """The configuration in this one folder, or None."""
    found = []
    yaml_path = os.path.join(here, YAML_NAME)
    if os.path.isfile(yaml_path):
        found.append((_from_yaml(yaml_path), yaml_path))
    toml_path = os.path.join(here, "pyproject.toml")
    if os.path.isfile(toml_path):
        settings = _from_pyproject(toml_path)
        if settings is not None:
            found.append((settings, toml_path))
    if len(found) > 1:
        raise ConfigError(f"{_shown(yaml_path)} and [tool.platform-skills] in "
                          f"{_shown(toml_path)} both configure platform-skills; keep one")
    return found[0] if found else None


def load(path: str) -> tuple[Settings, str]:
    """``(settings, path)`` of one named configuration file (``--config``): a YAML file, or
    a pyproject.toml with a ``[tool.platform-skills]`` table. Raises ConfigError."""
    if not os.path.isfile(path):
        raise ConfigError(f"{_shown(path)}: no such configuration file")
    path = os.path.abspath(path)
    if os.path.basename(path) == "pyproject.toml":
        settings = _from_pyproject(path)
        if settings is None:
            raise ConfigError(f"{_shown(path)}: no [tool.platform-skills] table")
        return settings, path
    return _from_yaml(path), path


def excluder(patterns: Iterable[str] | None, base: str | None = None) -> Callable[[str], bool] | None:
    """A test ``excluded(path) -> bool`` for glob ``patterns``, or None when there are none.

    With ``base`` (a configuration file's folder) a pattern is matched against the path
    relative to that folder; without it, against the path as the CLI prints it. A leading
    ``./`` is ignored on both sides, and a pattern naming a folder covers what is below it.
    """
    patterns = [_normalised(p) for p in patterns or () if _normalised(p)]
    if not patterns:
        return None
    from fnmatch import fnmatch

    def excluded(path: str) -> bool:
        if base is not None:
            path = os.path.relpath(os.path.abspath(path), base)
            if path == os.pardir or path.startswith(os.pardir + os.sep):
                return False  # outside this configuration's folder
        path = _normalised(path.replace(os.sep, "/"))
        return any(fnmatch(path, p) or fnmatch(path, p + "/*") for p in patterns)
    return excluded


def _normalised(pattern: str) -> str:
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.rstrip("/")


def _from_yaml(path: str) -> Settings:
    try:
        with open(path, encoding="utf-8") as handle:
            data = load_settings(handle)
    except Exception as exc:  # OSError, UnicodeDecodeError, yaml.YAMLError
        raise ConfigError(f"{_shown(path)}: cannot read settings: "
                          f"{getattr(exc, 'problem', None) or exc}") from None
    return validate(data or {}, path)


def _from_pyproject(path: str) -> Settings | None:
    with open(path, "rb") as handle:
        data = handle.read()
    if b"platform-skills" not in data:
        return None
    import tomllib
    try:
        table = tomllib.loads(data.decode("utf-8")).get("tool", {}).get("platform-skills")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{_shown(path)}: invalid TOML: {exc}") from None
    return None if table is None else validate(table, path)


def validate(data: Any, path: str) -> Settings:
    """Check the shape of every key; per-rule options are checked later against the rules."""
    shown = _shown(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{shown}: settings must be a mapping")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ConfigError(f"{shown}: unknown setting(s) {', '.join(unknown)}; "
                          f"known: {', '.join(KEYS)}")
    out: Settings = {"_path": shown}
    for key, value in data.items():
        if key == "fail-on":
            if not isinstance(value, str):
                raise ConfigError(f"{shown}: fail-on must be a severity name")
        elif key == "baseline":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{shown}: baseline must be a file name")
        elif key == "rules":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(f"{shown}: rules must map rule IDs to mappings of options")
        else:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{shown}: {key} must be a list of strings")
        out[key] = value
    return out


def rule_options(settings: Settings, lookup: Callable[[str], Rule]) -> dict[str, Any]:
    """``{rule_id: {option: value}}`` from ``rules:`` and ``trusted-owners``, type-checked.

    ``lookup(rule_id)`` returns the rule record or raises KeyError. Errors name the file,
    the rule and the key.
    """
    shown = settings.get("_path", "settings")
    raw = {str(k).upper(): dict(v) for k, v in (settings.get("rules") or {}).items()}
    if "trusted-owners" in settings:
        raw.setdefault("PSK001", {})["trusted-owners"] = settings["trusted-owners"]
    out = {}
    for rule_id, values in raw.items():
        try:
            rule = lookup(rule_id)
        except KeyError:
            raise ConfigError(f"{shown}: rules.{rule_id}: no such rule") from None
        declared = {o.name: o for o in rule.options}
        chosen = rule.option_defaults()
        for key, value in values.items():
            option = declared.get(key)
            if option is None:
                known = ", ".join(declared) or "none"
                raise ConfigError(f"{shown}: rules.{rule_id}: unknown option {key!r}; "
                                  f"{rule_id} takes: {known}")
            try:
                chosen[key] = option.coerce(value)
            except ValueError as exc:
                raise ConfigError(f"{shown}: rules.{rule_id}: {exc}") from None
        out[rule_id] = chosen
    return out
