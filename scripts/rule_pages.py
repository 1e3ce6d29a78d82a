"""What the site says about rules: one page per rule, and the filterable catalog index.

Rule records are read defensively: fields that newer records carry (``since``, ``status``,
``limits``, ``options``, ``example_lang``, ``example_name``) have defaults, so the site
builds from records of any age.
"""

from __future__ import annotations

import html
import inspect
import json
from pathlib import Path

from example_runs import example_name, example_text, example_transcripts, flagged_lines, good_example_name
from page_markup import (
    ROOT,
    cell,
    domain_title,
    fenced,
    link_rule_ids,
    reference_label,
    relative,
    rule_page,
    severity_badge,
    site_path,
)

import platform_skills
from platform_skills import model
from platform_skills.audit import FIX_ORDER, GAP_ROWS
from platform_skills.registry import all_rules
from platform_skills.report.rule_doc import fix_diff

CATALOG_PAGE = "rules.md"
SUPPRESSION = "# platform-skills: ignore[{id}] reason"

# What each kind of file a rule reads (``rule.targets``) is, in a reader's words.
TARGET_LABELS = {
    "workflow": "GitHub Actions workflows",
    "action": "composite actions (<code>action.yml</code>)",
    "manifest": "Kubernetes manifests and Kyverno policies",
    "source": "the text of every checked file (its comments)",
    "repository": "the whole repository",
}


# ---------------------------------------------------------------------------------------
# Record fields that not every record carries yet


def since(rule) -> str:
    return str(getattr(rule, "since", None) or "0.1.0")


def status(rule) -> str:
    return str(getattr(rule, "status", None) or "stable")


def limits(rule) -> str:
    return (getattr(rule, "limits", None) or "").strip()


def options(rule) -> tuple:
    return tuple(getattr(rule, "options", None) or ())


def example_lang(rule) -> str:
    return getattr(rule, "example_lang", None) or "yaml"


def source_location(rule) -> tuple[str, int] | None:
    """``(repository path, first line)`` of the rule's record and check function.

    The package may run from the checkout (``checks/platform_skills/...``) or from an
    installed copy; either way the path is given as it is in the repository.
    """
    try:
        path = Path(inspect.getsourcefile(rule.check) or "").resolve()
        line = inspect.getsourcelines(rule.check)[1]
    except (TypeError, OSError):
        return None
    try:
        return path.relative_to(ROOT).as_posix(), line
    except ValueError:
        pass
    package = Path(platform_skills.__file__).resolve().parent
    try:
        return f"checks/platform_skills/{path.relative_to(package).as_posix()}", line
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------
# One rule's page


def _facts(rule, blob_base: str | None) -> str:
    kinds = ", ".join(TARGET_LABELS.get(t, f"<code>{html.escape(t)}</code>") for t in rule.targets)
    run_by = {"repository": "<code>platform-skills audit</code>",
              "online": "<code>platform-skills pin --verify</code> (it asks the network)"}.get(
        rule.scope, "<code>platform-skills check</code>, the pre-commit hook and Checkov")
    checkov = {"repository": "none (a repository-wide rule)",
               "online": "none (only the network can decide it)"}.get(
        rule.scope, f"<code>{rule.checkov_id}</code>")
    rows = [
        ("Severity", severity_badge(rule.severity)),
        ("Domain", html.escape(domain_title(rule.domain))),
        ("File kinds", kinds),
        ("Run by", run_by),
        ("Checkov ID", checkov),
        ("Since", f"<code>{html.escape(since(rule))}</code>"),
        ("Status", html.escape(status(rule))),
    ]
    if getattr(rule, "fixable", False):
        rows.append(("Safe fix", '<a href="#safe-fix"><code>platform-skills check --fix</code></a>'))
    location = source_location(rule)
    if location and blob_base:
        path, line = location
        rows.append(("Source", f'<a href="{html.escape(blob_base + path)}#L{line}">'
                               f"<code>{html.escape(path)}</code></a>"))
    items = "\n".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    return f'<dl class="psk-meta">\n{items}\n</dl>'


def _examples(rule, page: str) -> list[str]:
    parts = []
    lang = example_lang(rule)
    if rule.bad and rule.scope == "online":
        parts += ["### Bad",
                  f"`platform-skills pin --verify` reports {rule.id} here once it has asked the "
                  "action's repository which commit the commented tag names; no offline check "
                  "can:",
                  fenced(rule.bad, lang, f'title="{example_name(rule)}"')]
    elif rule.bad and rule.scope == "repository":
        parts += ["### Bad",
                  f"`platform-skills audit` reports {rule.id} for a repository like this one:",
                  fenced(rule.bad, lang)]
    elif rule.bad:
        shown, _ = example_text(rule)
        lines = flagged_lines(rule)
        name = example_name(rule)
        highlight = f' hl_lines="{" ".join(map(str, lines))}"' if lines else ""
        transcript = example_transcripts()[rule.id]
        parts += [
            "### Bad",
            f"The highlighted {'line is' if len(lines) == 1 else 'lines are'} what "
            f"`platform-skills check` reports for {rule.id}:",
            fenced(shown, lang, f'title="{name}"{highlight}'),
            "The CLI's output on this file, from a real run while this page was built:",
            fenced(transcript.console(), "console"),
        ]
    if rule.good and rule.scope == "repository":
        parts += ["### Good", fenced(rule.good, lang)]
    elif rule.good:
        parts += ["### Good", fenced(rule.good, lang, f'title="{good_example_name(rule)}"')]
    if parts:
        parts.insert(0, "## Examples")
    return parts


def _gap_row(rule, page: str) -> list[str]:
    rows = [row for row in GAP_ROWS if row.rule.id == rule.id]
    if not rows:
        return []
    lines = ["## In the audit",
             f"`platform-skills audit` reports this rule as a row of the "
             f"[gap table]({relative('audit.md', page)}), in this fix step:", ""]
    for row in rows:
        lines.append(f"- **{row.step}. {FIX_ORDER[row.step - 1]}**: {cell(row.title)}. "
                     f"{cell(row.impact)}")
    return ["\n".join(lines)]


def _safe_fix(rule) -> list[str]:
    diff = fix_diff(rule) if getattr(rule, "fixable", False) else ""
    if not diff:
        return []
    return ["### Safe fix",
            "`platform-skills check --fix` makes this change for you (`--diff` shows it "
            "without writing); on the bad example below it writes:",
            fenced(diff.rstrip("\n"), "diff"),
            "Comments, quoting, key order and blank lines elsewhere in the file stay as they "
            "were. Where the change cannot be made in one safe place (a flow mapping, an "
            "anchor, tabs, an expression outside double quotes) the finding stays for a person."]


def _options(rule) -> list[str]:
    found = options(rule)
    if not found:
        return []
    rows = ["| Option | Default | Meaning |", "|---|---|---|"]
    for option in found:
        default = json.dumps(getattr(option, "default", None), default=str)
        rows.append(f"| `{cell(str(getattr(option, 'name', '?')))}` | `{cell(default)}` "
                    f"| {cell(str(getattr(option, 'doc', '') or ''))} |")
    return ["## Options", "\n".join(rows)]


def _suppression(rule, page: str) -> str:
    catalog = relative(CATALOG_PAGE, page)
    if rule.scope == "repository":
        return (f"## Suppressing it\n\nA repository gap has no line to put a comment on. Leave "
                f"it out with `--ignore {rule.id}`, or with `ignore` in the "
                f"[configuration]({catalog}#configuration), and write down why in the same "
                f"change.")
    comment = SUPPRESSION.format(id=rule.id)
    psk006 = relative(rule_page("PSK006"), page)
    return "\n\n".join([
        "## Suppressing it",
        "Put the comment on the line the finding points at, or on the line above it, and "
        "say why after the bracket:",
        fenced(comment.replace("reason", "why this exception is safe"), example_lang(rule)),
        f"A suppression without a reason still suppresses, but is itself reported as "
        f"[PSK006]({psk006}). To turn the rule off everywhere: `--ignore {rule.id}` or "
        f"`ignore` in the [configuration]({catalog}#configuration); in Checkov, "
        f"`--skip-check {rule.checkov_id}`. More in "
        f"[Suppressing a finding]({catalog}#suppressing-a-finding).",
    ])


def _see_also(rule, page: str, blob_base: str | None) -> str:
    items = []
    if rule.reference:
        target = relative(site_path(rule.reference), page)
        items.append(f"- Handbook: [{reference_label(rule.reference)}]({target})")
    location = source_location(rule)
    if location and blob_base:
        path, line = location
        items.append(f"- Source: [`{path}`]({blob_base}{path}#L{line}), the rule's record "
                     f"and its check")
    items.append(f"- [Every rule]({relative(CATALOG_PAGE, page)}#{rule.anchor}), "
                 f"filterable by domain and severity")
    return "## See also\n\n" + "\n".join(items)


def render_rule_page(rule, blob_base: str | None) -> str:
    """The Markdown of ``rules/<id>.md`` for ``rule``."""
    page = rule_page(rule.id)

    def text(markdown):
        return link_rule_ids(markdown.strip(), page, skip=rule.id)

    parts = [
        f"# {rule.id} {rule.name}",
        _facts(rule, blob_base),
        f"**{text(rule.summary).rstrip('.')}.**",
        "## Why",
        text(rule.rationale),
        "## How to fix",
        text(rule.fix),
        *_safe_fix(rule),
        *_examples(rule, page),
        *_gap_row(rule, page),
        *_options(rule),
        "## Known limits",
        text(limits(rule)) if limits(rule) else "None known.",
        _suppression(rule, page),
        _see_also(rule, page, blob_base),
    ]
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------------
# The catalog index


def _filter_controls(rules) -> str:
    domains = [(key, title) for key, title in model.DOMAINS if any(r.domain == key for r in rules)]
    domains += [(key, key) for key in sorted({r.domain for r in rules} - {k for k, _ in domains})]
    severities = [s for s in model.SEVERITIES if any(r.severity == s for r in rules)]

    def select(name, label, choices):
        options = "".join(f'<option value="{html.escape(value)}">{html.escape(text)}</option>'
                          for value, text in choices)
        return (f'<label>{label} <select data-psk-filter-by="{name}">'
                f'<option value="">all</option>{options}</select></label>')

    # Hidden until docs/assets/rule-filter.js wires it up: without script, no dead controls.
    return "\n".join([
        '<div class="psk-filter" data-psk-filter hidden>',
        select("domain", "Domain", domains),
        select("severity", "Severity", [(s, s) for s in severities]),
        '<output class="psk-filter-count" aria-live="polite"></output>',
        "</div>",
    ])


def render_rule_index() -> str:
    """Every rule in one table, each row anchored at its ID (the old ``rules/#psk001``)."""
    rules = all_rules()
    rows = ["| Rule | Name | Severity | Domain | Summary |", "|---|---|---|---|---|"]
    for r in rules:
        domain = f'<span data-domain="{html.escape(r.domain)}">{html.escape(domain_title(r.domain))}</span>'
        rows.append(f"| [{r.id}]({rule_page(r.id)}){{#{r.anchor}}} | `{r.name}` "
                    f"| {severity_badge(r.severity)} | {domain} | {cell(r.summary)} |")
    return _filter_controls(rules) + "\n\n" + "\n".join(rows) + "\n"
