"""MkDocs hooks: put the repository-root handbook pages into the site without copying them.

``references/*.md`` (the handbook guides, read raw by agents and on GitHub) and the root
``CHANGELOG.md`` live outside ``docs/``. Rather than keep a second copy in git, this hook adds
them to the build as generated files (MkDocs 1.6 ``File.generated``):

* ``references/<name>.md`` -> ``references/<name>.md`` in the site;
* ``CHANGELOG.md``          -> ``changelog.md``;
* one page per rule        -> ``rules/<id>.md`` (published at ``rules/<id>/``), listed in the
  Rules tab by domain. Each is a stub that calls the ``rule_page`` macro (scripts/macros.py),
  which writes the page from the rule registry while the site builds.

Their relative links are written for GitHub, relative to the file's place in the repository
(``../docs/rules.md#psk101`` from a reference, ``docs/rules.md`` from the changelog). On the
site the same page sits elsewhere, so every relative link is re-resolved: a target under
``docs/`` or ``references/`` (or the changelog) becomes the site-relative page link, anything
else in the repository (``../examples/...``) becomes a link to the file (or folder) on
GitHub. A link to a rule's entry in the catalog (``docs/rules.md#psk101``) becomes a link to
the rule's own page. Links inside code (fenced blocks and inline code spans) are never touched.

Registered in ``mkdocs.yml`` under ``hooks:``.
"""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path

from mkdocs.structure.files import File, Files

from platform_skills import model
from platform_skills.registry import all_rules

log = logging.getLogger("mkdocs.hooks.platform_skills")

REFERENCES_DIR = "references"
CHANGELOG = "CHANGELOG.md"
CHANGELOG_PAGE = "changelog.md"
HANDBOOK_SECTION = "Handbook"
RULES_SECTION = "Rules"
CATALOG_PAGE = "rules.md"
RULES_DIR = "rules"

# Inline links and images: ](target) or ](target "title"); reference definitions: [x]: target
_INLINE = re.compile(r"(\]\()(<[^>]*>|[^)\s]+)((?:\s+\"[^\"]*\")?\))")
_DEFINITION = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*)(<[^>]*>|\S+)(.*)$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def _blob_base(config) -> str | None:
    repo_url = (config.repo_url or "").rstrip("/")
    if not repo_url:
        return None
    branch = "main"
    return f"{repo_url}/blob/{branch}/"


def sources(root: Path) -> list[tuple[Path, str]]:
    """``(file on disk, path inside the site's docs tree)`` for every page this hook adds."""
    found = []
    ref_dir = root / REFERENCES_DIR
    if ref_dir.is_dir():
        for path in sorted(ref_dir.glob("*.md")):
            if path.is_file():
                found.append((path, f"{REFERENCES_DIR}/{path.name}"))
    changelog = root / CHANGELOG
    if changelog.is_file():
        found.append((changelog, CHANGELOG_PAGE))
    return found


def rule_page_path(rule) -> str:
    return f"{RULES_DIR}/{rule.anchor}.md"


def rule_page_stub(rule) -> str:
    """The generated source of a rule's page: its title, and the macro that writes the rest."""
    return (f"---\ntitle: {rule.id} {rule.name}\nrender_macros: true\n---\n\n"
            f'{{{{ rule_page("{rule.id}") }}}}\n')


def _rule_anchors() -> set[str]:
    return {rule.anchor for rule in all_rules()}


def site_path_for(repo_path: str) -> str | None:
    """The docs-tree path a repository file is published at, or None if it is not a page."""
    if repo_path.startswith("docs/"):
        return repo_path[len("docs/"):]
    if repo_path.startswith(REFERENCES_DIR + "/") and repo_path.endswith(".md"):
        return repo_path
    if repo_path == CHANGELOG:
        return CHANGELOG_PAGE
    return None


def rewrite_target(target: str, repo_src: str, site_src: str, blob_base: str | None) -> str:
    """Re-resolve one link target written relative to ``repo_src`` for a page at ``site_src``.

    ``repo_src`` and ``site_src`` are POSIX paths: the file's place in the repository and
    the page's place in the docs tree. Absolute URLs, anchors and mail links are kept.
    """
    bracketed = target.startswith("<") and target.endswith(">")
    raw = target[1:-1] if bracketed else target
    if not raw or raw.startswith(("#", "/")) or _SCHEME.match(raw):
        return target
    path, hash_, fragment = raw.partition("#")
    path, query_mark, query = path.partition("?")
    if not path:
        return target
    repo_target = posixpath.normpath(posixpath.join(posixpath.dirname(repo_src), path))
    if repo_target.startswith("../") or repo_target == "..":
        return target  # outside the repository: leave it for MkDocs to judge
    suffix = (query_mark + query) + (hash_ + fragment)
    site_target = site_path_for(repo_target)
    if site_target == CATALOG_PAGE and fragment in _rule_anchors():
        site_target, suffix = f"{RULES_DIR}/{fragment}.md", query_mark + query
    if site_target is not None:
        new = posixpath.relpath(site_target, posixpath.dirname(site_src) or ".") + suffix
    elif blob_base:
        if path.endswith("/") and "/blob/" in blob_base:
            new = blob_base.replace("/blob/", "/tree/", 1) + repo_target + "/" + suffix
        else:
            new = blob_base + repo_target + suffix
    else:
        return target
    return f"<{new}>" if bracketed else new


def rewrite_links(markdown: str, repo_src: str, site_src: str, blob_base: str | None) -> str:
    """Rewrite every relative link outside code in ``markdown`` (see :func:`rewrite_target`)."""
    def fix(target):
        return rewrite_target(target, repo_src, site_src, blob_base)

    def fix_prose(text):
        # Leave inline code spans alone; rewrite links in the text between them.
        out, last = [], 0
        for span in _CODE_SPAN.finditer(text):
            out.append(_INLINE.sub(lambda m: m.group(1) + fix(m.group(2)) + m.group(3),
                                   text[last:span.start()]))
            out.append(span.group(0))
            last = span.end()
        out.append(_INLINE.sub(lambda m: m.group(1) + fix(m.group(2)) + m.group(3), text[last:]))
        return "".join(out)

    lines = markdown.split("\n")
    fence = None
    for index, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        definition = _DEFINITION.match(line)
        if definition:
            lines[index] = definition.group(1) + fix(definition.group(2)) + definition.group(3)
        else:
            lines[index] = fix_prose(line)
    return "\n".join(lines)


def _add_rule_pages(nav: list) -> None:
    """List every rule's page in the Rules tab, one group per domain, after what is there."""
    groups = {}
    for rule in all_rules():
        groups.setdefault(rule.domain, []).append(rule_page_path(rule))
    order = [key for key, _ in model.DOMAINS if key in groups]
    order += sorted(set(groups) - set(order))
    titles = dict(model.DOMAINS)
    entries = [{titles.get(key, key): groups[key]} for key in order]
    for item in nav:
        if isinstance(item, dict) and isinstance(item.get(RULES_SECTION), list):
            item[RULES_SECTION].extend(entries)
            return
    nav.append({RULES_SECTION: entries})


def on_config(config, **kwargs):
    """List the rule pages in the Rules tab, and every reference in the Handbook tab."""
    root = _root(config)
    nav = config.nav
    if not isinstance(nav, list):
        return config
    _add_rule_pages(nav)
    named = set()

    def walk(items):
        for item in items:
            if isinstance(item, str):
                named.add(item)
            elif isinstance(item, dict):
                for value in item.values():
                    if isinstance(value, str):
                        named.add(value)
                    elif isinstance(value, list):
                        walk(value)

    walk(nav)
    missing = [site for _, site in sources(root)
               if site.startswith(REFERENCES_DIR + "/") and site not in named]
    if not missing:
        return config
    for item in nav:
        if isinstance(item, dict) and isinstance(item.get(HANDBOOK_SECTION), list):
            item[HANDBOOK_SECTION].extend(missing)
            return config
    nav.append({HANDBOOK_SECTION: missing})
    return config


def on_files(files: Files, config, **kwargs) -> Files:
    """Add the references, the changelog and the rule pages to the build."""
    root = _root(config)
    blob_base = _blob_base(config)
    for rule in all_rules():
        page = rule_page_path(rule)
        if files.get_file_from_path(page) is not None:
            log.warning("docs/%s shadows the generated page of %s; remove it", page, rule.id)
            continue
        files.append(File.generated(config, page, content=rule_page_stub(rule)))
    for path, site_src in sources(root):
        if files.get_file_from_path(site_src) is not None:
            log.warning("docs/%s shadows %s; remove the copy in docs/",
                        site_src, path.relative_to(root).as_posix())
            continue
        repo_src = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        text = rewrite_links(text, repo_src, site_src, blob_base)
        files.append(File.generated(config, site_src, content=text))
    return files


def on_serve(server, config, builder, **kwargs):
    """Rebuild on edits to the pages this hook adds (`mkdocs serve` only watches docs/)."""
    root = _root(config)
    for extra in (root / REFERENCES_DIR, root / CHANGELOG, root / "scripts",
                  root / "checks" / "platform_skills"):
        if extra.exists():
            server.watch(str(extra))
    return server
