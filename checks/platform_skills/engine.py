"""Runs the rules over documents, and over a whole repository for ``audit``.

Large trees are split across processes: parsing dominates and is CPU-bound, and each
file is independent. Results cross the process boundary as plain tuples.
"""

import os

from . import loader
from .model import FileError, Finding
from .registry import get_rule
from .rules import repo, suppressions
from .rules.workflow import Workflow

PARALLEL_MIN_FILES = 400  # below this, starting worker processes costs more than it saves


class Result:
    __slots__ = ("findings", "errors", "files", "facts")

    def __init__(self):
        self.findings = []
        self.errors = []
        self.files = 0
        self.facts = {}  # supply-chain fact -> the first file that shows it (audit only)


def check_document(doc, rules):
    """Findings of ``rules`` on one document, suppressions applied; rule crashes become errors."""
    raw, errors = [], []
    wf = None

    def run(rule, subject):
        try:
            for line, message in rule.check(subject):
                raw.append(Finding(rule, doc.path, line, message))
        except Exception as exc:  # a rule bug must not lose the other rules' findings
            errors.append(FileError(doc.path, f"internal error in {rule.id}: "
                                              f"{type(exc).__name__}: {exc}"))

    for rule in rules:
        if doc.kind in rule.targets:
            if doc.kind == "manifest":
                for root in doc.roots:
                    run(rule, root)
            else:
                if wf is None:
                    wf = Workflow(doc)
                run(rule, wf)
        elif "source" in rule.targets and suppressions.MARKER in doc.text:
            run(rule, doc.lines)
    return _apply_suppressions(doc, _dedupe(raw)), errors


def _dedupe(findings):
    seen = set()
    out = []
    for f in findings:
        key = (f.rule.id, f.line)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _apply_suppressions(doc, findings):
    if not findings or suppressions.MARKER not in doc.text:
        return findings
    covered = suppressions.parse(doc.lines)
    return [f for f in findings
            if f.rule.id == "PSK006" or not suppressions.covers(covered.get(f.line), f.rule.id)]


def document_facts(doc):
    if doc.kind == "manifest":
        facts = set()
        for root in doc.roots:
            facts |= repo.manifest_facts(root)
        return facts
    return repo.workflow_facts(Workflow(doc))


def _check_file(path, root, rules, want_facts):
    """``(findings or None when not checked, errors, facts)`` for one file."""
    doc, error = loader.load(path, root)
    if doc is None:
        return None, [error] if error else [], None
    findings, errors = check_document(doc, rules)
    facts = None
    if want_facts:
        try:
            facts = dict.fromkeys(document_facts(doc), doc.path)
        except Exception as exc:
            errors.append(FileError(doc.path, f"internal error in audit: {type(exc).__name__}"))
    return findings, errors, facts


# Worker state: rules are looked up by ID so only strings cross the process boundary.
_WORKER_RULES = None


def _init_worker(rule_ids):
    global _WORKER_RULES
    _WORKER_RULES = [get_rule(i) for i in rule_ids]


def _work(batch, want_facts):
    out = []
    for path, root in batch:
        findings, errors, facts = _check_file(path, root, _WORKER_RULES, want_facts)
        out.append((None if findings is None else
                    [(f.rule.id, f.path, f.line, f.message) for f in findings],
                    [(e.path, e.message) for e in errors], facts))
    return out


def run(paths, rules, excluded=None, want_facts=False, jobs=None):
    """Check every file under ``paths`` with ``rules``."""
    result = Result()
    candidates, errors = loader.discover(paths, excluded)
    result.errors.extend(errors)
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(candidates) >= PARALLEL_MIN_FILES:
        _run_parallel(candidates, rules, want_facts, jobs, result)
    else:
        for path, root in candidates:
            findings, errs, facts = _check_file(path, root, rules, want_facts)
            _merge(result, findings, errs, facts)
    result.findings.sort(key=Finding.sort_key)
    result.errors.sort(key=lambda e: e.path)
    return result


def _run_parallel(candidates, rules, want_facts, jobs, result):
    import multiprocessing

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    size = max(50, len(candidates) // (jobs * 4))
    batches = [candidates[i:i + size] for i in range(0, len(candidates), size)]
    with context.Pool(jobs, initializer=_init_worker, initargs=([r.id for r in rules],)) as pool:
        for chunk in pool.starmap(_work, [(b, want_facts) for b in batches]):
            for findings, errs, facts in chunk:
                if findings is not None:
                    findings = [Finding(get_rule(r), p, ln, m) for r, p, ln, m in findings]
                _merge(result, findings, [FileError(p, m) for p, m in errs], facts)


def _merge(result, findings, errors, facts):
    result.errors.extend(errors)
    if findings is None:
        return
    result.files += 1
    result.findings.extend(findings)
    for fact, path in (facts or {}).items():
        result.facts.setdefault(fact, path)


def audit(repo_path, rules, excluded=None, jobs=None):
    """The repository gap rows (as findings at path ".") plus the file run they roll up."""
    result = run([repo_path], rules, excluded, want_facts=True, jobs=jobs)
    gaps = []
    if repo.PUBLISHES not in result.facts:
        return result, gaps
    by_rule = {}
    for f in result.findings:
        by_rule.setdefault(f.rule.id, []).append(f)
    for row in repo.GAP_ROWS:
        rule = get_rule(row.rule_id)
        if row.rollup:
            hits = by_rule.get(row.rule_id, [])
            if hits:
                where = ", ".join(f"{f.path}:{f.line}" for f in hits[:5])
                more = f" and {len(hits) - 5} more" if len(hits) > 5 else ""
                noun = "finding" if len(hits) == 1 else "findings"
                gaps.append(Finding(rule, ".", 0, f"{len(hits)} {row.rule_id} {noun}: "
                                                  f"{where}{more}"))
        elif any(True for _ in rule.check(result.facts)):
            gaps.append(Finding(rule, ".", 0, rule.summary))
    return result, gaps
