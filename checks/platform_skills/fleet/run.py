"""Audit many repository folders in parallel: one process-pool task per repository.

Each task does what ``platform-skills audit PATH --format json`` does, in-process, and hands
back that JSON object, so a fleet made here and one merged from the Action's JSON files agree.
"""

import json
import os
import sys

PROGRESS_MIN = 20  # below this many repositories a run is short: no progress lines


def audit_folder(path, settings):
    """The ``audit --format json`` object for one repository folder. ``settings`` is
    ``(select, ignore, fail_on, exclude, use_config)`` as the command line gave them."""
    from .. import audit
    from ..config import ConfigError
    from ..loader import display_path
    from ..report import Report, json_report
    from ..scopes import Scopes

    name = audit.repository_name(path)
    try:
        # One repository per task: the pool already uses every core, so no pool inside it.
        result, gaps, chosen = audit.run_scoped(path, Scopes(*settings), jobs=1)
    except ConfigError as exc:  # this repository's own configuration file is wrong
        return {"version": 1, "repository": name, "findings": [], "unseen": [],
                "errors": [{"path": display_path(path), "message": str(exc)}]}
    report = Report.of_audit(result, gaps, chosen, name)
    return json.loads(json_report.render(report))


def _task(args):
    return audit_folder(*args)


def audit_all(paths, settings, jobs=None, stream=None):
    """The audit objects of ``paths``, in their order; progress lines on ``stream`` (stderr)
    when there are at least PROGRESS_MIN repositories."""
    stream = sys.stderr if stream is None else stream
    total = len(paths)
    jobs = max(1, min(jobs or os.cpu_count() or 1, total))
    tasks = [(path, settings) for path in paths]
    progress = _Progress(total, stream) if total >= PROGRESS_MIN else None
    out = []
    if jobs == 1:
        for task in tasks:
            out.append(_task(task))
            if progress:
                progress.step(len(out))
        return out
    import multiprocessing

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(jobs) as pool:
        # Small chunks keep the progress line moving and one large repository from holding
        # back a whole batch of small ones.
        for entry in pool.imap(_task, tasks, chunksize=max(1, total // (jobs * 16))):
            out.append(entry)
            if progress:
                progress.step(len(out))
    return out


class _Progress:
    """``platform-skills fleet: 40/200 repositories audited`` at every tenth of the run."""

    def __init__(self, total, stream):
        self.total, self.stream, self.shown = total, stream, 0

    def step(self, done):
        tenth = done * 10 // self.total
        if tenth > self.shown or done == self.total:
            self.shown = tenth
            print(f"platform-skills fleet: {done}/{self.total} repositories audited",
                  file=self.stream, flush=True)
