"""The Claude Code plugin and marketplace manifests are valid and agree with the release.

Formats: https://code.claude.com/docs/en/plugins-reference (plugin.json) and
https://code.claude.com/docs/en/plugin-marketplaces (marketplace.json). One version number
is released: pyproject.toml, plugin.json, the marketplace entry and the newest CHANGELOG.md
entry must all carry it. The plugin's slash commands (Markdown files in commands/, with
frontmatter) load: valid frontmatter, only CLI subcommands that `platform-skills --help`
lists, links that resolve, and one eval scenario each under evals/commands/.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
PLUGIN_JSON = REPO / ".claude-plugin" / "plugin.json"
MARKETPLACE_JSON = REPO / ".claude-plugin" / "marketplace.json"
CHANGELOG = REPO / "CHANGELOG.md"
COMMANDS = REPO / "commands"
sys.path.insert(0, str(REPO / "scripts"))

from evalkit import criteria as eval_criteria  # noqa: E402
from evalkit import measure as eval_measure  # noqa: E402
from evalkit import scenarios as eval_scenarios  # noqa: E402

PLUGIN_NAME = "platform-skills"
KEBAB_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SEMVER_RE = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
# "## [0.1.0] - 2026-11-29" (Keep a Changelog); "## [Unreleased]" is skipped.
RELEASE_RE = re.compile(
    r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?\s*$", re.MULTILINE
)
COMPONENT_FIELDS = (
    "skills",
    "commands",
    "agents",
    "hooks",
    "mcpServers",
    "outputStyles",
    "lspServers",
)


EXPECTED_COMMANDS = {"audit", "check", "pin", "explain", "harden-workflow"}
# Frontmatter fields of a command file (the Claude Code slash-command format).
COMMAND_FIELDS = {"description", "argument-hint", "allowed-tools", "model", "disable-model-invocation"}
# CLI subcommands being added on other branches. A command that needs one is skipped, and
# says why, until `platform-skills --help` lists it; any other unknown subcommand fails.
PENDING_SUBCOMMANDS = {"pin", "rule"}
CLI_CALL_RE = re.compile(r"`platform-skills ([a-z][a-z-]*)")
HELP_SUBCOMMAND_RE = re.compile(r"^ {4}([a-z][a-z-]*)(?:\s|$)", re.MULTILINE)


def load_json(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} must hold a JSON object"
    return data


def pyproject_version() -> str:
    with (REPO / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def latest_changelog_release(text: str) -> tuple[str, str | None]:
    for m in RELEASE_RE.finditer(text):
        if m.group("version").lower() != "unreleased":
            return m.group("version"), m.group("date")
    raise AssertionError("CHANGELOG.md has no released version entry")


@pytest.fixture(scope="module")
def plugin() -> dict:
    return load_json(PLUGIN_JSON)


@pytest.fixture(scope="module")
def marketplace() -> dict:
    return load_json(MARKETPLACE_JSON)


@pytest.fixture(scope="module")
def entry(marketplace: dict) -> dict:
    matches = [p for p in marketplace.get("plugins", []) if p.get("name") == PLUGIN_NAME]
    assert len(matches) == 1, f"marketplace must list {PLUGIN_NAME!r} exactly once"
    return matches[0]


def test_plugin_manifest_fields(plugin: dict):
    assert plugin.get("name") == PLUGIN_NAME
    assert KEBAB_RE.match(plugin["name"])
    assert SEMVER_RE.match(plugin.get("version", "")), "version must be MAJOR.MINOR.PATCH"
    assert isinstance(plugin.get("description"), str) and plugin["description"].strip()
    author = plugin.get("author")
    assert isinstance(author, dict), "author is an object with a name"
    assert isinstance(author.get("name"), str) and author["name"].strip()
    for url_field in ("homepage", "repository"):
        url = str(plugin.get(url_field, ""))
        assert url.startswith("https://"), f"{url_field} must be an https URL"
    assert plugin.get("license") == "Apache-2.0"
    keywords = plugin.get("keywords")
    assert isinstance(keywords, list) and keywords and all(isinstance(k, str) for k in keywords)


def test_plugin_component_paths_stay_inside_the_plugin(plugin: dict):
    """Custom component paths must be relative, start with ./ and never climb out."""
    for field in COMPONENT_FIELDS:
        value = plugin.get(field)
        if value is None or isinstance(value, dict):
            continue
        for path in [value] if isinstance(value, str) else value:
            assert path.startswith("./"), f"{field}: {path!r} must start with ./"
            assert ".." not in Path(path).parts, f"{field}: {path!r} must not contain .."
            assert (REPO / path).exists(), f"{field}: {path!r} does not exist"


def test_skills_are_discoverable(plugin: dict):
    """Claude Code loads skills from the plugin's default skills/ folder."""
    declared = plugin.get("skills")
    if declared is None:
        roots = [REPO / "skills"]
    else:
        roots = [REPO / p for p in ([declared] if isinstance(declared, str) else declared)]
    found = {p.parent.name for root in roots for p in root.glob("*/SKILL.md")} | {
        root.name for root in roots if (root / "SKILL.md").is_file()
    }
    required = {"platform-skills", "supply-chain", "github-actions-hardening", "kyverno-policies"}
    assert required <= found


def test_marketplace_manifest_fields(marketplace: dict, entry: dict):
    assert KEBAB_RE.match(marketplace.get("name", "")), "marketplace name must be kebab-case"
    owner = marketplace.get("owner")
    assert isinstance(owner, dict) and isinstance(owner.get("name"), str) and owner["name"].strip()
    plugins = marketplace.get("plugins")
    assert isinstance(plugins, list) and plugins
    for p in plugins:
        assert isinstance(p.get("name"), str) and p["name"], "every entry needs a name"
        assert p.get("source"), f"entry {p.get('name')!r} needs a source"
    assert isinstance(entry.get("description"), str) and entry["description"].strip()


def test_marketplace_source_is_this_plugin(entry: dict):
    source = entry["source"]
    assert isinstance(source, str), "the plugin lives here: use a relative path source"
    assert source.startswith("./") and ".." not in Path(source).parts
    root = (REPO / source).resolve()
    assert (root / ".claude-plugin" / "plugin.json").is_file(), f"{source!r} holds no plugin.json"
    assert (root / ".claude-plugin" / "plugin.json").resolve() == PLUGIN_JSON.resolve()


def test_marketplace_entry_agrees_with_plugin(plugin: dict, entry: dict):
    assert entry["name"] == plugin["name"]
    assert entry.get("version") == plugin["version"]
    for field in ("license", "repository", "homepage"):
        if field in entry:
            assert entry[field] == plugin.get(field), f"marketplace {field} != plugin.json"


def test_one_version_everywhere(plugin: dict):
    version, date = latest_changelog_release(CHANGELOG.read_text(encoding="utf-8"))
    assert date, "the newest CHANGELOG entry needs a release date"
    assert plugin["version"] == pyproject_version() == version, (
        f"plugin.json {plugin['version']}, pyproject {pyproject_version()}, CHANGELOG {version}"
    )


def test_license_matches_pyproject(plugin: dict):
    with (REPO / "pyproject.toml").open("rb") as fh:
        project = tomllib.load(fh)["project"]
    declared = project.get("license")
    declared = declared.get("text") if isinstance(declared, dict) else declared
    assert plugin["license"] == declared


# --------------------------------------------------------------------------- commands


def command_files() -> list[Path]:
    return sorted(COMMANDS.glob("*.md"))


def load_command(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.DOTALL)
    assert match, f"{path.name}: must open with frontmatter between '---' lines"
    meta = yaml.safe_load(match.group(1))
    assert isinstance(meta, dict), f"{path.name}: frontmatter must be a mapping"
    return meta, match.group(2)


@pytest.fixture(scope="module")
def cli_subcommands() -> set[str]:
    exe = Path(sys.executable).with_name("platform-skills")
    proc = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    names = set(HELP_SUBCOMMAND_RE.findall(proc.stdout.split("positional arguments:", 1)[-1]))
    assert {"check", "audit", "rules"} <= names, proc.stdout
    return names


def test_the_commands_exist():
    assert {p.stem for p in command_files()} == EXPECTED_COMMANDS
    assert not [p for p in COMMANDS.rglob("*") if p.is_dir()], (
        "commands/ must hold no folders: Claude Code loads Markdown in them as commands too")


@pytest.mark.parametrize("path", command_files(), ids=lambda p: p.stem)
def test_command_loads(path: Path, cli_subcommands: set[str]):
    meta, body = load_command(path)
    assert set(meta) <= COMMAND_FIELDS, f"unknown frontmatter fields: {set(meta) - COMMAND_FIELDS}"
    assert isinstance(meta.get("description"), str) and meta["description"].strip()
    hint = meta.get("argument-hint")
    if hint is not None:
        assert isinstance(hint, str) and hint.strip()
    assert ("$ARGUMENTS" in body) == (hint is not None), "argument-hint and $ARGUMENTS go together"
    assert "platform-skills" in body, "a command is a thin prompt over the CLI"
    from test_skills import _unresolved_links
    problems = _unresolved_links(path)
    assert not problems, problems
    used = set(CLI_CALL_RE.findall(body))
    missing = used - cli_subcommands
    assert not missing - PENDING_SUBCOMMANDS, f"no such subcommand: {sorted(missing)}"
    if missing:
        pytest.skip(f"needs `platform-skills {' '.join(sorted(missing))}`, not in this build yet")


COMMAND_SCENARIOS = [s for s in eval_scenarios.discover(REPO) if s.kind == "command"]


def test_every_command_has_one_eval_scenario():
    assert {s.name for s in COMMAND_SCENARIOS} == {p.stem for p in command_files()}


@pytest.mark.parametrize("scenario", COMMAND_SCENARIOS, ids=[s.name for s in COMMAND_SCENARIOS])
def test_command_scenario_is_complete(scenario):
    assert not scenario.missing_parts(), scenario.missing_parts()
    eval_criteria.load(scenario.part("criteria.yaml"), eval_measure.known_rules(),
                       eval_measure.audit_rule_ids())


def test_help_parser_reads_subcommands():
    text = "positional arguments:\n  COMMAND\n    check      check files\n    checkov-dir\n"
    assert set(HELP_SUBCOMMAND_RE.findall(text)) == {"check", "checkov-dir"}
    assert CLI_CALL_RE.findall("run `platform-skills pin --diff` and `platform-skills: ignore`") == ["pin"]


def test_changelog_parser_can_fail():
    text = "# Changelog\n\n## [Unreleased]\n\n## [1.2.3] - 2027-01-02\n\n## [1.2.2] - 2026-12-01\n"
    assert latest_changelog_release(text) == ("1.2.3", "2027-01-02")
    with pytest.raises(AssertionError):
        latest_changelog_release("# Changelog\n\n## [Unreleased]\n")
    assert not SEMVER_RE.match("1.0")
    assert not KEBAB_RE.match("Platform Skills")
