"""``platform-skills check | audit | fleet | rules | rule | checkov-dir | pin``.

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


def _jobs(value):
    """``--jobs``: a whole number of processes, 1 or more (argparse exits 2 otherwise)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is less than 1 (one process at least)")
    return number


def _columns():
    """``shutil.get_terminal_size().columns`` without importing shutil: argparse builds a help
    formatter for every option it adds, and shutil (with its compression modules) costs a
    commit's pre-commit run about 2.5 ms for a width only ``--help`` prints with. Asked once
    per run (a formatter per option would ask the terminal each time)."""
    if _WIDTH:
        return _WIDTH[0]
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    _WIDTH.append(columns or 80)
    return _WIDTH[0]


_WIDTH: list[int] = []


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        super().__init__(prog, indent_increment, max_help_position,
                         _columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser (and its subcommands') with the formatter above."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def build_parser(command=None):
    """The argument parser; with ``command`` (a subcommand's name), that subcommand's only:
    every subparser and its options cost a commit's pre-commit run about 3 ms, and one
    run parses one command (``--help`` and unknown words get the whole parser)."""
    parser = _Parser(
        prog="platform-skills",
        description="Supply-chain and hardening checks for GitHub Actions workflows and actions, "
                    "Kubernetes, Kyverno, Flux, Argo CD and Helm YAML, Dockerfiles and Terraform.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, add in _COMMANDS.items():
        if command is None or name == command:
            add(sub)
    return parser


def _common(p, fail_default):
    """The options ``check`` and ``audit`` share."""
    from .report import FORMATS

    p.add_argument("--format", choices=FORMATS, default="text", help="output format")
    p.add_argument("--select", action="append", metavar="IDS",
                   help="only these rule IDs or prefixes (comma-separated, e.g. PSK1,PSK201)")
    p.add_argument("--ignore", action="append", metavar="IDS",
                   help="skip these rule IDs or prefixes")
    p.add_argument("--fail-on", choices=SEVERITIES, default=None,
                   help=f"lowest severity that fails the run (default: {fail_default})")
    p.add_argument("--exclude", action="append", metavar="GLOB",
                   help="skip paths matching this glob (repeatable)")
    p.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                   help="worker processes for large trees, at most one per core and file "
                        "(default: all cores; small trees run in one process)")
    p.add_argument("--config", metavar="FILE",
                   help="use this configuration file for every path, not the nearest one")
    p.add_argument("--no-config", action="store_true",
                   help="ignore .platform-skills.yaml and [tool.platform-skills]")
    p.add_argument("--statistics", action="store_true",
                   help="print how many findings each rule raised instead of the findings")
    p.add_argument("--show-skipped", action="store_true",
                   help="list each file that was not checked, with the reason")
    p.add_argument("--policy-reports", action="append", metavar="PATH",
                   help="PolicyReports exported from a cluster (file or folder of YAML/JSON, "
                        "repeatable): evidence for PSK201 and the audit's Deny readiness")


def _add_check(sub):
    check = sub.add_parser("check", help="check files and directories (file rules: workflows, "
                                         "actions, Kubernetes, Kyverno, Flux, Argo CD, Helm, "
                                         "Dockerfiles, Terraform)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    _common(check, "low: any finding fails")
    check.add_argument("--baseline", metavar="FILE",
                       help="report only findings not recorded in this baseline file")
    check.add_argument("--write-baseline", metavar="FILE",
                       help="record today's findings in FILE (then commit it and use --baseline)")
    check.add_argument("--fix", action="store_true",
                       help="apply the safe fixes in place, then report what is left")
    check.add_argument("--diff", action="store_true",
                       help="print the safe fixes as a unified diff and write nothing "
                            "(exit 1 when there is a diff)")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="also apply fixes that may change behaviour (none is defined yet)")


def _add_audit(sub):
    audit = sub.add_parser("audit", help="print a repository's supply-chain gap table in fix order")
    audit.add_argument("repo", nargs="?", default=".", metavar="REPO")
    _common(audit, "high")


def _add_fleet(sub):
    fleet = sub.add_parser("fleet", help="one gap report for many repositories (folders, or "
                                         "their 'audit --format json' files with --from-json)")
    fleet.add_argument("paths", nargs="*", metavar="PATH",
                       help="a repository folder (with --from-json: a report, or a folder of them)")
    fleet.add_argument("--from-json", action="store_true",
                       help="PATHs are audit (or fleet) JSON reports, or folders of them")
    fleet.add_argument("--format", choices=("markdown", "json", "html"), default="markdown",
                       help="html: one self-contained page (default: markdown)")
    fleet.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    fleet.add_argument("--compare", metavar="OLD.json",
                       help="an earlier 'fleet --format json' report: show what changed since")
    fleet.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="repositories audited at once (default: all cores)")
    fleet.add_argument("--fail-on", choices=SEVERITIES, default=None,
                       help="lowest gap severity that fails the run (default: high)")
    fleet.add_argument("--no-config", action="store_true",
                       help="ignore the repositories' .platform-skills.yaml and "
                            "[tool.platform-skills]")


def _add_rules(sub):
    rules = sub.add_parser("rules", help="list the rule catalog")
    rules.add_argument("--format", choices=("text", "json"), default="text")


def _add_rule(sub):
    rule = sub.add_parser("rule", help="print one rule's documentation (why, fix, examples)")
    rule.add_argument("rule_id", metavar="ID", help="a rule ID (PSK101) or name (cosign-by-tag)")


def _add_checkov_dir(sub):
    sub.add_parser("checkov-dir", help="print the Checkov external-checks directory")


def _add_pin(sub):
    # Parsed by the pin package itself (main hands it the arguments), so that neither
    # check nor audit ever imports the one module that goes to the network.
    sub.add_parser("pin", add_help=False,
                   help="pin action refs to commit SHAs and images to digests (uses the network; "
                        "see 'pin --help')")


_COMMANDS = {"check": _add_check, "audit": _add_audit, "fleet": _add_fleet, "rules": _add_rules,
             "rule": _add_rule, "checkov-dir": _add_checkov_dir, "pin": _add_pin}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    _WIDTH.clear()  # the terminal's width, asked again by each run
    if argv[:1] == ["pin"]:
        from .pin.command import main as pin
        return pin(argv[1:])
    parser = build_parser(argv[0] if argv and argv[0] in _COMMANDS else None)
    args = parser.parse_args(argv)
    try:
        return _dispatch(parser, args)
    except BrokenPipeError:  # the reader went away (``| head``): not an error
        _silence_stdout()
        return EXIT_OK


def run():
    """The console script: ``main``, then out without tearing the interpreter down. Freeing
    every module and record one by one costs a one-file run (pre-commit's case) about a tenth
    of its time, and nothing here needs it: by the time ``main`` returns every file written
    is closed and a parallel run's pool is shut. Only the standard streams hold output
    still, and they are flushed first. (An exception, ``SystemExit`` from argparse too,
    leaves the usual way.)"""
    import contextlib

    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # the reader went away, or it is closed
            stream.flush()
    os._exit(code if isinstance(code, int) else EXIT_OK if code is None else EXIT_ERROR)


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
    if args.command == "fleet":
        from .fleet.command import main as fleet
        return fleet(args)
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
    if getattr(args, "fix", False) and args.diff:
        print("platform-skills: error: --fix writes the files, --diff only shows the changes; "
              "choose one", file=sys.stderr)
        return EXIT_ERROR
    if args.command == "audit" and not os.path.isdir(args.repo):
        problem = "not a directory" if os.path.exists(args.repo) else "does not exist"
        print(f"platform-skills: error: {args.repo}: {problem}", file=sys.stderr)
        return EXIT_ERROR
    if args.config and args.no_config:
        print("platform-skills: error: --config and --no-config exclude each other", file=sys.stderr)
        return EXIT_ERROR
    try:
        scopes = Scopes(_csv(args.select), _csv(args.ignore), args.fail_on, args.exclude or [],
                        use_config=not args.no_config, config_file=args.config,
                        reports=args.policy_reports or ())
        given = [args.repo] if args.command == "audit" else args.paths
        for path in given:
            scopes.of(path)  # a bad configuration stops the run before any file is read
        color = args.format in ("text", "concise") and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        if args.command == "audit":
            from . import audit
            result, gaps, chosen = audit.run_scoped(args.repo, scopes, args.jobs)
            report = Report.of_audit(result, gaps, chosen, audit.repository_name(args.repo), color,
                                     show_skipped=args.show_skipped)
        else:
            from . import engine
            result = engine.run(args.paths, scopes.file_selection, scopes.excluded, jobs=args.jobs,
                                scope_of=scopes.of_file)
            fixed = None
            if args.fix or args.diff:
                fixed = _fix(args, result, scopes)
                if args.diff:
                    return fixed
                result = engine.run(args.paths, scopes.file_selection, scopes.excluded,
                                    jobs=args.jobs, scope_of=scopes.of_file)
            report = Report(result.findings, result.errors + (fixed[1] if fixed else []),
                            result.files, color=color, skipped=result.skipped,
                            show_skipped=args.show_skipped)
            if fixed:
                report.fixed = fixed[0]
            done = _baseline(args, report, scopes)
            if done is not None:
                return done
    except ConfigError as exc:  # also a bad configuration file met below a given folder
        print(f"platform-skills: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for notice in result.notices:  # what was not looked at, where a person sees it
        print(f"platform-skills: warning: {notice}", file=sys.stderr)
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


def _fix(args, result, scopes):
    """``--fix``: ``(findings fixed, errors)``; ``--diff``: the exit status after printing."""
    from . import fixer
    from .model import FileError

    outcomes, problems = fixer.fix_files(result.findings, scopes.of_file, write=args.fix)
    errors = [FileError(path, message) for path, message in problems]
    if args.fix:
        return sum(o.fixed for o in outcomes), errors
    for outcome in outcomes:
        sys.stdout.write(outcome.diff())
    for error in errors:
        print(f"{error.path}: error: {error.message}", file=sys.stderr)
    count = sum(o.fixed for o in outcomes)
    print(f"platform-skills: {count} finding{'' if count == 1 else 's'} fixable in "
          f"{len(outcomes)} file{'' if len(outcomes) == 1 else 's'}", file=sys.stderr)
    return EXIT_ERROR if errors else EXIT_FINDINGS if outcomes else EXIT_OK


def _baseline(args, report, scopes):
    """Write the baseline (and return the exit status), or keep only the findings a
    baseline does not hold; None to go on reporting."""
    from . import config
    from .loader import display_path

    if args.write_baseline:
        from . import baseline
        try:
            count = baseline.write(args.write_baseline, report.findings)
        except baseline.BaselineError as exc:
            print(f"platform-skills: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        print(f"platform-skills: wrote {count} finding{'' if count == 1 else 's'} to "
              f"{display_path(args.write_baseline)}", file=sys.stderr)
        for error in report.errors:
            print(f"{error.path}: error: {error.message}", file=sys.stderr)
        return EXIT_ERROR if report.errors else EXIT_OK
    path = args.baseline
    if path is None and not args.no_config:
        settings, where = config.find(args.paths[0] if args.paths else os.curdir)
        if settings.get("baseline"):
            path = os.path.join(os.path.dirname(where), settings["baseline"])
    if path is None:
        return None
    from . import baseline  # only here: it loads hashing and file-writing modules
    try:
        entries = baseline.read(path)
    except baseline.BaselineError as exc:
        print(f"platform-skills: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    selected = set(scopes.file_selection.ids)
    given = [display_path(p) for p in args.paths]

    def covered(entry):
        return entry["rule"] in selected and any(
            g == "." or entry["path"] == g or entry["path"].startswith(g.rstrip("/") + "/")
            for g in given)

    report.findings, report.baselined, report.stale = baseline.apply(
        entries, report.findings, covered)
    return None


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
            "status": r.status, "fixable": r.fixable,
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
        hint = _did_you_mean(key, rules)
        hint = f"did you mean {hint}? " if hint else ""
        print(f"platform-skills: error: no rule {wanted!r} ({hint}see 'platform-skills rules')",
              file=sys.stderr)
        return EXIT_ERROR
    print(rule_doc.render(found[0]))
    return EXIT_OK


# Letters typed for look-alike digits in a rule ID: PSK10l, PSKlO1, PSK1O1.
_DIGIT_LOOKALIKES = str.maketrans("lio", "110")


def _did_you_mean(key, rules):
    """The rule a mistyped ID or name most likely meant, or None.

    Look-alike letters in an ID's number are read as the digits they imitate before any
    fuzzy match: difflib alone rates PSK10l closer to PSK310 than to PSK101."""
    import re

    ids = {r.id.lower() for r in rules}
    typed = re.fullmatch(r"psk([0-9lio]{3})", key)
    if typed:
        fixed = "psk" + typed.group(1).translate(_DIGIT_LOOKALIKES)
        if fixed in ids:
            return fixed.upper()
    from difflib import get_close_matches
    close = get_close_matches(key, sorted(ids) + [r.name for r in rules], 1)
    if not close:
        return None
    return close[0].upper() if close[0] in ids else close[0]


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


if __name__ == "__main__":
    sys.exit(main())
