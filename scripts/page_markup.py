"""Small Markdown and HTML pieces the site macros assemble pages from.

Nothing here runs the checks or knows a page's layout: badges, table cells, code fences,
links from a page to a rule's own page and to the handbook.
"""

from __future__ import annotations

import html
import posixpath
import re
from functools import cache
from pathlib import Path

from platform_skills import model
from platform_skills.registry import all_rules

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = "rules"  # rules/<id>.md in the docs tree, published at rules/<id>/
_RULE_ID = re.compile(r"\bPSK\d{3}\b")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*(?:\{[^}]*\})?\s*#*\s*$")


def domain_title(key: str) -> str:
    return dict(model.DOMAINS).get(key, key)


def severity_badge(severity: str) -> str:
    return (f'<span class="psk-sev psk-sev-{html.escape(severity)}" '
            f'data-severity="{html.escape(severity)}">{html.escape(severity)}</span>')


def cell(text: str) -> str:
    """Make text safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def rule_page(rule_id: str) -> str:
    """A rule page's path in the docs tree (``rules/psk101.md``)."""
    return f"{RULES_DIR}/{rule_id.lower()}.md"


def relative(target: str, from_page: str) -> str:
    """The link from the docs-tree page ``from_page`` to the docs-tree path ``target``."""
    path, hash_, fragment = target.partition("#")
    return posixpath.relpath(path, posixpath.dirname(from_page) or ".") + hash_ + fragment


def link_rule_ids(markdown: str, from_page: str, skip: str = "") -> str:
    """Turn bare ``PSK123`` mentions outside code spans into links to their rule pages."""
    known = {r.id for r in all_rules()}

    def linkify(text):
        return _RULE_ID.sub(
            lambda m: f"[{m.group(0)}]({relative(rule_page(m.group(0)), from_page)})"
            if m.group(0) in known and m.group(0) != skip else m.group(0), text)

    out, last = [], 0
    for span in _CODE_SPAN.finditer(markdown):
        out.append(linkify(markdown[last:span.start()]))
        out.append(span.group(0))
        last = span.end()
    out.append(linkify(markdown[last:]))
    return "".join(out)


def site_path(repo_path: str) -> str:
    """Where a repository Markdown file is published in the docs tree."""
    if repo_path.startswith("docs/"):
        return repo_path[len("docs/"):]
    return repo_path  # references/<name>.md is published at the same place


@cache
def page_title(repo_path: str) -> str:
    """The first level-one heading of a repository Markdown file (its site title)."""
    path = ROOT / repo_path
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = _HEADING.match(line)
            if match and len(match.group(1)) == 1:
                return match.group(2).strip()
    except OSError:
        pass
    return Path(repo_path).stem.replace("-", " ").capitalize()


def reference_label(reference: str) -> str:
    """``references/supply-chain.md#cve-gates`` -> ``Supply chain › Cve gates``-like label."""
    path, _, anchor = reference.partition("#")
    title = page_title(path)
    if not anchor:
        return title
    section = anchor.replace("-", " ").strip()
    return f"{title} › {section[:1].upper()}{section[1:]}"


def indent(text: str, spaces: int = 4) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.rstrip("\n").split("\n"))


def fenced(text: str, lang: str = "yaml", options: str = "") -> str:
    """A fenced code block; ``options`` go after the language (``title="x" hl_lines="3"``)."""
    fence = "```"
    while fence in text:
        fence += "`"
    info = f"{lang} {options}".strip()
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"
