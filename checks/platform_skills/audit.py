"""The audit: the repository's gap rules over its facts, and the gap table in fix order.

Rows are either a gap rule (PSK901-PSK906, raised from the repository's facts) or a
roll-up of file findings (PSK111, PSK001) that the table counts. Each row applies when its
repository fact holds: the pipeline rows when some workflow publishes an image, the
cluster row (PSK906) when Flux pulls OCI artifacts.
"""

import os
import re
from urllib.parse import urlsplit

from . import engine, loader
from .findings import Builder
from .readers.facts import OCI_SOURCE, PINS, PUBLISHES, SIGNS_TAG, SIGNS_TAG_REPORTED, resolve
from .readers.policy_reports import OPTION as POLICY_REPORTS
from .readers.policy_reports import deny_readiness
from .registry import get_rule

FIX_ORDER = ("Sign images", "Gate on CVEs", "Generate and attest SBOMs", "Enforce at admission",
             "Produce SLSA provenance", "Pin actions", "Keep pins fresh")


class GapRow:
    """One row of the audit gap table, in fix order."""

    __slots__ = ("rule", "title", "impact", "step", "rollup", "applies_when")

    def __init__(self, rule_id, title, impact, step, rollup=False, applies_when=PUBLISHES):
        self.rule = get_rule(rule_id)
        self.title = title
        self.impact = impact
        self.step = step
        self.rollup = rollup  # counted from file findings rather than repository facts
        # The repository fact that makes the row apply; its first file is where SARIF puts it.
        self.applies_when = applies_when


GAP_ROWS = (
    GapRow("PSK901", "No image signing", "Consumers cannot tell your image from a forged one.", 1),
    GapRow("PSK902", "No CVE gate", "Known-vulnerable images ship unchallenged.", 2),
    GapRow("PSK111", "Severity gate CRITICAL only",
           "Exploitable HIGH vulnerabilities pass the gate.", 2, rollup=True),
    GapRow("PSK903", "No SBOM", "No quick answer to \"are we affected?\" on the next CVE.", 3),
    GapRow("PSK904", "SBOM not attested", "The SBOM cannot be tied to the image digest.", 3),
    GapRow("PSK906", "Cluster pulls unverified artifacts",
           "Whoever can push to the registry decides what the cluster runs.", 4,
           applies_when=OCI_SOURCE),
    GapRow("PSK905", "No SLSA provenance",
           "Nothing proves where and how the image was built.", 5),
    GapRow("PSK001", "Action versions pinned to tag",
           "A moved tag runs new code with your token and secrets.", 6, rollup=True),
    GapRow("PSK908", "Pins kept fresh", "A pinned action or base image never gets its fixes.", 7,
           applies_when=PINS),
)


def applicable_rows(facts):
    """The gap rows whose repository fact holds, in fix order."""
    return [row for row in GAP_ROWS if row.applies_when in facts]


def rows_run(facts, chosen):
    """The IDs of the rows that apply and whose rule was selected (``chosen``: rule IDs)."""
    return [row.rule.id for row in applicable_rows(facts) if row.rule.id in chosen]


def row_for(rule_id):
    return next((row for row in GAP_ROWS if row.rule.id == rule_id), None)


_LOCAL_WHY = {
    "points outside the repository": "the path points outside the repository",
    "no action.yml there": "no action.yml at that path in the repository: it is made at run "
                           "time or lives elsewhere",
}


def run_scoped(repo_path, scopes, jobs=None):
    """The audit as every face runs it: each file checked with its nearest configuration
    (``scopes``: a ``scopes.Scopes``), the repository's own scope choosing the gap rows and
    holding the evidence (PolicyReports). ``(result, gaps, chosen rule IDs)``."""
    scope = scopes.of(repo_path)
    result, gaps = run(repo_path, scopes.file_selection, scopes.excluded, jobs=jobs,
                       options=scope.options, scope_of=scopes.of_file)
    chosen = set(scope.ids)
    return result, [g for g in gaps if g.rule.id in chosen], chosen


def run(repo_path, rules, excluded=None, jobs=None, options=None, scope_of=None):
    """``(result, gaps)``: the file run over the repository, and its gap rows as findings at
    path ".". No gaps when no row applies (nothing publishes an image, no Flux OCI source).
    ``scope_of`` gives each file its own settings, as in ``engine.run``. With PolicyReports
    among the ``options``, ``result.readiness`` holds the Deny readiness rows, and PSK907
    findings join the gaps."""
    result = engine.run([repo_path], rules, excluded, want_facts=True, jobs=jobs, options=options,
                        scope_of=scope_of)
    for key, (path, line) in sorted(result.facts.items(), key=lambda kv: kv[1]):
        if key[0] == "local-uses":
            problem = loader.local_action_problem(repo_path, key[1])
            if problem:  # a placeholder filled at run time, or a path outside the repository
                result.facts.setdefault(("unseen", f"uses: ./{key[1]}", _LOCAL_WHY[problem]),
                                        (path, line))
    evidence = (options or {}).get(POLICY_REPORTS)
    if evidence is not None:  # each validating policy beside its reports (PSK907's table)
        result.readiness = deny_readiness(result.facts, evidence)
    result.facts = resolve(result.facts, loader.display_path(repo_path))
    tagged = result.facts.get(SIGNS_TAG)
    if tagged and any(f.rule.id == "PSK101" and (f.path, f.line) == tagged for f in result.findings):
        result.facts[SIGNS_TAG_REPORTED] = tagged
    builder = Builder(".")
    by_rule = {}
    for f in result.findings:
        by_rule.setdefault(f.rule.id, []).append(f)
    for row in applicable_rows(result.facts):
        if row.rollup:
            hits = by_rule.get(row.rule.id, [])
            if hits:
                where = ", ".join(f"{f.path}:{f.line}" for f in hits[:5])
                more = f" and {len(hits) - 5} more" if len(hits) > 5 else ""
                noun = "finding" if len(hits) == 1 else "findings"
                builder.add(row.rule, (0, f"{len(hits)} {row.rule.id} {noun}: {where}{more}"))
        else:
            for item in row.rule.check(result.facts):
                builder.add(row.rule, item)
    if result.readiness is not None:
        rule = get_rule("PSK907")
        for item in rule.check(result.readiness):
            builder.add(rule, item)
    return result, builder.findings


def repository_name(repo_path):
    """The ``owner/name`` of the repository's Git remote (``origin`` first), read from its
    ``.git/config`` without running git; else the folder's name. Credentials in a remote URL
    never reach the name, and a remote on this machine (a path, ``file://``) names nothing."""
    folder = os.path.basename(os.path.abspath(repo_path)) or "."
    urls = _remote_urls(_git_config(os.path.join(repo_path, ".git")))
    for remote in sorted(urls, key=lambda remote: remote != "origin"):
        name = _owner_name(urls[remote])
        if name:
            return name
    return folder


def _git_config(dot_git):
    """The text of the repository's config: ``.git`` is a folder, or (a worktree, a
    submodule) a file ``gitdir: PATH`` whose ``commondir`` holds the shared config."""
    try:
        if os.path.isfile(dot_git):
            with open(dot_git, encoding="utf-8", errors="replace") as handle:
                gitdir = handle.read(4096).strip().partition("gitdir:")[2].strip()
            gitdir = os.path.join(os.path.dirname(dot_git), gitdir)
            common = os.path.join(gitdir, "commondir")
            if os.path.isfile(common):
                with open(common, encoding="utf-8", errors="replace") as handle:
                    gitdir = os.path.join(gitdir, handle.read(4096).strip())
            dot_git = gitdir
        with open(os.path.join(dot_git, "config"), encoding="utf-8", errors="replace") as handle:
            return handle.read(1 << 20)
    except OSError:
        return ""


def _remote_urls(text):
    """``{remote: url}`` from git config text (the first ``url`` of each remote)."""
    urls, remote = {}, None
    for raw in text.splitlines():
        line = raw.strip()
        section = re.match(r'\[\s*remote\s+"([^"]*)"\s*\]', line)
        if section or line.startswith("["):
            remote = section.group(1) if section else None
            continue
        key, sep, value = line.partition("=")
        if remote is not None and sep and key.strip().lower() == "url":
            urls.setdefault(remote, value.strip().strip('"'))
    return urls


def _owner_name(url):
    """``owner/name`` (every path segment after the host) of a remote URL, or None."""
    scp = re.match(r"^(?:[\w.-]+@)?([\w.-]+):(?!//)(.+)$", url)  # git@host:owner/name.git
    if scp:
        path = scp.group(2)
    else:
        try:
            parsed = urlsplit(url)
            if parsed.scheme in ("", "file") or not parsed.hostname:
                return None
        except ValueError:  # not a URL at all
            return None
        path = parsed.path
    path = path.strip("/")
    path = path[:-4] if path.endswith(".git") else path
    parts = [p for p in path.split("/") if p and p not in (".", "..")]
    return "/".join(parts) if len(parts) >= 2 else None
