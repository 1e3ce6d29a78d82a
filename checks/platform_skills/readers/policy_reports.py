"""PolicyReports exported from a cluster: what each Kyverno policy's results say.

Evidence from outside the repository (``--policy-reports``, configuration key
``policy-reports``): ``wgpolicyk8s.io`` PolicyReport/ClusterPolicyReport, one report per
resource named by ``scope`` (Kyverno 1.10+) or results that list their ``resources`` (older
reports); ``openreports.io`` Report/ClusterReport (same results); and ``List``s of them, as
``kubectl get policyreports,clusterpolicyreports -A -o yaml|json`` prints. Fleets export tens
of megabytes, so each file is read in one pass into per-policy tallies and nothing else is
kept: JSON with ``json``, YAML from the C parser's event stream, each item of a List counted
and dropped as soon as it is complete (``parsers.yaml_data``).

A result's ``policy`` is the policy's name, ``namespace/name`` for a namespaced one (Kyverno
keys it so). Only Kyverno's results count (``source`` ``kyverno`` or a ``Kyverno*`` policy
type, or no source): other engines write reports too.
"""

from __future__ import annotations

import os

from ..model import FileError
from ..parsers import ParseError, yaml_data
from .kyverno import CEL_VALIDATING, IMAGE_POLICIES, NAMESPACED, POLICY

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

    Resource = tuple[str, str, str]  # (kind, namespace, name)

OPTION = "policy-reports"  # the run options' key for the Evidence, and the setting's name
GROUPS = ("wgpolicyk8s.io/", "openreports.io/")
REPORT_KINDS = frozenset(("PolicyReport", "ClusterPolicyReport", "Report", "ClusterReport"))
SUFFIXES = (".yaml", ".yml", ".json")
OUTCOMES = ("pass", "fail", "warn", "error", "skip")


class Tally:
    """One policy's results: counts by outcome, and the resources that fail, in file order."""

    __slots__ = ("counts", "failing")

    def __init__(self) -> None:
        self.counts = dict.fromkeys(OUTCOMES, 0)
        self.failing: dict[Resource, None] = {}  # (kind, namespace, name) -> None: an ordered set

    @property
    def results(self) -> int:
        return sum(self.counts.values())

    def add(self, other: Tally) -> None:
        for outcome, n in other.counts.items():
            self.counts[outcome] += n
        self.failing.update(other.failing)


class Evidence:
    """The tallies of every report file read, keyed by the result's ``policy`` and source."""

    __slots__ = ("files", "results", "tallies")

    def __init__(self) -> None:
        self.files: list[str] = []    # the report files read, as printed
        self.results = 0   # Kyverno results counted, every policy
        self.tallies: dict[str, dict[str, Tally]] = {}  # policy key -> {source, lower case -> Tally}

    def tally(self, kind: str, namespace: str, name: str) -> Tally | None:
        """The results for one policy of the repository, or None when the reports hold none.

        A namespaced policy whose file names no namespace (``kubectl apply -n``, a
        kustomization's ``namespace:``) takes the results of that name in every namespace.
        """
        found = None
        for key in self.keys(kind, namespace, name):
            for source, tally in self.tallies.get(key, {}).items():
                if _source_fits(kind, source):
                    found = found or Tally()
                    found.add(tally)
        return found


    def keys(self, kind: str, namespace: str, name: str) -> list[str]:
        """The result ``policy`` values that can name this policy."""
        if kind not in NAMESPACED:
            return [name]
        if namespace:
            return [f"{namespace}/{name}"]
        return [k for k in self.tallies if k.partition("/")[2] == name]


def merged(parts: Iterable[Evidence]) -> Evidence:
    """One Evidence holding the tallies of several (the command line's and a configuration's)."""
    out = Evidence()
    for part in parts:
        out.files.extend(part.files)
        out.results += part.results
        for policy, by_source in part.tallies.items():
            for source, tally in by_source.items():
                out.tallies.setdefault(policy, {}).setdefault(source, Tally()).add(tally)
    return out


def _source_fits(kind: str, source: str) -> bool:
    """Whether a result of this ``source`` (lower case) can be this kind's: "kyverno" for
    ClusterPolicy/Policy, "kyverno<...>validatingpolicy" for the CEL kinds, image policies
    apart; a result without a source fits any kind."""
    if not source:
        return True
    if kind in CEL_VALIDATING:
        return (source.startswith("kyverno") and source.endswith("validatingpolicy")
                and ("image" in source) == (kind in IMAGE_POLICIES))
    return source == "kyverno"


def read(paths: Iterable[str], show: Callable[[str], str], inside: str | None = None,
         ) -> tuple[Evidence, list[FileError]]:
    """``(Evidence, errors)`` for report files and folders (searched for .yaml/.yml/.json);
    ``show(path)`` is a path as messages print it.

    ``inside``: a folder every path must resolve into (paths from a configuration file stay
    in its folder, so a pull request cannot point the checks at the runner's files).
    """
    errors: list[FileError]
    evidence, errors = Evidence(), []
    for given in paths:
        for path in _files(given, show, errors):
            shown = show(path)
            if inside is not None and not _within(path, inside):
                errors.append(FileError(shown, "a policy-reports path of a configuration file "
                                               "must stay inside the configuration's folder; "
                                               "pass it with --policy-reports instead"))
                continue
            try:
                found = _read_file(path)
            except _Unreadable as exc:
                errors.append(FileError(shown, str(exc)))
                continue
            except Exception as exc:  # a reader bug must not cost the run: say so, go on
                errors.append(FileError(shown, f"internal error reading the reports: "
                                               f"{type(exc).__name__}"))
                continue
            found.files.append(shown)
            evidence = merged([evidence, found])
    return evidence, errors


class _Unreadable(Exception):
    pass


def _within(path: str, folder: str) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _files(given: str, show: Callable[[str], str], errors: list[FileError]) -> list[str]:
    if os.path.isdir(given):
        found: list[str] = []
        for folder, subfolders, names in os.walk(given):  # symlinked folders are not followed
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            found.extend(os.path.join(folder, n) for n in sorted(names) if n.endswith(SUFFIXES))
        if not found:
            errors.append(FileError(show(given), "no .yaml, .yml or .json file in this "
                                                  "policy-reports folder"))
        return found
    if not os.path.exists(given):
        errors.append(FileError(show(given), "no such policy-reports file or folder"))
        return []
    return [given]


def _read_file(path: str) -> Evidence:
    """The Evidence of one file, or _Unreadable: a file that breaks half-way adds nothing."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise _Unreadable(f"cannot read: {exc.strerror or exc}") from None
    if b"\0" in data:
        raise _Unreadable("not a PolicyReport file: binary data")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unreadable("not a PolicyReport file: not UTF-8 text") from None
    del data
    evidence = Evidence()
    reports = items = 0

    def each_item(item: Any) -> None:  # an item of a YAML List, handed over as soon as it is read
        nonlocal reports, items
        items += 1
        reports += _walk(item, evidence, 1)

    documents = _parse(path, text, each_item)
    empty_list = False
    for document in documents:
        reports += _walk(document, evidence, 0)
        if isinstance(document, dict) and document.get("kind") == "List" and not document.get("items"):
            empty_list = True
    # An empty List is a cluster without reports; a List of something else is the wrong export.
    if reports == 0 and not (empty_list and items == 0):
        raise _Unreadable("holds no PolicyReport, ClusterPolicyReport, Report, ClusterReport "
                          "or List of them")
    return evidence


def _parse(path: str, text: str, each_item: Callable[[Any], None]) -> list[Any]:
    """The file's documents; the items of a YAML List go to ``each_item`` as they are read."""
    if path.endswith(".json") or text[:64].lstrip()[:1] in ("{", "["):
        import json  # only JSON exports pay for it: rules import this module at start-up

        try:
            data = json.loads(text)
        except RecursionError:
            raise _Unreadable("invalid JSON: nesting too deep to parse") from None
        except ValueError as exc:
            if path.endswith(".json"):
                raise _Unreadable(f"invalid JSON at line {getattr(exc, 'lineno', '?')}, column "
                                  f"{getattr(exc, 'colno', '?')}: {getattr(exc, 'msg', exc)}") from None
        else:
            return data if isinstance(data, list) else [data]
    try:
        return yaml_data(text, each_item)
    except ParseError as exc:
        raise _Unreadable(str(exc)) from None


def _walk(obj: Any, evidence: Evidence, depth: int) -> int:
    """Count one report, or the reports of a List; return how many reports were met. The
    walk is a fixed depth, and YAML aliases are bounded by the parser, so a repeated object
    costs at most its repetitions."""
    if not isinstance(obj, dict) or depth > 2:
        return 0
    kind, api = obj.get("kind"), obj.get("apiVersion")
    if kind == "List" or (isinstance(kind, str) and kind.endswith("List") and "items" in obj):
        items = obj.get("items")
        count = 0
        for item in items if isinstance(items, list) else ():
            count += _walk(item, evidence, depth + 1)
        return count
    if kind not in REPORT_KINDS or not isinstance(api, str) or not api.startswith(GROUPS):
        return 0
    _count(obj, evidence)
    return 1


def _count(report: dict[str, Any], evidence: Evidence) -> None:
    tallies = evidence.tallies
    metadata = report.get("metadata")
    namespace = _text(_get(metadata, "namespace"))
    scope = _resource(report.get("scope")) or _owner(metadata, namespace)
    results = report.get("results")
    for result in results if isinstance(results, list) else ():
        if not isinstance(result, dict):
            continue
        outcome = _text(result.get("result")).lower()
        policy = _text(result.get("policy"))
        if outcome not in OUTCOMES or not policy:
            continue
        source = _text(result.get("source")).lower()
        if source and not source.startswith("kyverno"):
            continue
        tally = tallies.setdefault(policy, {}).get(source)
        if tally is None:
            tally = tallies[policy][source] = Tally()
        tally.counts[outcome] += 1
        evidence.results += 1
        if outcome == "fail":
            listed = result.get("resources")
            subjects = [_resource(r) for r in listed] if isinstance(listed, list) else []
            subjects = [s for s in subjects if s] or [scope or ("", namespace, "")]
            for subject in subjects:
                tally.failing[subject] = None  # type: ignore[index]


def _owner(metadata: Any, namespace: str) -> Resource | None:
    """The resource a per-resource report belongs to when it has no ``scope``: Kyverno makes
    the resource the report's only owner."""
    owners = _get(metadata, "ownerReferences")
    if isinstance(owners, list) and len(owners) == 1 and isinstance(owners[0], dict):
        owner = _resource(owners[0])
        return owner and (owner[0], owner[1] or namespace, owner[2])
    return None


def _resource(ref: Any) -> Resource | None:
    """``(kind, namespace, name)`` of an object reference, or None."""
    if not isinstance(ref, dict):
        return None
    name = _text(ref.get("name"))
    return (_text(ref.get("kind")), _text(ref.get("namespace")), name) if name else None


def _get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def describe(resource: Resource) -> str:
    """``namespace/kind/name`` (``kind/name`` for cluster-scoped resources)."""
    kind, namespace, name = resource
    if not name:
        where = f" in namespace {namespace}" if namespace else ""
        return f"a resource{where} the report does not name"
    return "/".join(p for p in (namespace, kind or "?", name) if p)


class Readiness:
    """One validating policy of the repository beside its reports: would Deny block now?"""

    __slots__ = ("kind", "policy", "path", "line", "mode", "results", "passed", "failed",
                 "failing")

    def __init__(self, kind: str, policy: str, path: str, line: int, mode: str,
                 tally: Tally | None) -> None:
        self.kind = kind
        self.policy = policy  # name, or namespace/name, as results name it
        self.path = path
        self.line = line
        self.mode = mode
        # Every outcome shows the policy ran (warn, error and skip too); only fail blocks.
        self.results = tally.results if tally else 0
        self.passed = tally.counts["pass"] if tally else 0
        self.failed = tally.counts["fail"] if tally else 0
        self.failing = list(tally.failing) if tally else []

    @property
    def blocking(self) -> bool:
        return self.mode in ("Deny", "Enforce")

    @property
    def verdict(self) -> str:
        if self.failing:
            return f"would block {len(self.failing)}"
        return "ready" if self.results else "no results"


class ReadinessTable(list):  # type: ignore[type-arg]
    """The Readiness rows, and what the reports hold that no row took: results for policies
    this repository does not define (another repository's, or names a kustomize
    ``namePrefix`` changed), said rather than silently dropped."""

    others: Sequence[str] = ()


def deny_readiness(facts: dict[tuple[Any, ...], tuple[str, int]], evidence: Evidence) -> ReadinessTable:
    """A Readiness per validating policy among the audit's raw ``facts``, in file order."""
    rows, used = ReadinessTable(), set()
    for key, (path, line) in sorted(facts.items(), key=lambda kv: kv[1]):
        if key[0] != POLICY:
            continue
        _, kind, namespace, name, mode, _ = key
        policy = f"{namespace}/{name}" if namespace else name
        used.update(evidence.keys(kind, namespace, name))
        rows.append(Readiness(kind, policy, path, line, mode, evidence.tally(kind, namespace, name)))
    rows.others = sorted(set(evidence.tallies) - used)
    return rows
