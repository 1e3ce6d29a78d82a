"""Site macros (mkdocs-macros-plugin): the pages generated from the rule registry.

The registry in ``platform_skills.registry`` is the single source of every rule's ID, name,
severity, summary, rationale, fix and examples; these macros only lay it out. They render
in pages whose front matter sets ``render_macros: true`` (``render_by_default`` is off in
``mkdocs.yml``), never in the handbook references, whose ``${{ ... }}`` GitHub expressions
must reach the site verbatim.

Macros:

* ``rule_page(id)``   a rule's own page, ``rules/<id>/`` (the pages ``scripts/mkdocs_hooks.py``
  adds to the build call it);
* ``rule_index()``    every rule in one table, filterable by domain and severity, for ``rules.md``;
* ``gap_table()``     the audit gap rows in fix order;
* ``fix_order()``     the numbered fix order with the rules each step clears;
* ``demo(command)``   a demo release workflow and the CLI's real output on it.

Variables: ``rule_count``, ``file_rule_count``, ``repository_rule_count``,
``online_rule_count``, ``skill_count``, ``command_count``, ``domain_count`` (``doc_counts``);
the ``in_words`` filter writes a count as a word (``{{ skill_count | in_words }}``).

The layout lives in ``rule_pages.py`` and ``page_markup.py``; ``example_runs.py`` runs the real
CLI on every example whose result a page shows.
"""

from __future__ import annotations

import sys
from pathlib import Path

# mkdocs-macros loads this file by its path, without its folder on sys.path: put it there so
# the modules beside it import by name.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import doc_counts  # noqa: E402
from example_runs import DEMO_WORKFLOW, demo_transcript  # noqa: E402
from page_markup import cell, fenced, relative, severity_badge  # noqa: E402
from page_markup import rule_page as rule_page_path  # noqa: E402
from rule_pages import render_rule_index, render_rule_page  # noqa: E402

from platform_skills import model  # noqa: E402
from platform_skills.audit import FIX_ORDER, GAP_ROWS  # noqa: E402
from platform_skills.registry import all_rules, get_rule  # noqa: E402


def render_gap_table(page: str = "audit.md") -> str:
    rows = ["| Fix step | Gap | Severity | Rule | What it costs you |", "|---|---|---|---|---|"]
    for row in GAP_ROWS:
        step = f"{row.step}. {FIX_ORDER[row.step - 1]}"
        title = cell(row.title)
        if getattr(row, "rollup", False):
            title += " <small>(rolled up from `check` findings)</small>"
        rows.append(f"| {cell(step)} | {title} | {severity_badge(row.rule.severity)} "
                    f"| [{row.rule.id}]({relative(rule_page_path(row.rule.id), page)}) "
                    f"| {cell(row.impact)} |")
    return "\n".join(rows) + "\n"


def render_fix_order(page: str = "audit.md") -> str:
    by_step: dict[int, list] = {}
    for row in GAP_ROWS:
        by_step.setdefault(row.step, []).append(row.rule)
    lines = []
    for number, title in enumerate(FIX_ORDER, start=1):
        rules = by_step.get(number, [])
        clears = ", ".join(f"[{r.id}]({relative(rule_page_path(r.id), page)})" for r in rules)
        lines.append(f"{number}. **{title}**" + (f": clears {clears}" if clears else ""))
    return "\n".join(lines) + "\n"


def blob_base(repo_url: str | None) -> str | None:
    """Where the repository's files are shown on GitHub, for source links."""
    repo_url = (repo_url or "").rstrip("/")
    return f"{repo_url}/blob/main/" if repo_url else None


# ---------------------------------------------------------------------------------------
# mkdocs-macros entry point


def define_env(env):
    rules = all_rules()
    env.variables["rule_count"] = len(rules)
    env.variables["file_rule_count"] = sum(1 for r in rules if r.scope == "file")
    env.variables["repository_rule_count"] = sum(1 for r in rules if r.scope == "repository")
    env.variables["handbook_url"] = model.HANDBOOK_URL
    # Counts the pages state, from the registry and the skills/ and commands/ folders.
    stated = doc_counts.counts()
    env.variables["online_rule_count"] = stated["online rules"]
    env.variables["skill_count"] = stated["skills"]
    env.variables["command_count"] = stated["slash commands"]
    env.variables["domain_count"] = stated["domains"]
    env.filter(doc_counts.in_words)
    source_base = blob_base(env.conf.get("repo_url"))

    @env.macro
    def rule_page(rule_id):
        """A rule's own page: metadata, why, fix, examples with the CLI's real output."""
        return render_rule_page(get_rule(rule_id), source_base)

    @env.macro
    def rule_index():
        """Every rule in one table, anchored ``#psk001``, with domain and severity filters."""
        return render_rule_index()

    @env.macro
    def gap_table():
        """The audit gap rows in fix order."""
        return render_gap_table()

    @env.macro
    def demo(command="check"):
        """The demo release workflow (``demo("workflow")``) or the CLI's real output on it."""
        if command == "workflow":
            return fenced(DEMO_WORKFLOW) + "\n"
        return fenced(demo_transcript(command).console(), "console") + "\n"

    @env.macro
    def fix_order():
        """The numbered fix order, each step with the gap rules it clears."""
        return render_fix_order()
