"""Site macros (mkdocs-macros-plugin): rule pages rendered from the rule registry.

The registry in ``platform_skills.registry`` is the single source of every rule's ID, name,
severity, summary, rationale, fix and examples; these macros only lay it out. They render
in ``docs/`` pages whose front matter sets ``render_macros: true`` (``render_by_default`` is
off in ``mkdocs.yml``), never in the handbook references, whose ``${{ ... }}`` GitHub
expressions must reach the site verbatim.

Macros:

* ``rule_catalog()``        one section per rule, anchored ``#psk001``, for ``rules.md``;
* ``rule_table(domain)``    a summary table, all rules or one domain's;
* ``gap_table()``           the audit gap rows in fix order;
* ``fix_order()``           the numbered fix order with the rules each step clears;
* ``demo(command)``         a demo release workflow and the CLI's real output on it.

Each bad example in the catalog is checked with the real CLI while the site builds, and its
findings are printed under it: the catalog cannot drift from what the checks report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from functools import cache, lru_cache
from pathlib import Path

from platform_skills import model
from platform_skills.audit import FIX_ORDER, GAP_ROWS
from platform_skills.registry import all_rules, get_rule

ROOT = Path(__file__).resolve().parent.parent
RULES_PAGE = "rules.md"
SUPPRESSION = "# platform-skills: ignore[{id}] reason"
_RULE_ID = re.compile(r"\bPSK\d{3}\b")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*(?:\{[^}]*\})?\s*#*\s*$")


# ---------------------------------------------------------------------------------------
# Small helpers


def domain_title(key: str) -> str:
    return dict(model.DOMAINS).get(key, key)


def severity_badge(severity: str) -> str:
    return f'<span class="psk-sev psk-sev-{severity}">{severity}</span>'


def cell(text: str) -> str:
    """Make text safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def link_rule_ids(markdown: str, own_page: bool) -> str:
    """Turn bare ``PSK123`` mentions outside code spans into links to their catalog entries."""
    prefix = "" if own_page else RULES_PAGE
    known = {r.id for r in all_rules()}

    def linkify(text):
        return _RULE_ID.sub(
            lambda m: f"[{m.group(0)}]({prefix}#{m.group(0).lower()})"
            if m.group(0) in known else m.group(0), text)

    out, last = [], 0
    for span in _CODE_SPAN.finditer(markdown):
        out.append(linkify(markdown[last:span.start()]))
        out.append(span.group(0))
        last = span.end()
    out.append(linkify(markdown[last:]))
    return "".join(out)


def site_link(repo_path: str) -> str:
    """A rule's repository-relative reference as a link from a page at the docs root."""
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


def fenced(text: str, lang: str = "yaml") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


# ---------------------------------------------------------------------------------------
# Running the real checks on the catalog's bad examples


def _cli_command() -> list[str]:
    script = Path(sys.executable).with_name("platform-skills")
    if script.exists():
        return [str(script)]
    found = shutil.which("platform-skills")
    if found:
        return [found]
    return [sys.executable, "-c",
            "import sys; from platform_skills.cli import main; sys.exit(main())"]


def run_cli(files: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Write ``files`` (relative path -> text) to a temporary tree and run the CLI there.

    ``--no-config`` keeps any settings file above the temporary directory out of the run.
    Exit statuses 0 and 1 are results; anything else means the run itself failed.
    """
    with tempfile.TemporaryDirectory(prefix="psk-site-") as tmp:
        for rel, text in files.items():
            target = Path(tmp, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        command, *rest = args
        proc = subprocess.run(
            _cli_command() + [command, "--no-config", *rest],
            cwd=tmp, capture_output=True, text=True, timeout=120,
            env={**os.environ, "NO_COLOR": "1"},
        )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"platform-skills {' '.join(args)} failed (exit {proc.returncode}): "
                           f"{(proc.stderr or proc.stdout).strip()[:2000]}")
    return proc


@lru_cache(maxsize=1)
def example_findings() -> dict[str, list[dict]]:
    """``{rule id: [finding, ...]}``: what ``platform-skills check`` reports on each bad example.

    All examples are checked in a single run through the CLI's JSON output (a public
    contract), so this costs one process start per build.
    """
    names = {_bad_example_path(r): r.id for r in all_rules() if r.bad}
    if not names:
        return {}
    files = {name: get_rule(rule_id).bad for name, rule_id in names.items()}
    report = json.loads(run_cli(files, "check", "--format", "json", ".").stdout)
    if report.get("errors"):
        raise RuntimeError(f"catalog examples could not be checked: {report['errors']}")
    found: dict[str, list[dict]] = {rule_id: [] for rule_id in names.values()}
    for finding in report.get("findings", []):
        if finding["path"] in names:
            found[names[finding["path"]]].append(finding)
    return found


def _bad_example_path(rule) -> str:
    """Where a bad example is written: under its own file name when the kind is chosen by
    name (``Dockerfile``), else as ``<id>-bad.yml`` (recognised by content)."""
    if rule.example_name:
        return f"{rule.id.lower()}/{rule.example_name}"
    return f"{rule.id.lower()}-bad.yml"


def example_name(rule) -> str:
    return rule.example_name or "example.yml"


def example_language(rule) -> str:
    """The fence language of a rule's examples."""
    name = example_name(rule)
    if "ockerfile" in name or "ontainerfile" in name:
        return "dockerfile"
    return "yaml"


# A release workflow with the mistakes the checks exist for: an action pinned to a tag, a
# CVE scan that only stops CRITICAL, and a signature on a mutable tag.
DEMO_PATH = ".github/workflows/release.yml"
DEMO_WORKFLOW = """\
name: release
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: sigstore/cosign-installer@d7d6bc7722e3daa8354c50bcb52f4837da5e9b6a # v3.8.1
      - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - id: build
        uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0
        with:
          push: true
          tags: ghcr.io/example-org/app:${{ github.sha }}
      - uses: aquasecurity/trivy-action@6c175e9c4083a92bbca2f9724c8a5e33bc2d97a5 # v0.30.0
        with:
          image-ref: ghcr.io/example-org/app:${{ github.sha }}
          exit-code: "1"
          severity: CRITICAL
      - run: cosign sign --yes ghcr.io/example-org/app:${{ github.sha }}
"""


@cache
def demo_output(command: str) -> str:
    """The real text output of ``platform-skills <command>`` on the demo workflow."""
    target = DEMO_PATH if command == "check" else "."
    proc = run_cli({DEMO_PATH: DEMO_WORKFLOW}, command, target)
    return f"$ platform-skills {command} {target}\n{proc.stdout.rstrip()}\n(exit status {proc.returncode})"


def _finding_lines(rule) -> str:
    own = [f for f in example_findings().get(rule.id, []) if f["rule"] == rule.id]
    if not own:
        raise RuntimeError(f"{rule.id}: its bad example raises no {rule.id} finding")
    lines = [f"{example_name(rule)}:{f['line']}: {f['rule']} {f['name']} [{f['severity']}] "
             f"{f['message']}" for f in own]
    return fenced("\n".join(lines), "text")


# ---------------------------------------------------------------------------------------
# Renderers (plain functions, so tests can call them without MkDocs)


def render_rule(rule) -> str:
    """One catalog section for ``rule``."""
    repo_scope = rule.scope == "repository"
    scope = ("repository, by <code>platform-skills audit</code>" if repo_scope
             else "file, by <code>platform-skills check</code>, pre-commit and Checkov")
    checkov = ("No Checkov check (repository-wide)" if repo_scope
               else f"Checkov <code>{rule.checkov_id}</code>")
    facts = (f'<p class="psk-facts">{severity_badge(rule.severity)} <span>{checkov}</span> '
             f"<span>Scope: {scope}</span> <span>{domain_title(rule.domain)}</span></p>")
    parts = [
        f"## {rule.id} {rule.name} {{#{rule.anchor}}}",
        facts,
        f"**{link_rule_ids(rule.summary.rstrip('.'), own_page=True)}.**",
        f"**Why.** {link_rule_ids(rule.rationale.strip(), own_page=True)}",
        f"**How to fix.** {link_rule_ids(rule.fix.strip(), own_page=True)}",
    ]
    if rule.bad or rule.good:
        tabs = []
        lang = example_language(rule)
        if rule.bad:
            tabs.append('=== "Bad"\n\n' + indent(fenced(rule.bad, lang)) + "\n\n"
                        + indent("`platform-skills check` reports:") + "\n\n"
                        + indent(_finding_lines(rule)))
        if rule.good:
            tabs.append('=== "Good"\n\n' + indent(fenced(rule.good, lang)))
        parts.append("\n\n".join(tabs))
    if repo_scope:
        parts.append(
            f"**How to suppress.** This is a whole-repository finding, so there is no line to "
            f"put a comment on: leave it out with `--ignore {rule.id}` or with `ignore` in the "
            f"[configuration](#configuration), and write down why in the same change.")
    else:
        parts.append(
            f"**How to suppress.** Put `{SUPPRESSION.format(id=rule.id)}` on the line the finding "
            f"points at or on the line above it, and say why after the bracket; a suppression "
            f"without a reason is itself reported ([PSK006](#psk006)). To drop the rule "
            f"everywhere: `--ignore {rule.id}`, or `--skip-check {rule.checkov_id}` in Checkov.")
    if rule.reference:
        parts.append(f"**Handbook:** [{reference_label(rule.reference)}]"
                     f"({site_link(rule.reference)})")
    return "\n\n".join(parts) + "\n"


def render_catalog() -> str:
    return "\n".join(render_rule(rule) for rule in all_rules())


def render_rule_table(domain: str | None = None) -> str:
    rules = [r for r in all_rules() if domain is None or r.domain == domain]
    if not rules:
        known = ", ".join(key for key, _ in model.DOMAINS)
        raise ValueError(f"no rules in domain {domain!r} (domains: {known})")
    rows = ["| ID | Name | Severity | Summary |", "|---|---|---|---|"]
    for r in rules:
        rows.append(f"| [{r.id}]({RULES_PAGE}#{r.anchor}) | `{r.name}` "
                    f"| {severity_badge(r.severity)} | {cell(r.summary)} |")
    return "\n".join(rows) + "\n"


def render_gap_table() -> str:
    rows = ["| Fix step | Gap | Severity | Rule | What it costs you |", "|---|---|---|---|---|"]
    for row in GAP_ROWS:
        step = f"{row.step}. {FIX_ORDER[row.step - 1]}"
        title = cell(row.title)
        if getattr(row, "rollup", False):
            title += " <small>(rolled up from `check` findings)</small>"
        rows.append(f"| {cell(step)} | {title} | {severity_badge(row.rule.severity)} "
                    f"| [{row.rule.id}]({RULES_PAGE}#{row.rule.anchor}) | {cell(row.impact)} |")
    return "\n".join(rows) + "\n"


def render_fix_order() -> str:
    by_step: dict[int, list] = {}
    for row in GAP_ROWS:
        by_step.setdefault(row.step, []).append(row.rule)
    lines = []
    for number, title in enumerate(FIX_ORDER, start=1):
        rules = by_step.get(number, [])
        clears = ", ".join(f"[{r.id}]({RULES_PAGE}#{r.anchor})" for r in rules)
        lines.append(f"{number}. **{title}**" + (f": clears {clears}" if clears else ""))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# mkdocs-macros entry point


def define_env(env):
    rules = all_rules()
    env.variables["rule_count"] = len(rules)
    env.variables["file_rule_count"] = sum(1 for r in rules if r.scope == "file")
    env.variables["repository_rule_count"] = sum(1 for r in rules if r.scope == "repository")
    env.variables["handbook_url"] = model.HANDBOOK_URL
    env.variables["domains"] = [(key, title) for key, title in model.DOMAINS
                                if any(r.domain == key for r in rules)]

    @env.macro
    def rule_catalog():
        """Every rule, one anchored section each (``## PSK001 name {#psk001}``)."""
        return render_catalog()

    @env.macro
    def rule_table(domain=None):
        """ID / name / severity / summary for every rule, or one domain's rules."""
        return render_rule_table(domain)

    @env.macro
    def gap_table():
        """The audit gap rows in fix order."""
        return render_gap_table()

    @env.macro
    def demo(command="check"):
        """The demo release workflow (``demo("workflow")``) or the CLI's real output on it."""
        if command == "workflow":
            return fenced(DEMO_WORKFLOW) + "\n"
        return fenced(demo_output(command), "text") + "\n"

    @env.macro
    def fix_order():
        """The numbered fix order, each step with the gap rules it clears."""
        return render_fix_order()
