"""The handbook site: strict build, rule pages and anchors, verbatim GitHub expressions, links,
and nothing that makes a browser fetch from another host."""

from __future__ import annotations

import html
import importlib.util
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from platform_skills.model import HANDBOOK_URL
from platform_skills.registry import all_rules

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
REFERENCES = ROOT / "references"
RULE_ID = re.compile(r"\bPSK\d{3}\b")
GH_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\n`]*)$")
BAD_MARKER = re.compile(r"<!--\s*platform-skills:\s*bad\s+((?:PSK\d{3}\s*)+)-->")
SHA_PIN = re.compile(r"@[0-9a-f]{40} # v\d+(?:\.\d+)*\s*$")


def reference_files():
    return sorted(REFERENCES.glob("*.md"))


def reference_url(path: Path) -> str:
    return f"references/{path.stem}/"


def load_hooks():
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", ROOT / "scripts" / "mkdocs_hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def site_config():
    class _Loader(yaml.SafeLoader):
        pass
    # mkdocs.yml may carry !!python/name tags; ignore them, only plain keys are read here.
    _Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)


def yaml_blocks(path: Path):
    """``(line, text, bad_rule_ids)`` for every fenced yaml block in a Markdown file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, indent = match.group("fence"), match.group("indent")
        info = match.group("info").strip().split()
        start = index
        body = []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith(fence):
            body.append(lines[index][len(indent):] if lines[index].startswith(indent) else lines[index])
            index += 1
        index += 1
        if info and info[0] in ("yaml", "yml"):
            previous = lines[start - 1].strip() if start else ""
            marker = BAD_MARKER.search(previous)
            yield start + 1, "\n".join(body) + "\n", set(marker.group(1).split()) if marker else set()


# --- the build ------------------------------------------------------------------------


def test_site_builds_strictly(site_build):
    proc, out = site_build
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    assert (out / "index.html").is_file()
    assert "WARNING" not in proc.stderr


def test_site_url_matches_the_rule_help_links():
    site_url = site_config()["site_url"]
    assert site_url == HANDBOOK_URL
    for rule in all_rules():
        assert rule.help_url == f"{site_url}rules/{rule.id.lower()}/"


def test_references_are_published_but_not_copied_into_docs(built_site):
    assert not (DOCS / "references").exists(), "references/ must not be duplicated under docs/"
    assert not (DOCS / "changelog.md").exists() or not (ROOT / "CHANGELOG.md").exists()
    for path in reference_files():
        assert built_site.page(reference_url(path)).is_file(), path.name


def test_changelog_page_is_the_root_changelog(built_site):
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    text = built_site.text("changelog/")
    versions = re.findall(r"^## \[([^\]]+)\]", changelog, flags=re.M)
    assert versions, "CHANGELOG.md has no '## [version]' headings"
    for version in versions:
        assert version in text


def test_every_handbook_page_is_in_the_navigation(built_site):
    home = built_site.html("")
    for path in reference_files():
        assert f'href="{reference_url(path)}"' in home, f"{path.name} missing from the nav"
    for page in ("getting-started/", "rules/", "audit/", "integrations/", "agents/",
                 "performance/", "changelog/"):
        assert f'href="{page}"' in home, page


# --- rules and the catalog ------------------------------------------------------------


def test_rule_ids_in_references_exist():
    known = {rule.id for rule in all_rules()}
    unknown = {}
    for path in reference_files():
        for rule_id in RULE_ID.findall(path.read_text(encoding="utf-8")):
            if rule_id not in known:
                unknown.setdefault(path.name, set()).add(rule_id)
    assert not unknown, f"rule IDs not in the registry: {unknown}"


def test_every_help_url_is_a_published_rule_page(built_site):
    missing = []
    for rule in all_rules():
        url = rule.help_url[len(HANDBOOK_URL):]
        if not built_site.page(url).is_file():
            missing.append(f"{rule.id}: {url}")
    assert not missing, f"help links without a page: {missing}"


def test_rule_pages_are_generated_not_committed():
    assert not (DOCS / "rules").exists(), "rule pages are generated at build time"


def test_catalog_index_keeps_the_old_anchors_and_links_each_rule_page(built_site):
    page = built_site.html("rules/")
    ids = built_site.ids("rules/")
    for rule in all_rules():
        assert rule.anchor in ids, f"old anchor rules/#{rule.anchor} is gone"
        row = re.search(rf'<tr>\s*<td><a href="{rule.anchor}/" id="{rule.anchor}">{rule.id}</a></td>'
                        rf"(.*?)</tr>", page, flags=re.S)
        assert row, f"{rule.id}: no index row linking rules/{rule.anchor}/"
        cells = html.unescape(re.sub(r"<[^>]+>", "", row.group(1)))
        assert rule.name in cells and rule.severity in cells, rule.id
        assert f'data-domain="{rule.domain}"' in row.group(1)
        assert f'data-severity="{rule.severity}"' in row.group(1)


def test_catalog_filter_offers_every_domain_and_severity_in_use(built_site):
    page = built_site.html("rules/")
    panel = re.search(r"<div[^>]*data-psk-filter[^>]*>(.*?)</div>", page, flags=re.S)
    assert panel, "no filter controls on the catalog"
    values = set(re.findall(r'<option value="([^"]*)"', panel.group(1)))
    assert {r.domain for r in all_rules()} <= values
    assert {r.severity for r in all_rules()} <= values
    assert 'src="../assets/rule-filter.js"' in page


def rule_page_facts(built_site, rule) -> dict[str, str]:
    page = built_site.html(f"rules/{rule.anchor}/")
    meta = re.search(r'<dl class="psk-meta">(.*?)</dl>', page, flags=re.S)
    assert meta, f"{rule.id}: no metadata list"
    return {html.unescape(re.sub(r"<[^>]+>", "", k)): v
            for k, v in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", meta.group(1), flags=re.S)}


def test_every_rule_page_has_its_metadata_and_sections(built_site):
    for rule in all_rules():
        facts = rule_page_facts(built_site, rule)
        text = built_site.text(f"rules/{rule.anchor}/")
        assert f"{rule.id} {rule.name}" in text, rule.id
        assert f'data-severity="{rule.severity}"' in facts["Severity"], rule.id
        assert {"Domain", "File kinds", "Checkov ID", "Since", "Status", "Source"} <= set(facts), rule.id
        assert re.sub(r"<[^>]+>", "", facts["Since"]) == getattr(rule, "since", "0.1.0"), rule.id
        assert getattr(rule, "status", "stable") in facts["Status"]
        if rule.scope == "file":
            assert rule.checkov_id in facts["Checkov ID"], rule.id
            assert f"ignore[{rule.id}]" in text, rule.id
        source = Path(inspect.getsourcefile(rule.check)).resolve().relative_to(ROOT).as_posix()
        assert re.search(rf'href="{re.escape(site_config()["repo_url"])}/blob/main/{re.escape(source)}'
                         rf'#L\d+"', facts["Source"]), f"{rule.id}: {facts['Source']}"
        for heading in ("Why", "How to fix", "Known limits", "Suppressing it", "See also"):
            assert f">{heading}<" in built_site.html(f"rules/{rule.anchor}/"), (rule.id, heading)
        if not getattr(rule, "limits", ""):
            assert "None known." in text, rule.id


def flagged_by_cli(tmp_path) -> dict[str, set[int]]:
    """``{rule id: lines}`` the CLI reports for each rule on its own bad example."""
    for rule in all_rules():
        if rule.bad and rule.scope != "online":
            folder = tmp_path / rule.anchor
            folder.mkdir()
            name = getattr(rule, "example_name", None) or f"{rule.anchor}-bad.yml"
            for extra, text in {**rule.example_files, name: rule.bad}.items():
                (folder / extra).write_text(text, encoding="utf-8")
    exe = Path(sys.executable).with_name("platform-skills")
    proc = subprocess.run([str(exe), "check", "--no-config", "--format", "json", "."],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    found: dict[str, set[int]] = {}
    for finding in json.loads(proc.stdout)["findings"]:
        if Path(finding["path"]).parts[0] == finding["rule"].lower():
            found.setdefault(finding["rule"], set()).add(finding["line"])
    return found


def highlighted_lines(block: str) -> set[int]:
    """Line numbers of a rendered code block whose line span holds a highlighted line."""
    return {int(n) for n in re.findall(r'<span id="__span-\d+-(\d+)">(?:<a [^>]*></a>)?<span class="hll">',
                                         block)}


def test_rule_pages_highlight_the_lines_the_cli_flags(built_site, tmp_path):
    flagged = flagged_by_cli(tmp_path)
    for rule in all_rules():
        if not rule.bad or rule.scope != "file":
            continue
        page = built_site.html(f"rules/{rule.anchor}/")
        name = getattr(rule, "example_name", None) or f"{rule.anchor}-bad.yml"
        block = re.search(rf'<span class="filename">{re.escape(name)}</span>(.*?)</pre>', page, flags=re.S)
        assert block, f"{rule.id}: no bad example titled {name}"
        assert flagged.get(rule.id), f"{rule.id}: the CLI flags nothing in the bad example"
        assert highlighted_lines(block.group(1)) == flagged[rule.id], rule.id


def test_rule_pages_show_the_real_cli_output(built_site):
    for rule in all_rules():
        if not rule.bad or rule.scope != "file":
            continue
        text = built_site.text(f"rules/{rule.anchor}/")
        name = getattr(rule, "example_name", None) or f"{rule.anchor}-bad.yml"
        assert f"$ platform-skills check {name}" in text, rule.id
        assert re.search(rf"{re.escape(name)}:\d+: {rule.id} {re.escape(rule.name)} \[{rule.severity}\]",
                         text), rule.id
        assert f"see: {rule.help_url}" in text, rule.id
        assert re.search(r"\[exit status 1\]", text), rule.id


def test_fixable_rule_pages_show_the_diff_their_fix_makes(built_site):
    from platform_skills.report.rule_doc import fix_diff

    for rule in all_rules():
        text = built_site.text(f"rules/{rule.anchor}/")
        if not rule.fixable:
            assert "Safe fix" not in text, rule.id
            continue
        assert "safe-fix" in built_site.ids(f"rules/{rule.anchor}/"), rule.id
        added = [line[1:] for line in fix_diff(rule).splitlines()
                 if line.startswith("+") and not line.startswith("+++")]
        assert added and all(line in text for line in added), rule.id


def test_audit_page_lists_the_gap_rows_in_fix_order(built_site):
    from platform_skills.audit import FIX_ORDER, GAP_ROWS
    text = built_site.text("audit/")
    positions = [text.find(row.title) for row in GAP_ROWS]
    assert -1 not in positions, [row.title for row in GAP_ROWS if row.title not in text]
    assert positions == sorted(positions)
    for title in FIX_ORDER:
        assert title in text


def test_rule_pages_are_in_the_rules_tab(built_site):
    page = built_site.html("rules/")
    for rule in all_rules():
        assert f'href="{rule.anchor}/"' in page, rule.id
    home = built_site.html("")
    assert all(f'href="rules/{rule.anchor}/"' in home for rule in all_rules())


# --- macros only where a page opts in -------------------------------------------------


def test_macros_render_only_in_pages_that_opt_in(built_site):
    for path in DOCS.glob("*.md"):
        source = path.read_text(encoding="utf-8")
        uses_jinja = re.search(r"(?<!\$)\{\{|\{%", source)
        opted_in = re.match(r"---\n(?:.*\n)*?render_macros:\s*true\n(?:.*\n)*?---\n", source)
        if uses_jinja:
            assert opted_in, f"{path.name} uses macros but lacks 'render_macros: true'"
            url = "" if path.stem == "index" else f"{path.stem}/"
            leftover = re.findall(r"(?<!\$)\{\{[^}]*\}\}|\{%[^%]*%\}", built_site.text(url))
            # GitHub expressions (${{ }}) come from rendered examples and rule docs;
            # anything else is a leftover.
            leftover = [x for x in leftover if not x.startswith("${{")
                        and "github." not in x and "steps." not in x and "secrets." not in x]
            assert not leftover, f"{path.name}: unrendered template text {leftover}"


def test_github_expressions_in_references_appear_verbatim(built_site):
    checked = 0
    for path in reference_files():
        expressions = set(GH_EXPRESSION.findall(path.read_text(encoding="utf-8")))
        text = built_site.text(reference_url(path))
        missing = [e for e in sorted(expressions) if e not in text]
        assert not missing, f"{path.name}: not verbatim on the site: {missing}"
        checked += len(expressions)
    if reference_files():
        assert checked, "expected GitHub expressions in the references"


# --- links ------------------------------------------------------------------------------


def test_internal_links_and_anchors_resolve(built_site):
    href = re.compile(r"""<a\s[^>]*?href="([^"]+)\"""")
    element_id = re.compile(r"""\bid="([^"]+)\"""")
    ids_cache = {}

    def ids_of(page):
        if page not in ids_cache:
            ids_cache[page] = set(element_id.findall(page.read_text(encoding="utf-8")))
        return ids_cache[page]

    problems = []
    for page in sorted(built_site.path.rglob("*.html")):
        if page.name == "404.html":
            continue  # its links are absolute to the deployed site_url
        shown = page.relative_to(built_site.path).as_posix()
        for target in href.findall(page.read_text(encoding="utf-8")):
            target = html.unescape(target)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                continue
            resolved = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.exists():
                problems.append(f"{shown} -> {target}")
            elif parts.fragment and resolved.suffix == ".html" \
                    and unquote(parts.fragment) not in ids_of(resolved):
                problems.append(f"{shown} -> {target} (no such anchor)")
    assert not problems, "broken internal links:\n" + "\n".join(sorted(set(problems)))


HOOK_CASES = [
    # (repository source, site source, link, expected)
    ("references/supply-chain.md", "references/supply-chain.md",
     "../docs/rules.md#psk101", "../rules/psk101.md"),
    ("references/supply-chain.md", "references/supply-chain.md",
     "../docs/rules.md#configuration", "../rules.md#configuration"),
    ("references/supply-chain.md", "references/supply-chain.md",
     "../docs/rules.md#psk999", "../rules.md#psk999"),
    ("references/supply-chain.md", "references/supply-chain.md",
     "supply-chain.md#cve-gates", "supply-chain.md#cve-gates"),
    ("references/kyverno.md", "references/kyverno.md",
     "github-actions.md#least-privilege-permissions", "github-actions.md#least-privilege-permissions"),
    ("references/kyverno.md", "references/kyverno.md", "#audit-before-deny", "#audit-before-deny"),
    ("references/kyverno.md", "references/kyverno.md",
     "../examples/policy.yaml", "https://github.com/o/r/blob/main/examples/policy.yaml"),
    ("references/kyverno.md", "references/kyverno.md",
     "../examples/supply-chain/", "https://github.com/o/r/tree/main/examples/supply-chain/"),
    ("references/kyverno.md", "references/kyverno.md",
     "https://kyverno.io/docs/", "https://kyverno.io/docs/"),
    ("references/kyverno.md", "references/kyverno.md", "../CHANGELOG.md", "../changelog.md"),
    ("CHANGELOG.md", "changelog.md", "docs/rules.md#psk001", "rules/psk001.md"),
    ("CHANGELOG.md", "changelog.md", "references/kyverno.md", "references/kyverno.md"),
    ("CHANGELOG.md", "changelog.md", "README.md", "https://github.com/o/r/blob/main/README.md"),
]


@pytest.mark.parametrize("repo_src, site_src, link, expected", HOOK_CASES)
def test_hook_rewrites_github_links_for_the_site(repo_src, site_src, link, expected):
    hooks = load_hooks()
    base = "https://github.com/o/r/blob/main/"
    assert hooks.rewrite_target(link, repo_src, site_src, base) == expected


def test_hook_leaves_code_alone():
    hooks = load_hooks()
    source = "\n".join([
        "See [the rule](../docs/rules.md#psk101) and `[x](../docs/rules.md)`.",
        "```markdown",
        "[kept](../docs/rules.md)",
        "```",
        "[ref]: ../docs/audit.md#fix-order",
    ])
    out = hooks.rewrite_links(source, "references/a.md", "references/a.md", None)
    assert "[the rule](../rules/psk101.md)" in out
    assert "`[x](../docs/rules.md)`" in out
    assert "[kept](../docs/rules.md)" in out
    assert "[ref]: ../audit.md#fix-order" in out


# --- examples on the site pages -------------------------------------------------------


def docs_pages():
    return sorted(DOCS.glob("*.md"))


def test_docs_workflows_pin_every_action_to_a_sha():
    offenders = []
    for path in docs_pages():
        for line, block, bad in yaml_blocks(path):
            if bad:
                continue
            block_lines = block.split("\n")
            for number, text in enumerate(block_lines):
                match = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)(.*)$", text)
                if not match or match.group(1).startswith(("./", "docker://")):
                    continue
                if "ignore[PSK001]" in text or (number and "ignore[PSK001]" in block_lines[number - 1]):
                    continue  # a documented, suppressed exception
                if not SHA_PIN.search(match.group(1) + re.sub(r"\s*# \(\d+\)!", "", match.group(2))):
                    offenders.append(f"{path.name}:{line + number + 1}: {text.strip()}")
    assert not offenders, "unpinned uses: in docs pages:\n" + "\n".join(offenders)


def test_docs_yaml_examples_pass_the_checks(tmp_path):
    """Complete workflows and manifests on the site pages pass; marked bad ones fail as marked."""
    expected = {}
    for path in docs_pages():
        for line, block, bad in yaml_blocks(path):
            name = f"{path.stem}-{line}.yml"
            (tmp_path / name).write_text(block, encoding="utf-8")
            expected[name] = bad
    if not expected:
        pytest.skip("no yaml blocks in docs/")
    exe = Path(sys.executable).with_name("platform-skills")
    proc = subprocess.run([str(exe), "check", "--no-config", "--format", "json", "."],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert not report["errors"], report["errors"]
    found = {}
    for finding in report["findings"]:
        found.setdefault(Path(finding["path"]).name, set()).add(finding["rule"])
    for name, bad in expected.items():
        if bad:
            assert bad <= found.get(name, set()), f"{name}: expected {bad}, got {found.get(name)}"
        else:
            assert name not in found, f"{name}: {sorted(found[name])}"


# --- nothing leaves the site -----------------------------------------------------------

# <link rel> values that make a browser fetch the target (canonical, prev/next do not).
FETCHING_RELS = {"stylesheet", "preload", "prefetch", "preconnect", "dns-prefetch", "icon",
                 "manifest", "modulepreload", "apple-touch-icon", "shortcut"}
RESOURCE_ATTR = re.compile(
    r"<(script|img|iframe|source|video|audio|embed|object|input|track)\b[^>]*?\s"
    r"(?:src|srcset|data|poster)\s*=\s*[\"']([^\"']+)", re.I)
LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
CSS_URL = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"'])((?:https?:)?//[^\"')\s]+)", re.I)


def external(url: str) -> bool:
    return bool(re.match(r"(?:https?:)?//", url.strip(), flags=re.I))


def test_built_pages_load_nothing_from_another_host(built_site):
    problems = []
    for page in sorted(built_site.path.rglob("*.html")):
        shown = page.relative_to(built_site.path).as_posix()
        text = page.read_text(encoding="utf-8")
        for tag, url in RESOURCE_ATTR.findall(text):
            if external(url):
                problems.append(f"{shown}: <{tag}> {url}")
        for tag in LINK_TAG.findall(text):
            rel = re.search(r"""\brel\s*=\s*["']([^"']*)""", tag)
            rels = set(rel.group(1).lower().split()) if rel else set()
            href = re.search(r"""\bhref\s*=\s*["']([^"']*)""", tag)
            if href and external(href.group(1)) and rels & FETCHING_RELS:
                problems.append(f"{shown}: {tag}")
        for url in CSS_URL.findall(text):
            problems.append(f"{shown}: css {url}")
        if "api.github.com" in text:
            problems.append(f"{shown}: names api.github.com")
        # Material's script asks the GitHub API for repository facts only for this marker.
        if 'data-md-component="source"' in text:
            problems.append(f"{shown}: repository widget that calls the GitHub API")
    for sheet in sorted(built_site.path.rglob("*.css")):
        for url in CSS_URL.findall(sheet.read_text(encoding="utf-8")):
            problems.append(f"{sheet.relative_to(built_site.path)}: {url}")
    assert not problems, "requests to other hosts:\n" + "\n".join(problems)


def test_own_scripts_and_styles_name_no_other_host():
    for asset in sorted((DOCS / "assets").iterdir()):
        if asset.suffix in (".js", ".css"):
            text = asset.read_text(encoding="utf-8")
            assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, flags=re.I), asset.name


def test_repository_link_stays_a_plain_link(built_site):
    home = built_site.html("")
    repo_url = site_config()["repo_url"]
    assert f'href="{repo_url}"' in home
    assert 'class="md-source"' in home
