"""``platform-skills check | audit | rules | rule | checkov-dir | pin``.

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
        p.add_argument("--statistics", action="store_true",
                       help="print how many findings each rule raised instead of the findings")
        p.add_argument("--policy-reports", action="append", metavar="PATH",
                       help="PolicyReports exported from a cluster (file or folder of YAML/JSON, "
                            "repeatable): evidence for PSK201 and the audit's Deny readiness")

    check = sub.add_parser("check", help="check files and directories (file rules)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    common(check, "low: any finding fails")
    audit = sub.add_parser("audit", help="print a repository's supply-chain gap table")
    audit.add_argument("repo", nargs="?", default=".", metavar="REPO")
    common(audit, "high")
    rules = sub.add_parser("rules", help="list the rule catalog")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rule = sub.add_parser("rule", help="print one rule's documentation")
    rule.add_argument("rule_id", metavar="ID", help="a rule ID (PSK101) or name (cosign-by-tag)")
    sub.add_parser("checkov-dir", help="print the Checkov external-checks directory")
    # Parsed by the pin package itself (main hands it the arguments), so that neither
    # check nor audit ever imports the one module that goes to the network.
    sub.add_parser("pin", add_help=False,
                   help="pin action refs to commit SHAs and images to digests (uses the network; "
                        "see 'pin --help')")
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["pin"]:
        from .pin.command import main as pin
        return pin(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(parser, args)
    except BrokenPipeError:  # the reader went away (``| head``): not an error
        _silence_stdout()
        return EXIT_OK


def _dispatch(parser, args):
    if args.version:
        from . import version
        print(f"platform-skills {version()}")
        return EXIT_OK
    if args.command == "rules":
        return _rules(args)
    if args.command == "rule":
        return _rule(args.rule_id)
    if args.command == "checkov-dir":
        from .checkov import directory
        print(directory())
        return EXIT_OK
    if args.command in ("check", "audit"):
        return _scan(args)
    parser.print_help()
    return EXIT_ERROR


def _silence_stdout():
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (captured output): nothing is flushed at exit


def _scan(args):
    from .config import ConfigError
    from .report import Report, render
    from .scopes import Scopes

    if args.statistics and args.format not in ("text", "concise"):
        print("platform-skills: error: --statistics goes with --format text or concise",
              file=sys.stderr)
        return EXIT_ERROR
    if args.command == "audit" and not os.path.isdir(args.repo):
        print(f"platform-skills: error: {args.repo}: not a directory", file=sys.stderr)
        return EXIT_ERROR
    try:
        scopes = Scopes(_csv(args.select), _csv(args.ignore), args.fail_on, args.exclude or [],
                        use_config=not args.no_config, reports=args.policy_reports or ())
        given = [args.repo] if args.command == "audit" else args.paths
        for path in given:
            scopes.of(path)  # a bad configuration stops the run before any file is read
        color = args.format in ("text", "concise") and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        if args.command == "audit":
            from . import audit
            scope = scopes.of(args.repo)
            result, gaps = audit.run(args.repo, scope.file_rules, scope.excluded, jobs=args.jobs,
                                     options=scope.options)
            chosen = {r.id for r in scope.rules}
            gaps = [g for g in gaps if g.rule.id in chosen]
            report = Report(result.findings, result.errors, result.files, "audit", gaps,
                            result.facts, color, result.skipped)
            report.readiness = result.readiness
        else:
            from . import engine
            result = engine.run(args.paths, scopes.file_rules, scopes.excluded, jobs=args.jobs,
                                scope_of=scopes.of_file)
            report = Report(result.findings, result.errors, result.files, color=color,
                            skipped=result.skipped)
    except ConfigError as exc:  # also a bad configuration file met below a given folder
        print(f"platform-skills: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    report.configs = [s.path for s in scopes.used if s.path]
    if scopes.errors:  # report files that could not be read: the rest was still checked
        report.errors = sorted(report.errors + scopes.errors, key=lambda e: e.path)
    output = render(args.format, report, args.statistics)
    if output:
        print(output)
    if report.errors:
        return EXIT_ERROR
    # Each finding is judged by the fail-on of the configuration that governs its file.
    default = "high" if args.command == "audit" else "low"
    for f in report.shown:
        scope = scopes.of(args.repo) if args.command == "audit" else scopes.of_file(f.path)
        if SEVERITY_RANK[f.rule.severity] <= SEVERITY_RANK[scope.fail_on or default]:
            return EXIT_FINDINGS
    return EXIT_OK


def _rules(args):
    from .plaintext import plain
    from .registry import all_rules
    from .report.rule_doc import checkov_id

    rules = all_rules()
    if args.format == "json":
        import json
        print(json.dumps([{
            "id": r.id, "name": r.name, "severity": r.severity, "domain": r.domain,
            "scope": r.scope, "targets": list(r.targets), "summary": plain(r.summary),
            "rationale": plain(r.rationale), "fix": plain(r.fix), "limits": plain(r.limits),
            "checkov_id": checkov_id(r), "help": r.help_url, "since": r.since,
            "status": r.status,
            "options": [{"name": o.name, "type": o.type, "default": _plain(o.default),
                         "doc": plain(o.doc)} for o in r.options]} for r in rules], indent=2))
    else:
        width = max((len(r.name) for r in rules), default=0)
        for r in rules:
            print(f"{r.id}  {r.name:<{width}} {r.severity:<8}  {plain(r.summary)}")
    return EXIT_OK


def _rule(wanted):
    from .registry import all_rules
    from .report import rule_doc

    key = wanted.strip().lower()
    rules = all_rules()
    found = [r for r in rules if key in (r.id.lower(), r.name)]
    if not found:
        from difflib import get_close_matches
        close = get_close_matches(key, [r.id.lower() for r in rules] + [r.name for r in rules], 1)
        hint = f"did you mean {close[0].upper() if close[0].startswith('psk') else close[0]}? " \
            if close else ""
        print(f"platform-skills: error: no rule {wanted!r} ({hint}see 'platform-skills rules')",
              file=sys.stderr)
        return EXIT_ERROR
    print(rule_doc.render(found[0]))
    return EXIT_OK


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


if __name__ == "__main__":
    sys.exit(main())
