"""``platform-skills check | audit | rules | checkov-dir``.

Start-up cost matters (pre-commit runs this on every commit): heavy modules are imported
only by the command that needs them, and Checkov never on this path.
"""

import argparse
import os
import sys

from .model import SEVERITIES, SEVERITY_RANK

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _csv(values):
    out = []
    for value in values or ():
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def build_parser():
    from .report import FORMATS

    parser = argparse.ArgumentParser(
        prog="platform-skills",
        description="Supply-chain checks for GitHub Actions, Kyverno and Kubernetes YAML.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p, fail_default):
        p.add_argument("--format", choices=FORMATS, default="text", help="output format")
        p.add_argument("--select", action="append", metavar="IDS",
                       help="only these rule IDs or prefixes (comma-separated, e.g. PSK1,PSK201)")
        p.add_argument("--ignore", action="append", metavar="IDS",
                       help="skip these rule IDs or prefixes")
        p.add_argument("--fail-on", choices=SEVERITIES, default=None,
                       help=f"lowest severity that fails the run (default: {fail_default})")
        p.add_argument("--exclude", action="append", metavar="GLOB",
                       help="skip paths matching this glob (repeatable)")
        p.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="worker processes for large trees (default: all cores)")
        p.add_argument("--no-config", action="store_true",
                       help="ignore .platform-skills.yaml and [tool.platform-skills]")

    check = sub.add_parser("check", help="check files and directories (file rules)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    common(check, "low: any finding fails")
    audit = sub.add_parser("audit", help="print a repository's supply-chain gap table")
    audit.add_argument("repo", nargs="?", default=".", metavar="REPO")
    common(audit, "high")
    rules = sub.add_parser("rules", help="list the rule catalog")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    sub.add_parser("checkov-dir", help="print the Checkov external-checks directory")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import version
        print(f"platform-skills {version()}")
        return EXIT_OK
    if args.command == "rules":
        return _rules(args)
    if args.command == "checkov-dir":
        from .checkov import directory
        print(directory())
        return EXIT_OK
    if args.command in ("check", "audit"):
        try:
            return _scan(args)
        except BrokenPipeError:
            return EXIT_OK
    parser.print_help()
    return EXIT_ERROR


def _settings(args, start):
    from .config import ConfigError, find, rule_options
    from .registry import get_rule

    config = {}
    if not args.no_config:
        try:
            config, _ = find(start)
            options = rule_options(config, get_rule)
        except ConfigError as exc:
            return None, str(exc)
    else:
        options = {}
    select = _csv(args.select) or config.get("select")
    ignore = _csv(args.ignore) + list(config.get("ignore", []))
    fail_on = args.fail_on or config.get("fail-on")
    if fail_on is not None and fail_on not in SEVERITY_RANK:
        return None, f"fail-on must be one of {', '.join(SEVERITIES)}, not {fail_on!r}"
    excludes = list(args.exclude or []) + list(config.get("exclude", []))
    from .registry import RULES, matches_any
    for pattern in (select or []) + ignore:
        if not any(matches_any(i, [pattern]) for i in RULES):
            return None, f"no rule matches {pattern!r} (see 'platform-skills rules')"
    return {"select": select, "ignore": ignore, "fail_on": fail_on, "exclude": excludes,
            "options": options}, None


def _excluder(patterns):
    if not patterns:
        return None
    from fnmatch import fnmatch

    def excluded(path):
        return any(fnmatch(path, p) or fnmatch(path, p.rstrip("/") + "/*") for p in patterns)
    return excluded


def _scan(args):
    from .registry import all_rules, select
    from .report import Report, render

    start = args.repo if args.command == "audit" else "."
    settings, problem = _settings(args, start)
    if problem:
        print(f"platform-skills: error: {problem}", file=sys.stderr)
        return EXIT_ERROR
    rules = select(all_rules(), settings["select"], settings["ignore"])
    file_rules = [r for r in rules if r.scope == "file"]
    excluded = _excluder(settings["exclude"])
    color = args.format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    options = settings["options"]
    if args.command == "audit":
        if not os.path.isdir(args.repo):
            print(f"platform-skills: error: {args.repo}: not a directory", file=sys.stderr)
            return EXIT_ERROR
        from . import audit
        result, gaps = audit.run(args.repo, file_rules, excluded, jobs=args.jobs, options=options)
        chosen = {r.id for r in rules}
        gaps = [g for g in gaps if g.rule.id in chosen]
        report = Report(result.findings, result.errors, result.files, "audit", gaps,
                        result.facts, color, result.skipped)
        default_fail = "high"
    else:
        from . import engine
        result = engine.run(args.paths, file_rules, excluded, jobs=args.jobs, options=options)
        report = Report(result.findings, result.errors, result.files, color=color,
                        skipped=result.skipped)
        default_fail = "low"
    output = render(args.format, report)
    if output:
        print(output)
    if report.errors:
        return EXIT_ERROR
    threshold = SEVERITY_RANK[settings["fail_on"] or default_fail]
    if any(SEVERITY_RANK[f.rule.severity] <= threshold for f in report.shown):
        return EXIT_FINDINGS
    return EXIT_OK


def _rules(args):
    from .registry import all_rules

    rules = all_rules()
    if args.format == "json":
        import json
        print(json.dumps([{
            "id": r.id, "name": r.name, "severity": r.severity, "domain": r.domain,
            "scope": r.scope, "summary": r.summary, "checkov_id": r.checkov_id,
            "help": r.help_url, "since": r.since, "status": r.status,
            "options": [{"name": o.name, "type": o.type, "default": _plain(o.default),
                         "doc": o.doc} for o in r.options]} for r in rules], indent=2))
    else:
        width = max((len(r.name) for r in rules), default=0)
        for r in rules:
            print(f"{r.id}  {r.name:<{width}} {r.severity:<8}  {r.summary.replace('`', '')}")
    return EXIT_OK


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


if __name__ == "__main__":
    sys.exit(main())
