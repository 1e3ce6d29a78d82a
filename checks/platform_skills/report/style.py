"""What the text renderers share: colours, plurals, error, skip, summary and config lines."""

from ..model import SEVERITIES

COLORS = {"critical": "1;31", "high": "31", "medium": "33", "low": "36"}


def paint(report, code, text):
    return f"\033[{code}m{text}\033[0m" if report.color else text


def shown_path(path):
    """A path as the terminal should show it: control and other invisible characters (an
    escape sequence, a newline, a bidi override in a file name) written as ``\\x1b``-style
    escapes, so a name can neither forge output lines nor drive the terminal."""
    if path.isprintable():
        return path
    return "".join(c if c.isprintable() else _escape(c) for c in path)


def _escape(char):
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def plural(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"


def error_lines(report):
    return [f"{shown_path(e.path)}: error: {e.message}" for e in report.errors]


def skip_category(reason):
    """What a skip reason says before its detail (``invalid YAML at line 3 ...``)."""
    return reason.split(": ", 1)[0]


def skipped_line(report):
    """One line saying how many files were not checked and why (grouped), or None; with
    ``--show-skipped`` one line per file instead."""
    if not report.skipped:
        return None
    if report.show_skipped:
        return "\n".join(f"{s.path}: skipped: {s.reason}" for s in report.skipped)
    reasons = {}
    for s in report.skipped:
        category = skip_category(s.reason)
        reasons[category] = reasons.get(category, 0) + 1
    why = "; ".join(f"{plural(n, 'file')}: {reason}" for reason, n in sorted(reasons.items()))
    return f"skipped {plural(len(report.skipped), 'file')} ({why})"


def config_line(report):
    """The configuration files the run used, or None: the answer to "which settings applied?"."""
    return f"config: {', '.join(report.configs)}" if report.configs else None


def summary_line(report):
    """``3 findings (2 high, 1 medium); 4 files checked[, 2 skipped (run with
    --show-skipped)][, 1 error]``."""
    counts = {}
    for f in report.shown:
        counts[f.rule.severity] = counts.get(f.rule.severity, 0) + 1
    parts = [f"{counts[s]} {s}" for s in SEVERITIES if s in counts]
    detail = f" ({', '.join(parts)})" if parts else ""
    skipped = ""
    if report.skipped:
        hint = "" if report.show_skipped else " (run with --show-skipped)"
        skipped = f", {len(report.skipped)} skipped{hint}"
    errors = f", {plural(len(report.errors), 'error')}" if report.errors else ""
    extra = ""
    if report.fixed is not None:
        extra += f"; {report.fixed} fixed"
    if report.baselined is not None:
        extra += f"; {report.baselined} baselined, {report.stale} stale"
    return (f"{plural(len(report.shown), 'finding')}{detail}; "
            f"{plural(report.files, 'file')} checked{skipped}{errors}{extra}")
