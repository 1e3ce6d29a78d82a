"""``platform-skills fleet``: audit folders (or read audit JSON) and write one report.

Exit status as for ``audit``: 2 when a report or a repository could not be read (every other
one is still in the report), 1 when some repository has a gap at or above ``--fail-on``
(default high), else 0.
"""

import json
import os
import sys

from ..model import SEVERITY_RANK

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def main(args):
    from . import inputs, model, run

    if not args.paths:
        print("platform-skills: error: fleet needs at least one PATH (a repository folder, or "
              "with --from-json an audit JSON file or a folder of them)", file=sys.stderr)
        return EXIT_ERROR
    if args.from_json:
        entries, errors = inputs.read(args.paths)
    else:
        folders = [p for p in args.paths if os.path.isdir(p)]
        errors = [{"path": p, "message": "not a directory"} for p in args.paths
                  if not os.path.isdir(p)]
        audits = run.audit_all(folders, (None, (), None, (), not args.no_config), args.jobs)
        # The same entry shape as a report read from JSON: the two ways must agree.
        entries = [inputs.entry(data, None) for data in audits]
    data = model.build(entries, errors)
    if args.compare:
        try:
            old = model.build(inputs.read_file(args.compare))
        except inputs.InputError as exc:
            print(f"platform-skills: error: {args.compare}: {exc}", file=sys.stderr)
            return EXIT_ERROR
        data["compare"] = model.compare(old, data)
    text = _render(args.format, data)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            print(f"platform-skills: error: {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
    else:
        sys.stdout.write(text)
    for error in errors:
        print(f"{error['path']}: error: {error['message']}", file=sys.stderr)
    for entry in entries:  # a repository's own errors, from a report anyone could write
        for error in entry.get("errors") or []:
            print(_printable(f"{entry['repository']}: {error.get('path')}: error: "
                             f"{error.get('message')}"), file=sys.stderr)
    if errors or any(e.get("errors") for e in entries):
        return EXIT_ERROR
    threshold = SEVERITY_RANK[args.fail_on or "high"]
    for entry in entries:
        for finding in entry["findings"]:
            rank = SEVERITY_RANK.get(finding.get("severity"))
            if rank is not None and rank <= threshold:
                return EXIT_FINDINGS
    return EXIT_OK


def _printable(text):
    """One terminal line: control characters (escape sequences included) become "?"."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _render(fmt, data):
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    if fmt == "html":
        from . import page
        return page.render(data)
    from . import markdown
    return markdown.render(data)
