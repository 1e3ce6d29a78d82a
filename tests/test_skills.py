"""Every agent skill under skills/ follows the Agent Skills format and the project's budgets.

Format rules: https://agentskills.io/specification (frontmatter fields, name and
description limits, body length). Project rules: word budgets, required skills, every
relative link resolves to a file of this repository and, with an #anchor, to a heading of
that file, each domain skill teaches the same measure-fix-verify loop, and each skill has
at least three eval scenarios in evals/ (docs/evals.md) whose criteria name real rules.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SKILLS = REPO / "skills"
sys.path.insert(0, str(REPO / "scripts"))

from evalkit import criteria as eval_criteria  # noqa: E402
from evalkit import measure as eval_measure  # noqa: E402
from evalkit import scenarios as eval_scenarios  # noqa: E402

REQUIRED_SKILLS = {
    "platform-skills",
    "supply-chain",
    "github-actions-hardening",
    "kyverno-policies",
    "containers-and-kubernetes",
    "gitops-and-cloud",
}
ROUTER = "platform-skills"
DOMAIN_SKILLS = sorted(REQUIRED_SKILLS - {ROUTER})

# The fields the Agent Skills specification defines; anything else is non-portable.
ALLOWED_FIELDS = {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # no leading, trailing or double hyphens
MAX_NAME = 64
MAX_DESCRIPTION = 1024
MAX_COMPATIBILITY = 500
MAX_BODY_LINES = 500
ROUTER_MAX_WORDS = 400
DOMAIN_MAX_WORDS = 1500


# --------------------------------------------------------------------------- helpers


def split_frontmatter(text: str) -> tuple[str, str]:
    """Return (frontmatter, body). The file must open with a `---` line and close it."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise ValueError("SKILL.md must start with a '---' frontmatter line")
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :])
    raise ValueError("frontmatter is not closed by a '---' line")


def load_skill(path: Path) -> tuple[dict, str]:
    front, body = split_frontmatter(path.read_text(encoding="utf-8"))
    meta = yaml.safe_load(front)
    if not isinstance(meta, dict):
        raise TypeError("frontmatter must be a YAML mapping")
    return meta, body


def word_count(text: str) -> int:
    return len(text.split())


FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def strip_code(markdown: str) -> str:
    """Drop fenced code blocks and inline code spans: links inside them are not links."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines():
        m = FENCE_RE.match(line)
        if fence is None and m:
            fence = m.group(1)[0] * len(m.group(1))
            out.append("")
            continue
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            out.append("")
            continue
        out.append(re.sub(r"(`+)(?:(?!\1).)+?\1", "", line))
    return "\n".join(out)


# Inline links and images: [text](target "title") / ![alt](target); reference definitions.
INLINE_LINK_RE = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
)
REF_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)


def markdown_links(markdown: str) -> list[str]:
    text = strip_code(markdown)
    return INLINE_LINK_RE.findall(text) + REF_DEF_RE.findall(text)


def is_external(target: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target)) or target.startswith("//")


def github_slug(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def mkdocs_slug(heading: str) -> str:
    """Python-Markdown's default toc slugify (what MkDocs uses unless configured)."""
    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
ATTR_ID_RE = re.compile(r"\s*\{[^}]*#([\w-]+)[^}]*\}\s*$")
HTML_ID_RE = re.compile(r"<a\s[^>]*(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)


def heading_text(raw: str) -> str:
    """Rendered text of a heading: inline code and emphasis markers gone, links reduced."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", raw)
    text = re.sub(r"<[^>]+>", "", text)
    return text.replace("`", "").replace("*", "")


def anchors_of(path: Path) -> set[str]:
    """Every anchor a link into `path` may use, as GitHub and MkDocs render it."""
    text = path.read_text(encoding="utf-8")
    anchors: set[str] = set(HTML_ID_RE.findall(text))
    seen: dict[str, int] = {}
    fence: str | None = None
    for line in text.splitlines():
        m = FENCE_RE.match(line)
        if fence is None and m:
            fence = m.group(1)[0] * len(m.group(1))
            continue
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        h = HEADING_RE.match(line)
        if not h:
            continue
        raw = h.group(2)
        explicit = ATTR_ID_RE.search(raw)
        if explicit:
            anchors.add(explicit.group(1))
            raw = raw[: explicit.start()]
        base = github_slug(heading_text(raw))
        count = seen.get(base, 0)
        seen[base] = count + 1
        anchors.add(base if count == 0 else f"{base}-{count}")
        anchors.add(mkdocs_slug(heading_text(raw)))
    return anchors


def generated_rule_anchors(path: Path) -> set[str]:
    """The rule catalog page is rendered from the rule registry, one section per rule.

    Its headings may not exist in the Markdown source (a macro writes them at build time),
    so its anchors also come from the registry: `#psk101` for PSK101.
    """
    if path.resolve() != (REPO / "docs" / "rules.md").resolve():
        return set()
    try:
        from platform_skills import registry
    except ImportError:
        return set()
    ids: set[str] = set()
    for name in ("all_rules", "rules", "RULES", "REGISTRY"):
        obj = getattr(registry, name, None)
        if obj is None:
            continue
        items = obj() if callable(obj) else obj
        items = items.values() if isinstance(items, dict) else items
        for rule in items:
            rid = getattr(rule, "id", None) or getattr(rule, "rule_id", None)
            if isinstance(rule, dict):
                rid = rule.get("id")
            if isinstance(rid, str):
                ids.add(rid.lower())
        if ids:
            break
    return ids


def skill_files() -> list[Path]:
    return sorted(SKILLS.glob("*/SKILL.md"))


def skill_ids() -> list[str]:
    return [p.parent.name for p in skill_files()]


# --------------------------------------------------------------------------- tests


def test_required_skills_exist():
    present = {p.parent.name for p in skill_files()}
    missing = REQUIRED_SKILLS - present
    assert not missing, f"missing skills: {sorted(missing)}"


def test_every_skill_folder_has_a_skill_md():
    folders = [p for p in SKILLS.iterdir() if p.is_dir() and not p.name.startswith(".")]
    without = [p.name for p in folders if not (p / "SKILL.md").is_file()]
    assert not without, f"skill folders without SKILL.md: {without}"


@pytest.mark.parametrize("skill", skill_files(), ids=skill_ids())
def test_frontmatter_follows_the_spec(skill: Path):
    meta, _ = load_skill(skill)

    extra = set(meta) - ALLOWED_FIELDS
    assert not extra, f"fields outside the Agent Skills spec: {sorted(extra)}"

    name = meta.get("name")
    assert isinstance(name, str), "name is required and must be a string"
    assert len(name) <= MAX_NAME, f"name longer than {MAX_NAME} characters"
    assert NAME_RE.match(name), f"name {name!r}: lowercase letters, digits, single hyphens only"
    assert name == skill.parent.name, f"name {name!r} must equal its folder {skill.parent.name!r}"

    description = meta.get("description")
    assert isinstance(description, str) and description.strip(), "description is required"
    assert len(description) <= MAX_DESCRIPTION, (
        f"description is {len(description)} characters (max {MAX_DESCRIPTION})"
    )
    # The spec asks for what the skill does AND when to use it; we phrase the latter "Use when".
    assert re.search(r"\bUse when\b", description), "description must say when to use the skill"

    if "license" in meta:
        assert isinstance(meta["license"], str) and meta["license"].strip()
    if "compatibility" in meta:
        compat = meta["compatibility"]
        assert isinstance(compat, str) and 0 < len(compat) <= MAX_COMPATIBILITY
    if "metadata" in meta:
        md = meta["metadata"]
        assert isinstance(md, dict), "metadata must be a mapping"
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in md.items()), (
            "metadata maps strings to strings"
        )
    if "allowed-tools" in meta:
        tools = meta["allowed-tools"]
        assert isinstance(tools, str) or (
            isinstance(tools, list) and all(isinstance(t, str) for t in tools)
        ), "allowed-tools is a space-separated string or a list of strings"


@pytest.mark.parametrize("skill", skill_files(), ids=skill_ids())
def test_body_is_short(skill: Path):
    _, body = load_skill(skill)
    assert body.strip(), "SKILL.md has no instructions after the frontmatter"
    lines = body.count("\n") + 1
    assert lines < MAX_BODY_LINES, f"body has {lines} lines (keep it under {MAX_BODY_LINES})"


def test_word_budgets():
    over = []
    for skill in skill_files():
        words = word_count(skill.read_text(encoding="utf-8"))
        limit = ROUTER_MAX_WORDS if skill.parent.name == ROUTER else DOMAIN_MAX_WORDS
        if words >= limit:
            over.append(f"{skill.parent.name}: {words} words (limit {limit})")
    assert not over, "; ".join(over)


def _unresolved_links(skill: Path) -> list[str]:
    problems = []
    for target in markdown_links(skill.read_text(encoding="utf-8")):
        if is_external(target):
            continue
        path_part, _, anchor = target.partition("#")
        dest = (skill.parent / path_part).resolve() if path_part else skill.resolve()
        try:
            dest.relative_to(REPO)
        except ValueError:
            problems.append(f"{target}: points outside the repository")
            continue
        if not dest.exists():
            problems.append(f"{target}: no such file")
            continue
        if anchor:
            if dest.suffix.lower() != ".md":
                problems.append(f"{target}: anchor into a non-Markdown file")
            elif anchor not in anchors_of(dest) | generated_rule_anchors(dest):
                problems.append(f"{target}: no heading with anchor #{anchor}")
    return problems


@pytest.mark.parametrize("skill", skill_files(), ids=skill_ids())
def test_relative_links_resolve(skill: Path):
    problems = _unresolved_links(skill)
    assert not problems, "unresolved links:\n" + "\n".join(problems)


@pytest.mark.parametrize("skill", skill_files(), ids=skill_ids())
def test_no_machine_paths(skill: Path):
    text = skill.read_text(encoding="utf-8")
    found = re.findall(r"(?<![\w.~])/(?:work|root|tmp|home)/\S*", text)
    assert not found, f"machine-specific paths: {found}"


@pytest.mark.parametrize("name", DOMAIN_SKILLS)
def test_domain_skill_teaches_the_loop(name: str):
    """Each domain skill makes the agent measure, read findings, fix in order and own the change."""
    text = (SKILLS / name / "SKILL.md").read_text(encoding="utf-8")
    required = {
        "repository audit": "platform-skills audit .",
        "JSON check": "platform-skills check --format json",
        "rule listing": "platform-skills rules --format json",
        "suppression syntax": "# platform-skills: ignore[PSK",
        "blast radius": "Blast radius",
        "validation": "Validation",
        "rollback": "Rollback",
    }
    missing = [what for what, needle in required.items() if needle not in text]
    for field in ("rule", "name", "severity", "path", "line", "message", "help"):
        if f"`{field}`" not in text:
            missing.append(f"finding field `{field}`")
    for code in ("`0`", "`1`", "`2`"):
        if code not in text:
            missing.append(f"exit status {code}")
    if "--select" not in text:
        missing.append("--select")
    assert not missing, f"{name} does not cover: {missing}"


def test_fix_order_is_stated():
    order = ["sign", "scan gate", "SBOM", "admission enforcement", "SLSA"]
    router = (SKILLS / ROUTER / "SKILL.md").read_text(encoding="utf-8")
    line = next((ln for ln in router.splitlines() if "Fix in this order" in ln), "")
    positions = [line.find(step) for step in order]
    assert all(p >= 0 for p in positions), f"router fix-order line misses a step: {line!r}"
    assert positions == sorted(positions), f"router fix order is not {order}: {line!r}"


def test_skills_name_only_known_rules():
    """A rule ID in a skill must exist in the registry (IDs are a public contract)."""
    registry = pytest.importorskip("platform_skills.registry")
    known = generated_rule_anchors(REPO / "docs" / "rules.md")
    if not known:
        pytest.skip(f"could not read rule IDs from {registry.__name__}")
    unknown = {}
    for skill in skill_files():
        text = skill.read_text(encoding="utf-8")
        for a, b in re.findall(r"PSK(\d{3})(?:-PSK(\d{3}))?", text):
            for rid in filter(None, (a, b)):
                if f"psk{rid}" not in known:
                    unknown.setdefault(skill.parent.name, set()).add(f"PSK{rid}")
    assert not unknown, f"unknown rule IDs: {unknown}"


# --------------------------------------------------------------------------- evals

MIN_SCENARIOS = 3
SKILL_SCENARIOS = [s for s in eval_scenarios.discover(REPO) if s.kind == "skill"]


@pytest.mark.parametrize("name", skill_ids())
def test_skill_has_eval_scenarios(name: str):
    count = sum(1 for s in SKILL_SCENARIOS if s.suite == name)
    assert count >= MIN_SCENARIOS, (
        f"skills/{name}/evals/ holds {count} scenarios; every skill needs {MIN_SCENARIOS} "
        "(how to add one: docs/evals.md)")


@pytest.mark.parametrize("scenario", SKILL_SCENARIOS, ids=[s.id for s in SKILL_SCENARIOS])
def test_eval_scenario_is_complete(scenario):
    """task.md, repo/, criteria.yaml and solution.patch; criteria naming only real rules."""
    assert not scenario.missing_parts(), f"{scenario.id}: missing {scenario.missing_parts()}"
    known = eval_measure.known_rules()
    crit = eval_criteria.load(scenario.part("criteria.yaml"), known, eval_measure.audit_rule_ids())
    named = {t.rule for t in crit.gone + crit.absent} | set(crit.audit_ok)
    assert named <= known
    assert scenario.part("task.md").read_text(encoding="utf-8").strip(), "task.md is empty"


def test_eval_validator_rejects_unknown_rules(tmp_path: Path):
    (tmp_path / "wrong.patch").write_text("")
    path = tmp_path / "criteria.yaml"
    path.write_text("gone:\n  - {rule: PSK998, path: a.yml}\nwrong: {patch: wrong.patch, why: x}\n")
    with pytest.raises(eval_criteria.CriteriaError, match="gone: PSK998 is not a rule"):
        eval_criteria.load(path, {"PSK001"}, set())


# --------------------------------------------------------------------------- self-tests
# The helpers above decide pass or fail; prove they can fail.


def test_helpers_reject_bad_input(tmp_path: Path):
    with pytest.raises(ValueError):
        split_frontmatter("name: x\n")
    with pytest.raises(ValueError):
        split_frontmatter("---\nname: x\n")
    assert not NAME_RE.match("Bad-Name")
    assert not NAME_RE.match("-lead")
    assert not NAME_RE.match("trail-")
    assert not NAME_RE.match("double--hyphen")
    assert NAME_RE.match("supply-chain")

    assert github_slug("Audit before Deny") == "audit-before-deny"
    assert github_slug("OIDC instead of stored cloud keys") == "oidc-instead-of-stored-cloud-keys"
    assert github_slug("SBOM generation and attestation") == "sbom-generation-and-attestation"
    assert mkdocs_slug("Pin actions to commit SHAs") == "pin-actions-to-commit-shas"

    target = tmp_path / "ref.md"
    target.write_text(
        "# Title\n\n## Keyless signing\n\n```\n## Not a heading\n```\n\n## Keyless signing\n"
    )
    anchors = anchors_of(target)
    assert {"title", "keyless-signing", "keyless-signing-1"} <= anchors
    assert "not-a-heading" not in anchors

    text = (
        "See [a](x.md#y), `[b](ignored.md)`, ![c](img.png) and [d](https://example.org).\n"
        "```\n[e](no.md)\n```\n"
    )
    assert markdown_links(text) == ["x.md#y", "img.png", "https://example.org"]
    assert is_external("https://example.org") and not is_external("../x.md")


def test_link_checker_reports_broken_links(tmp_path: Path, monkeypatch):
    skill_dir = tmp_path / "skills" / "demo"
    skill_dir.mkdir(parents=True)
    (tmp_path / "ref.md").write_text("## Real heading\n")
    skill = skill_dir / "SKILL.md"
    skill.write_text(
        "---\nname: demo\ndescription: d. Use when testing.\n---\n"
        "[ok](../../ref.md#real-heading) [gone](../../missing.md) "
        "[bad](../../ref.md#no-such-heading) [out](../../../outside.md)\n"
    )
    monkeypatch.setitem(globals(), "REPO", tmp_path)
    problems = _unresolved_links(skill)
    assert len(problems) == 3, problems
    assert any("missing.md" in p for p in problems)
    assert any("#no-such-heading" in p for p in problems)
    assert any("outside the repository" in p for p in problems)
