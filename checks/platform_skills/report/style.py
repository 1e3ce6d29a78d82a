"""What the text renderers share: colours, plurals, error, skip, summary and config lines."""

from ..model import SEVERITIES

COLORS = {"critical": "1;31", "high": "31", "medium": "33", "low": "36"}


def paint(report, code, text):
    return f"\033[{code}m{text}\033[0m" if report.color else text


def plural(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"


def error_lines(report):
    return [f"{e.path}: error: {e.message}" for e in report.errors]


def skipped_line(report):
    """One line saying how many files were not checked and why, or None."""
    if not report.skipped:
        return None
    reasons = {}
    for s in report.skipped:
        reasons[s.reason] = reasons.get(s.reason, 0) + 1
    why = "; ".join(f"{plural(n, 'file')}: {reason}" for reason, n in sorted(reasons.items()))
    return f"skipped {plural(len(report.skipped), 'file')} ({why})"


def config_line(report):
    """The configuration files the run used, or None: the answer to "which settings applied?"."""
    return f"config: {', '.join(report.configs)}" if report.configs else None


def summary_line(report):
    """``3 findings (2 high, 1 medium); 4 files checked[, 1 error]``."""
    counts = {}
    for f in report.shown:
        counts[f.rule.severity] = counts.get(f.rule.severity, 0) + 1
    parts = [f"{counts[s]} {s}" for s in SEVERITIES if s in counts]
    detail = f" ({', '.join(parts)})" if parts else ""
    errors = f", {plural(len(report.errors), 'error')}" if report.errors else ""
    extra = ""
    if report.fixed is not None:
        extra += f"; {report.fixed} fixed"
    if report.baselined is not None:
        extra += f"; {report.baselined} baselined, {report.stale} stale"
    return (f"{plural(len(report.shown), 'finding')}{detail}; "
            f"{plural(report.files, 'file')} checked{errors}{extra}")
