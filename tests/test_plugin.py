"""The Claude Code plugin and marketplace manifests are valid and agree with the release.

Formats: https://code.claude.com/docs/en/plugins-reference (plugin.json) and
https://code.claude.com/docs/en/plugin-marketplaces (marketplace.json). One version number
is released: pyproject.toml, plugin.json, the marketplace entry and the newest CHANGELOG.md
entry must all carry it.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PLUGIN_JSON = REPO / ".claude-plugin" / "plugin.json"
MARKETPLACE_JSON = REPO / ".claude-plugin" / "marketplace.json"
CHANGELOG = REPO / "CHANGELOG.md"

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


def test_changelog_parser_can_fail():
    text = "# Changelog\n\n## [Unreleased]\n\n## [1.2.3] - 2027-01-02\n\n## [1.2.2] - 2026-12-01\n"
    assert latest_changelog_release(text) == ("1.2.3", "2027-01-02")
    with pytest.raises(AssertionError):
        latest_changelog_release("# Changelog\n\n## [Unreleased]\n")
    assert not SEMVER_RE.match("1.0")
    assert not KEBAB_RE.match("Platform Skills")
