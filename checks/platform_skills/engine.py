"""Runs the rules over documents, dispatching by input kind from the kinds table.

Large trees are split across processes: parsing dominates and is CPU-bound, and each
file is independent. Results cross the process boundary as plain tuples.
"""

from __future__ import annotations

import os

from . import kinds, loader, surroundings
from .findings import Builder
from .model import FileError, Finding, Location, Skipped
from .parsers import HCL_MISSING, hcl_advice
from .readers.suppressions import SuppressionView
from .registry import RULES, Selection, get_rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
    from typing import Any

    from .loader import Excluded
    from .model import Document, Requires, Rule
    from .readers.facts import Facts
    from .readers.policy_reports import ReadinessTable

    Options = dict[str, Any]  # {rule_id: {option: value}}, and evidence by name
    Group = tuple[Selection, Options]  # the rules and options of one scope
    Candidate = tuple[str, str, int]  # (path, root, group index)
    # What crosses the process boundary for one file: findings, errors, skipped, facts.
    Plain = tuple[list[Any] | None, list[tuple[str, str]], list[tuple[str, str]], Facts | None]

PARALLEL_MIN_FILES = 400  # below this, starting worker processes costs more than it saves


class Result:
    __slots__ = ("findings", "errors", "skipped", "files", "facts", "notices", "readiness")

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.errors: list[FileError] = []
        self.skipped: list[Skipped] = []
        self.files = 0
        self.facts: Facts = {}  # supply-chain fact key -> (path, line) of its first evidence (audit)
        self.notices: list[str] = []  # warnings for stderr: what the run could not look at, and why
        self.readiness: ReadinessTable | None = None  # audit with PolicyReports: the Deny readiness rows


def check_document(doc: Document, rules: Collection[Rule] | Selection, options: Options | None = None,
                   ) -> tuple[list[Finding], list[FileError]]:
    """Findings of ``rules`` on one document, suppressions applied; rule crashes become errors."""
    selection = rules if isinstance(rules, Selection) else Selection.of(rules)
    builder = Builder(doc.path, doc.text, doc.lines)
    errors: list[FileError] = []
    kind = kinds.get(doc.kind)
    applicable, hygiene = _plan(selection, options, doc.kind)
    if applicable:
        views = kind.views(doc)
        for rule, extra, holds in applicable:
            if holds is not None and not holds(doc):
                continue  # the file's text cannot give this rule anything (Rule.requires)
            for view in views:
                _run(rule, builder, errors, doc.path, view, *extra)
    try:
        errors.extend(FileError(doc.path, f"line {line}: {message}") for line, message in kind.problems(doc))
    except Exception as exc:  # a reader bug must not lose the findings
        errors.append(FileError(doc.path, f"internal error reading its shape: {type(exc).__name__}"))
    if hygiene and builder.ledger is not None and builder.ledger.entries:
        view = SuppressionView(builder.ledger.entries, set(selection.ids), RULES)
        for rule in hygiene:
            _run(rule, builder, errors, doc.path, view)
    return sorted(builder.findings, key=Finding.sort_key), errors


_PLANS: dict[Any, Any] = {}  # (selection and options by identity, kind) -> what check_document runs; see _plan


def _plan(selection: Selection, options: Options | None, kind: str,
          ) -> tuple[list[tuple[Rule, tuple[Any, ...], Callable[[Document], bool] | None]], list[Rule]]:
    """``([(rule, extra arguments, its requires as a test)] for ``kind``, [suppression hygiene
    rules])``: worked out once per selection, options and kind, not again for every document."""
    key = (id(selection), id(options), kind)
    found = _PLANS.get(key)
    if found is not None and found[0] is options and found[2] is selection:
        return found[1]  # type: ignore[no-any-return]
    options_ = options or {}
    applicable: list[tuple[Rule, tuple[Any, ...], Callable[[Document], bool] | None]] = []
    for rule in selection.for_kind(kind):
        extra: tuple[Any, ...] = (options_.get(rule.id) or rule.option_defaults(),) if rule.options else ()
        extra += tuple(options_.get(name) for name in rule.evidence)
        applicable.append((rule, extra, _holds(rule.requires)))
    hygiene = selection.for_kind(kinds.SUPPRESSIONS)
    if len(_PLANS) > 256:  # many scopes (a fleet): keep the table small
        _PLANS.clear()
    # The plan keeps the selection and ``options`` alive, so their ids cannot be reused while
    # it is in the table.
    _PLANS[key] = (options, (applicable, hygiene), selection)
    return applicable, hygiene


def _holds(requires: Requires) -> Callable[[Document], bool] | None:
    """``Rule.requires`` as a test of a document (None: every document)."""
    if callable(requires):
        return requires
    if not requires:
        return None
    words = tuple(requires)
    if len(words) == 1:  # most rules: one word, tested without a generator
        word = words[0]
        return lambda doc: word in doc.text
    return lambda doc: any(word in doc.text for word in words)


def _run(rule: Rule, builder: Builder, errors: list[FileError], path: str, view: Any, *extra: Any) -> None:
    try:
        for item in rule.check(view, *extra):
            builder.add(rule, item)
    except Exception as exc:  # a rule bug must not lose the other rules' findings
        errors.append(FileError(path, f"internal error in {rule.id}: {type(exc).__name__}: {exc}"))


def _check_file(path: str, root: str, rules: Selection, options: Options, want_facts: bool,
                ) -> tuple[list[Finding] | None, list[FileError], list[Skipped], Facts | None]:
    """``(findings or None when not checked, errors, skipped, facts)`` for one file."""
    doc, problem = loader.load(path, root)
    if doc is None:
        if isinstance(problem, Skipped):
            return None, [], [problem], None
        return None, [problem] if problem else [], [], None
    findings, errors = check_document(doc, rules, options)
    for finding in findings:
        # A fix holds the document's nodes; kept, every checked file would stay in memory
        # and the garbage collector would walk them all again and again. ``check --fix``
        # checks each file afresh (fixer.py), so a run's findings need no fix attached.
        finding.autofix = None
    facts = None
    if want_facts:
        from .readers.facts import document_facts  # the audit's readers: not on a check's path
        try:
            facts = document_facts(doc, kinds.get(doc.kind).views(doc))
        except Exception as exc:
            errors.append(FileError(doc.path, f"internal error in audit: {type(exc).__name__}"))
    doc.close()
    return findings, errors, [], facts


# A spawned worker's state: one (rules, options) pair per scope; rules are looked up by ID
# so only strings cross the process boundary.
_WORKER: list[Group] = None  # type: ignore[assignment]  # set in each worker before _work


def _init_worker(groups: Iterable[tuple[list[str], Options]]) -> None:
    global _WORKER
    _WORKER = [(Selection(rule_ids), options) for rule_ids, options in groups]


def _location_tuple(loc: Location) -> tuple[str, int, int | None, str]:
    return (loc.path, loc.line, loc.column, loc.note)


def _work(batch: Iterable[Candidate], want_facts: bool) -> list[Plain]:
    return _plain(batch, _WORKER, want_facts)


def _plain(batch: Iterable[Candidate], groups: Sequence[Group], want_facts: bool) -> list[Plain]:
    """The batch's results as plain tuples (what crosses from a worker process)."""
    out = []
    for path, root, group in batch:
        rules, options = groups[group]
        findings, errors, skipped, facts = _check_file(path, root, rules, options, want_facts)
        out.append((None if findings is None else
                    [(f.rule.id, f.path, f.line, f.message, f.column,
                      [_location_tuple(r) for r in f.related], f._fix) for f in findings],
                    [(e.path, e.message) for e in errors],
                    [(s.path, s.reason) for s in skipped], facts))
    return out


def run(paths: Sequence[str], rules: Collection[Rule] | Selection, excluded: Excluded | None = None,
        want_facts: bool = False,
        jobs: int | None = None, options: Options | None = None, scope_of: Callable[[str], Any] | None = None,
        ) -> Result:
    """Check every file under ``paths`` with ``rules`` (``options``: ``{rule_id: {...}}``).

    ``scope_of(path)``, where settings differ from file to file, gives each file's own
    ``selection`` and ``options`` (attributes); ``rules`` is then every rule any file may run.
    A rule's module is imported when the first file of a kind it reads turns up.
    """
    result = Result()
    surroundings.forget()  # files may have changed since an earlier run in this process
    selection = rules if isinstance(rules, Selection) else Selection.of(rules)
    only = selection.kinds() - kinds.PSEUDO_TARGETS
    if want_facts:
        from .readers.facts import FACT_KINDS
        only |= FACT_KINDS
    found, errors = loader.discover(paths, excluded, only)
    result.errors.extend(errors)
    groups: list[Group]
    index: dict[int, int]
    candidates: list[Candidate]
    groups, index, candidates = [(selection, options or {})], {}, []
    for path, root in found:
        group = 0
        if scope_of is not None:
            scope = scope_of(path)
            group = index.get(id(scope))  # type: ignore[assignment]  # None: given below
            if group is None:
                group = index[id(scope)] = len(groups)
                groups.append((scope.selection, scope.options))
        candidates.append((path, root, group))
    jobs = workers(jobs, len(candidates))
    reached: set[str] = set()  # the trees that held at least one file of a kind
    if jobs > 1 and len(candidates) >= PARALLEL_MIN_FILES:
        _run_parallel(candidates, groups, want_facts, jobs, result, reached)
    else:
        for path, root, group in candidates:
            if _merge(result, *_check_file(path, root, *groups[group], want_facts)):
                reached.add(root)
    result.notices.extend(_notices(paths, reached, result.skipped))
    result.findings.sort(key=Finding.sort_key)
    result.errors.sort(key=lambda e: e.path)
    result.skipped.sort(key=lambda s: s.path)
    return result


def _notices(paths: Iterable[str], reached: Collection[str], skipped: Iterable[Skipped]) -> Iterator[str]:
    """Warnings for what nobody would otherwise notice: a folder with nothing to check, and
    Terraform files left unread because the HCL parser is missing."""
    for given in paths:
        if os.path.isdir(given) and given not in reached:
            yield f"no files to check under {loader.display_path(given)}"
    unparsed = sum(1 for s in skipped if s.reason.startswith(HCL_MISSING))
    if unparsed:
        noun = "file was" if unparsed == 1 else "files were"
        yield f"{unparsed} Terraform {noun} NOT checked: {HCL_MISSING}. To install it: {hcl_advice()}"


def workers(jobs: int | None, files: int) -> int:
    """How many processes a run of ``files`` files uses when ``--jobs`` asked for ``jobs``
    (None: all cores): processes beyond the cores only contend for them, and beyond the
    files sit idle."""
    cores = os.cpu_count() or 1
    return max(1, min(jobs or cores, cores, files))


def _run_parallel(candidates: list[Candidate], groups: list[Group], want_facts: bool, jobs: int, result: Result,
                  reached: set[str]) -> None:
    from . import forked  # with pickle and signal: not on the path of a small run

    size = max(50, len(candidates) // (jobs * 4))
    count = min(-(-len(candidates) // size), forked.MAX_BATCHES)
    # Dealt round-robin, not cut in runs: files of a slow kind (Terraform) sit together in
    # the walk, and one batch holding all of them would finish long after the others.
    batches = [candidates[i::count] for i in range(count)]
    # The rule modules the files' kinds need, imported here once for every worker to inherit.
    expected = _expected_kinds(path for path, _, _ in candidates)
    for selection, _ in groups:
        for kind in expected:
            selection.for_kind(kind)
    if hasattr(os, "fork"):
        chunks = forked.run(count, lambda i: _plain(batches[i], groups, want_facts), jobs)
    else:
        chunks = _pool(batches, groups, want_facts, jobs)
    # Merged in the walk's order, as a serial run merges: the audit keeps each fact's first
    # evidence, which must not depend on how the files were dealt.
    plain: list[Plain] = [None] * len(candidates)  # type: ignore[list-item]  # all set below
    for start, chunk in enumerate(chunks):
        plain[start::count] = chunk
    for (_, root, _), (findings, errs, skipped, facts) in zip(candidates, plain, strict=True):
        if findings is not None:
            findings = [Finding(get_rule(r), p, ln, m, col, [Location(*x) for x in rel], fix)
                        for r, p, ln, m, col, rel, fix in findings]
        if _merge(result, findings, [FileError(p, m) for p, m in errs],
                  [Skipped(p, r) for p, r in skipped], facts):
            reached.add(root)


def _pool(batches: list[list[Candidate]], groups: list[Group], want_facts: bool, jobs: int,
          ) -> list[list[Plain]]:
    """Where processes cannot fork (Windows): spawned workers, which import the rules again."""
    import multiprocessing

    plain = [(list(selection.ids), options) for selection, options in groups]
    with multiprocessing.get_context("spawn").Pool(
            min(jobs, len(batches)), initializer=_init_worker, initargs=(plain,)) as pool:
        return pool.starmap(_work, [(b, want_facts) for b in batches])


def _expected_kinds(paths: Iterable[str]) -> set[str]:
    """The kinds the files of a run will turn out to be: by location where a kind claims the
    path, else every kind recognised by content."""
    found: set[str] = {kinds.SUPPRESSIONS}
    content = {kind.name for kind in kinds.all_kinds() if kind.hints is not None}
    for path in paths:
        norm = path.replace(os.sep, "/")
        kind = kinds.claiming(norm, norm.rsplit("/", 1)[-1])
        if kind is not None:
            found.add(kind.name)
        elif not content <= found:
            found |= content
    return found


def _merge(result: Result, findings: list[Finding] | None, errors: list[FileError], skipped: list[Skipped],
           facts: Facts | None) -> bool:
    """Add one file's results; True when the file was of a kind (checked, skipped or in error)."""
    result.errors.extend(errors)
    result.skipped.extend(skipped)
    if findings is None:
        return bool(errors or skipped)
    result.files += 1
    result.findings.extend(findings)
    for fact, evidence in (facts or {}).items():
        result.facts.setdefault(fact, evidence)
    return True
