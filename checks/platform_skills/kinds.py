"""The input kinds: a closed, registered table of what the checks read.

Each kind says how a file is recognised (by location and name, or by content), how it is
parsed, and which view its rules receive. The loader, the engine and the Checkov adapters
all read this table; adding a kind is one ``register`` call plus the reader its view needs.

Recognition: a kind whose ``claims`` accepts the path takes the file. A file no kind claims
is parsed once and offered to each kind that also recognises content (``hints`` set) and
shares that parser, in table order; the first whose ``accept`` returns roots takes it.
"""

from __future__ import annotations

import os

from . import nodes, surroundings
from .parsers import (
    dockerfile_instructions,
    duplicate_keys,
    json5_roots,
    json_roots_or_skip,
    makefile,
    terraform_roots,
    yaml_roots,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Iterator
    from typing import Any

    from .model import Document, Rule
    from .readers.workflow import Workflow
    from .surroundings import Surroundings

    Claims = Callable[[str, str], bool]  # (path with / separators, file name)
    Parse = Callable[[str], list[Any]]  # text -> roots
    Accept = Callable[[list[Any], bool], list[Any] | None]  # (roots, claimed) -> kept roots
    View = Callable[[Document], Iterable[Any]]  # the subjects rules are called with
    Problems = Callable[[Document], Iterable[tuple[int, str]]]

YAML_SUFFIXES = (".yml", ".yaml")
# Targets that are not file kinds: the repository model (audit), the suppression comments
# of any checked file (which the finding builder hands to the hygiene rules), and answers
# from the network.
REPOSITORY = "repository"
SUPPRESSIONS = "suppressions"
ONLINE = "online"  # rules only ``pin --verify`` decides, from what the network answers
PSEUDO_TARGETS = frozenset((REPOSITORY, SUPPRESSIONS, ONLINE))


class KindError(Exception):
    """A file its name says is of a kind, whose content cannot be: a per-file error."""


class Kind:
    """One input kind.

    - ``claims(norm, name)``: True when the location alone decides (``norm`` is the path
      with ``/`` separators, ``name`` its last part); None for content-only kinds.
    - ``parse(text)``: the roots, or ``ParseError``.
    - ``accept(roots, claimed)``: the roots the kind keeps, or None when the content is not
      of this kind (raise ``KindError`` when a claimed file is malformed).
    - ``view(doc)``: the list of subjects each rule of this kind is called with.
    - ``checkov``: the Checkov frameworks that reach these files.
    - ``hints``: for kinds also recognised by content, substrings one of which the text
      must hold to be worth parsing (None: recognised by location only); ``suffixes``: the
      file names content recognition considers.
    - ``problems(doc)``: ``(line, message)`` for parts of a parsed file its tool would
      reject and no rule can judge (a HelmRelease whose ``chart`` is a string): each is a
      per-file error, while the rest of the file is still checked.
    """

    __slots__ = ("name", "title", "claims", "parse", "accept", "view", "checkov", "hints",
                 "suffixes", "problems")

    def __init__(self, name: str, title: str, parse: Parse, view: View, claims: Claims | None = None,
                 accept: Accept | None = None, checkov: Iterable[str] = (),
                 hints: tuple[str, ...] | None = None, suffixes: tuple[str, ...] = YAML_SUFFIXES,
                 problems: Problems | None = None) -> None:
        self.name = name
        self.title = title
        self.claims = claims
        self.parse = parse
        self.accept = accept or (lambda roots, claimed: roots)
        self.view = view
        self.checkov = tuple(checkov)
        self.hints = hints
        self.suffixes = suffixes  # names content recognition considers
        self.problems = problems or (lambda doc: ())

    def views(self, doc: Document) -> list[Any]:
        """The rules' subjects for ``doc``, built once per document."""
        found = doc.memo.get("view")
        if found is None:
            found = doc.memo["view"] = list(self.view(doc))
        return found

    def __repr__(self) -> str:
        return f"<Kind {self.name}>"


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind to the table (tests register toy kinds through this too)."""
    if kind.name in _KINDS or kind.name in PSEUDO_TARGETS:
        raise ValueError(f"input kind {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def get(name: str) -> Kind:
    return _KINDS[name]


def all_kinds() -> list[Kind]:
    return list(_KINDS.values())


def claiming(norm: str, name: str) -> Kind | None:
    """The kind whose location rule takes this path, or None."""
    for kind in _KINDS.values():
        if kind.claims is not None and kind.claims(norm, name):
            return kind
    return None


def named_kind(name: str) -> Kind | None:
    """The content kind whose file name this is (``kustomization.yaml``), or None: such a
    file is of its kind by name, so a parse failure is an error, not a skip."""
    for kind in _KINDS.values():
        if kind.hints is not None and name in kind.suffixes:
            return kind
    return None


def around(doc: Document) -> Surroundings:
    """The document's ``Surroundings`` (a document built from text alone has no tree: it
    sees only files beside its path)."""
    if doc.around is None:
        doc.around = surroundings.detached()
    return doc.around  # type: ignore[no-any-return]  # model.Document cannot name it


def content_candidates(name: str, text: str) -> list[Kind]:
    """Kinds that may recognise this unclaimed file by content, in table order (a file named
    as a kind's file is offered to it whatever it holds)."""
    return [k for k in _KINDS.values() if k.hints is not None and name.endswith(k.suffixes)
            and (name in k.suffixes or any(h in text for h in k.hints))]


def wanted(norm: str, name: str, only: Collection[str] | None = None) -> bool:
    """Whether a directory walk should offer this file to the loader (``only``: the kind
    names the run reads; None for all)."""
    kind = claiming(norm, name)
    if kind is not None:
        return only is None or kind.name in only
    return any(k.hints is not None and name.endswith(k.suffixes) and (only is None or k.name in only)
               for k in _KINDS.values())


def ignored(norm: str) -> bool:
    """Files that look like ours but are data: anything below ``.github/workflows/*/``."""
    head, sep, rest = ("/" + norm).partition("/.github/workflows/")
    return bool(sep) and "/" in rest and not rest.endswith((".sh", ".bash"))  # scripts are run


def validate(rule: Rule) -> None:
    """Raise ValueError when a rule targets a kind the table does not hold."""
    unknown = set(rule.targets) - set(_KINDS) - PSEUDO_TARGETS
    if unknown or not rule.targets:
        raise ValueError(f"{rule.id} targets unknown input kinds {sorted(unknown)}; "
                         f"known: {sorted(_KINDS)}")


# ---------------------------------------------------------------------------------------
# GitHub Actions: workflows and composite actions


def _in_workflows_dir(norm: str, name: str) -> bool:
    parent = ("/" + norm).rsplit("/", 2)
    return len(parent) == 3 and parent[1] == "workflows" and \
        ("/" + norm).endswith("/.github/workflows/" + name) and name.endswith(YAML_SUFFIXES)


def _is_action_file(norm: str, name: str) -> bool:
    return name in ("action.yml", "action.yaml") and not _in_workflows_dir(norm, name)


def _single_mapping(what: str) -> Accept:
    def accept(roots: list[Any], claimed: bool) -> list[Any] | None:
        maps = [r for r in roots if nodes.is_map(r)]
        if claimed:
            if not roots:
                return None
            if not nodes.is_map(roots[0]):
                raise KindError(f"a {what} must be a mapping at the top level, found a "
                                f"{roots[0].id} at line {nodes.line(roots[0])}")
            return [roots[0]]
        if len(maps) != 1:
            return None
        return maps if _SHAPES[what](maps[0]) else None
    return accept


def _looks_like_workflow(root: nodes.Node) -> bool:
    return nodes.get(root, "jobs") is not None and (
        nodes.get(root, "on") is not None or nodes.get(root, "true") is not None)


def _looks_like_action(root: nodes.Node) -> bool:
    runs = nodes.get(root, "runs")
    return nodes.is_map(runs) and nodes.get(runs, "using") is not None


_SHAPES: dict[str, Callable[[nodes.Node], bool]] = {
    "workflow": _looks_like_workflow, "action metadata file": _looks_like_action,
    "goreleaser configuration": lambda root: False,
    "Dependabot configuration": lambda root: False}


def _workflow_view(doc: Document) -> list[Workflow]:
    from .readers.workflow import Workflow
    return [Workflow(doc)]


# ---------------------------------------------------------------------------------------
# Kubernetes-style objects (workloads, Kyverno policies, ...)


def _manifests(roots: list[Any], claimed: bool) -> list[nodes.Collection] | None:
    """Every object with ``apiVersion`` and ``kind``; ``*List`` objects are expanded."""
    found = []
    pending = [r for r in reversed(roots) if nodes.is_map(r)]
    seen: set[int] = set()  # aliases can make Lists of Lists exponential: expand each node once
    while pending:
        root = pending.pop()
        if id(root) in seen:
            continue
        seen.add(id(root))
        items = nodes.get(root, "items")
        if nodes.text(nodes.get(root, "kind"), "").endswith("List") and nodes.is_seq(items):
            pending.extend(i for i in reversed(items.value) if nodes.is_map(i))
        elif nodes.get(root, "kind") is not None and nodes.get(root, "apiVersion") is not None:
            found.append(root)
    return found or None


def _roots_view(doc: Document) -> list[Any]:
    return doc.roots  # type: ignore[no-any-return]


def _manifest_view(doc: Document) -> list[Any]:
    """The objects, each knowing the tree around it: PSK301 asks it for the images the
    repository builds (Skaffold artifacts), which are placeholders, not images."""
    tree = around(doc)
    for root in doc.roots:
        root._psk_around = tree
    return doc.roots  # type: ignore[no-any-return]


def _manifest_problems(doc: Document) -> Iterator[tuple[int, str]]:
    from .readers.gitops import shape_problems
    for root in doc.roots:
        yield from shape_problems(root)


# ---------------------------------------------------------------------------------------
# Helm charts: Chart.yaml, and the values files beside it


class ChartView:
    """A chart's ``Chart.yaml`` root, and whether a ``Chart.lock`` sits beside it (the kinds
    layer looks; rules never touch the file system)."""

    __slots__ = ("root", "has_lock")

    def __init__(self, root: nodes.Node, has_lock: bool) -> None:
        self.root = root
        self.has_lock = has_lock


def _is_chart(norm: str, name: str) -> bool:
    return name == "Chart.yaml"


def _is_values(norm: str, name: str) -> bool:
    """``values*.yaml`` in a directory that holds a ``Chart.yaml``."""
    return name.startswith("values") and name.endswith(YAML_SUFFIXES) and \
        os.path.isfile(os.path.join(os.path.dirname(norm) or os.curdir, "Chart.yaml"))


def _chart_view(doc: Document) -> list[ChartView]:
    lock = os.path.join(os.path.dirname(doc.path) or os.curdir, "Chart.lock")
    return [ChartView(doc.roots[0], around(doc).exists(lock))]


# ---------------------------------------------------------------------------------------
# Terraform


def _is_terraform(norm: str, name: str) -> bool:
    return name.endswith(".tf")


def _terraform_view(doc: Document) -> list[Any]:
    from .readers.terraform import Module, TerraformFile

    tree = around(doc)
    folder = os.path.dirname(doc.path)

    def module() -> Any:  # the module is the folder: its other files, read only when a rule asks
        others = [tree.terraform(p) for p in tree.folder(folder, ".tf")
                  if os.path.normpath(p) != os.path.normpath(doc.path)]
        lock = tree.exists(os.path.join(folder or os.curdir, ".terraform.lock.hcl"))
        return Module([doc.roots[0]] + [o for o in others if o is not None], lock)

    return [TerraformFile(doc.path, doc.roots[0], doc.lines, module)]


def _terraform_problems(doc: Document) -> Iterator[tuple[int, str]]:
    from .readers.iam import shape_problems
    for tf in get("terraform").views(doc):
        yield from shape_problems(tf)


def _kustomization(roots: list[Any], claimed: bool) -> list[Any] | None:
    """A kustomize ``kustomization.yaml`` that generates Secrets (``apiVersion``/``kind``
    are optional there, so content recognition as a manifest would miss it)."""
    if len(roots) != 1 or not nodes.is_map(roots[0]) or nodes.get(roots[0], "secretGenerator") is None:
        return None
    kind = nodes.text(nodes.get(roots[0], "kind"))
    return roots if kind in (None, "Kustomization", "Component") else None


# A workflow or an action outside the usual place (an example, a file passed by name) is
# recognised by its shape; then Kubernetes-style objects.
register(Kind("workflow", "GitHub Actions workflow", yaml_roots, _workflow_view,
              claims=_in_workflows_dir, accept=_single_mapping("workflow"),
              checkov=("github_actions", "yaml"), hints=("jobs",),
              problems=lambda doc: duplicate_keys(doc.roots)))
register(Kind("action", "composite action metadata", yaml_roots, _workflow_view,
              claims=_is_action_file, accept=_single_mapping("action metadata file"),
              checkov=("yaml",), hints=("runs",), problems=lambda doc: duplicate_keys(doc.roots)))
register(Kind("chart", "Helm chart metadata (Chart.yaml)", yaml_roots, _chart_view,
              claims=_is_chart, accept=_single_mapping("Chart.yaml"), checkov=("yaml",)))
register(Kind("values", "Helm chart values (values*.yaml beside Chart.yaml)", yaml_roots,
              _roots_view, claims=_is_values, accept=_single_mapping("values file"),
              checkov=("yaml",)))
register(Kind("kustomization", "kustomize kustomization", yaml_roots, _roots_view,
              accept=_kustomization, checkov=("yaml",), hints=("secretGenerator",),
              suffixes=("kustomization.yaml", "kustomization.yml")))
# Manifests are YAML or JSON (``kubectl get -o json``, examples written as JSON); every
# manifest holds an ``apiVersion``, so a file without the word is not parsed at all.
register(Kind("manifest", "Kubernetes manifest", yaml_roots, _manifest_view, accept=_manifests,
              checkov=("kubernetes", "yaml"), hints=("apiVersion",),
              suffixes=YAML_SUFFIXES + (".json",), problems=_manifest_problems))


# Release tooling the audit follows from workflows (no file rule reads these yet).
_GORELEASER_NAMES = (".goreleaser.yml", ".goreleaser.yaml", "goreleaser.yml", "goreleaser.yaml")


def _is_goreleaser(norm: str, name: str) -> bool:
    return name in _GORELEASER_NAMES


def _is_makefile(norm: str, name: str) -> bool:
    return name in ("Makefile", "makefile", "GNUmakefile") or name.endswith(".mk")


def _is_script(norm: str, name: str) -> bool:
    return name.endswith((".sh", ".bash"))


def _script_view(doc: Document) -> list[Any]:
    from .readers.following import ScriptView
    return [ScriptView(doc.path, doc.text)]


register(Kind("goreleaser", "goreleaser configuration", yaml_roots, _roots_view,
              claims=_is_goreleaser, accept=_single_mapping("goreleaser configuration")))
register(Kind("makefile", "Makefile", makefile, lambda doc: [doc.roots], claims=_is_makefile,
              accept=lambda roots, claimed: roots))
register(Kind("script", "shell script (*.sh) the audit follows", lambda text: [text],
              _script_view, claims=_is_script))
register(Kind("terraform", "Terraform configuration (*.tf)", terraform_roots, _terraform_view,
              claims=_is_terraform, checkov=("terraform",), problems=_terraform_problems))


# ---------------------------------------------------------------------------------------
# Dockerfiles (by name: ``Dockerfile``, ``Dockerfile.*``, ``*.Dockerfile``, ``Containerfile``)

# Files named like a Dockerfile variant that are something else: BuildKit's per-Dockerfile
# ignore file, and documentation, scripts or data kept beside a Dockerfile.
_NOT_DOCKERFILE = (".dockerignore", ".md", ".markdown", ".rst", ".txt", ".adoc", ".html",
                   ".json", ".yml", ".yaml", ".toml", ".sh", ".py", ".orig", ".rej", ".bak",
                   ".swp", ".lock", ".sum", ".patch", ".diff")


def _is_dockerfile(norm: str, name: str) -> bool:
    if name in ("Dockerfile", "Containerfile"):
        return True
    lower = name.lower()
    if name.startswith(("Dockerfile.", "Containerfile.")) or lower.endswith(".dockerfile"):
        return not lower.endswith(_NOT_DOCKERFILE)
    return False


def _dockerfile_view(doc: Document) -> list[Any]:
    from .readers.dockerfile import DockerfileView
    return [DockerfileView(doc)]


register(Kind("dockerfile", "Dockerfile", dockerfile_instructions, _dockerfile_view,
              claims=_is_dockerfile, checkov=("dockerfile",)))


# ---------------------------------------------------------------------------------------
# Update bots: what keeps pins fresh (the audit's PSK908 reads them; no file rule does).
# Renovate reads the first of its file names it finds; ``package.json`` counts only with a
# top-level ``renovate`` key, so it is recognised by content and never an error of its own.

RENOVATE_FILES = ("renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json",
                  ".renovaterc.json5")


def _is_dependabot(norm: str, name: str) -> bool:
    return name in ("dependabot.yml", "dependabot.yaml") and \
        ("/" + norm).endswith("/.github/" + name)


def _renovate_object(roots: list[Any], claimed: bool) -> list[Any]:
    if roots and not isinstance(roots[0], dict):
        raise KindError("a Renovate configuration must be a JSON object at the top level")
    return roots


def _renovate_in_package(roots: list[Any], claimed: bool) -> list[Any] | None:
    return roots if roots and isinstance(roots[0], dict) and "renovate" in roots[0] else None


register(Kind("dependabot", "Dependabot configuration (.github/dependabot.yml)", yaml_roots,
              _roots_view, claims=_is_dependabot, accept=_single_mapping("Dependabot configuration")))
register(Kind("renovate", "Renovate configuration (renovate.json, .renovaterc, ...)", json5_roots,
              _roots_view, claims=lambda norm, name: name in RENOVATE_FILES, accept=_renovate_object))
register(Kind("package-json", "package.json with a renovate key", json_roots_or_skip, _roots_view,
              accept=_renovate_in_package, hints=('"renovate"',), suffixes=("package.json",)))
