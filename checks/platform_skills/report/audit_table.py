"""The audit's text report: the supply-chain gap table in fix order, then what to do next;
with PolicyReports, the Deny readiness of each validating Kyverno policy."""

from ..audit import FIX_ORDER, applicable_rows
from ..plaintext import plain
from ..readers.facts import ADMISSION, OCI_SOURCE, PUBLISHES, UNSEEN
from ..readers.policy_reports import describe
from .style import COLORS, config_line, error_lines, paint, plural, skipped_line


def render(report):
    out = []
    rows = applicable_rows(report.facts)
    unseen = report.facts.get(UNSEEN) or []
    supply_chain = PUBLISHES in report.facts or OCI_SOURCE in report.facts
    if not supply_chain:
        may = [u for u in unseen if u[4]]
        if may:
            places = ", ".join(f"{u[0]}:{u[1]}" for u in may[:5])
            more = f" and {len(may) - 5} more" if len(may) > 5 else ""
            out.append(f"No publishing found in this repository's own steps, but publishing may "
                       f"happen in {places}{more}, which the audit could not follow (see Not "
                       "followed). Audit the repositories those steps live in.")
        elif rows:  # only the housekeeping row: the repository pins, but ships no image
            out.append("No workflow publishes a container image and no Flux source pulls OCI "
                       "artifacts, so the supply-chain part of the table does not apply; only "
                       "the housekeeping row below does.")
        else:
            out.append("No workflow publishes a container image and no Flux source pulls OCI "
                       "artifacts, so the supply-chain gap table does not apply. Run "
                       "'platform-skills check' for file findings.")
        if not rows:
            _not_followed(unseen, out)
            out.extend(readiness_lines(report))
            out.extend(error_lines(report))
            _end(report, out)
            return "\n".join(out)
        out.append("")
    gaps = {g.rule.id: g for g in report.gaps}
    width = max(len(r.title) for r in rows)
    out.append(f"Supply-chain gap table ({plural(report.files, 'file')} checked)")
    out.append("")
    out.append(f"  {'step':<4}  {'gap':<{width}}  {'rule':<6}  {'severity':<8}  status")
    # A row whose rule the selection left out was not checked: it must never read "ok".
    unchecked = [r for r in rows if report.gap_rows is not None and r.rule.id not in report.gap_rows]
    for row in rows:
        gap = gaps.get(row.rule.id)
        status = (paint(report, COLORS[row.rule.severity], "GAP") if gap else
                  "not checked" if row in unchecked else "ok")
        out.append(f"  {row.step:<4}  {row.title:<{width}}  {row.rule.id:<6}  "
                   f"{row.rule.severity:<8}  {status}")
    open_gaps = [r for r in rows if r.rule.id in gaps]
    out.append("")
    if unchecked:
        out.append(f"Not checked: {', '.join(r.rule.id for r in unchecked)} (left out by --select, "
                   "--ignore or the configuration); their rows say nothing about this repository.")
        out.append("")
    if open_gaps:
        out.append("Fix in this order:")
        for row in open_gaps:
            out.append(f"  {row.step}. {FIX_ORDER[row.step - 1]}: {gaps[row.rule.id].message}")
            out.append(f"     impact: {row.impact}")
            out.append(f"     fix: {plain(row.rule.fix)}")
            out.append(f"     see: {row.rule.help_url}")
    elif unchecked:
        out.append("No gaps among the rows checked.")
    elif PUBLISHES in report.facts:
        out.append("No gaps: images are signed, gated, described by attested SBOMs and "
                   "carry provenance" + (", and Flux verifies what it pulls." if OCI_SOURCE in
                                          report.facts else "."))
    elif OCI_SOURCE in report.facts:
        out.append("No gaps: Flux verifies the signatures of the OCI artifacts it pulls.")
    else:
        out.append("No gaps: an update configuration keeps the repository's pins fresh.")
    if supply_chain:
        admission = "present" if ADMISSION in report.facts else "not found in this repository"
        out.append("")
        out.append(f"Step 4, {FIX_ORDER[3].lower()}: an image-verification policy is {admission}; "
                   "enforce signatures at admission once images are signed.")
    _not_followed(unseen, out)
    out.extend(readiness_lines(report))
    skipped = skipped_line(report)
    if report.errors or skipped:
        out.append("")
    if skipped:
        out.append(skipped)
    out.extend(error_lines(report))
    _end(report, out)
    return "\n".join(out)


def _not_followed(unseen, out):
    """What the audit could not follow, each with its place: the rows above do not cover it."""
    if not unseen:
        return
    out.extend(("", "Not followed (the rows above do not cover these):"))
    for path, line, what, why, _ in unseen:
        out.append(f"  {path}:{line}: {what}: {why}")


def readiness_lines(report):
    """The Deny readiness table: would each validating policy block something if it denied
    today? Then PSK907 for the policies in Audit that would, and what "no results" means."""
    rows = report.readiness
    if rows is None:
        return []
    out = ["", "Deny readiness (from the PolicyReports given)"]
    if not rows:
        return out + ["  No validating Kyverno policy in this repository."]
    width = max(len("policy"), *(len(r.policy) for r in rows))
    out += ["", f"  {'policy':<{width}}  {'mode':<7}  {'pass':>6}  {'fail':>6}  verdict"]
    for r in rows:
        out.append(f"  {r.policy:<{width}}  {r.mode:<7}  {r.passed:>6}  {r.failed:>6}  {r.verdict}")
    blocked = {(f.related[0].path, f.related[0].line): f for f in report.gaps or ()
               if f.rule.id == "PSK907" and f.related}
    for r in rows:
        if not r.failing:
            continue
        gap = blocked.get((r.path, r.line))
        if gap is not None:
            out += ["", f"  {paint(report, COLORS[gap.rule.severity], gap.rule.id)} "
                        f"{gap.rule.name}: {gap.message}", f"     fix: {plain(gap.rule.fix)}",
                    f"     see: {gap.rule.help_url}"]
        elif r.blocking:
            names = ", ".join(describe(x) for x in r.failing[:5])
            more = f" and {len(r.failing) - 5} more" if len(r.failing) > 5 else ""
            out += ["", f"  {r.policy} ({r.path}) is already in {r.mode}, and the reports hold "
                        f"{plural(len(r.failing), 'resource')} failing it, each refused on its "
                        f"next create or update: {names}{more}"]
    others = getattr(rows, "others", ())
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        noun = "1 policy" if len(others) == 1 else f"{len(others)} policies"
        out += ["", f"  The reports also hold results for {noun} this "
                    f"repository does not define: {shown}. Another repository's policies, or a "
                    "name changed on the way to the cluster (a kustomize namePrefix)?"]
    if any(not r.results for r in rows):
        out += ["", "  no results: the reports hold nothing for the policy. Its background scans "
                    "may be off (background: false) with no matching request since it was "
                    "applied, no resource in that cluster matches it, or it is not deployed "
                    "there. No results are no evidence: read them as unknown, not ready."]
    return out


def _end(report, out):
    config = config_line(report)
    if config:
        out.extend(("", config))
