"""Pins, and what keeps them fresh: the facts behind PSK908 (pins-without-updates).

Each file offers facts (keys as in ``readers/facts.py``):

- ``("pins", ecosystem, path, count)``: the file pins ``count`` times; evidence is the first.
  ``github-actions``: ``uses: owner/repo@<40 hex>``. ``docker``: an image by ``@sha256``
  digest (``FROM``, a job or service container, ``docker://``, a workload's container).
- ``("dependabot", path, index, ecosystem, directories, active)``: one ``updates`` entry;
  ``active`` is False when ``open-pull-requests-limit: 0`` turns its version updates off.
- ``("renovate", path)``, ``("renovate-extends", path, preset)``, ``("renovate-off", path,
  ecosystem, why)`` and ``("renovate-k8s", path)``: a Renovate configuration, the presets it
  extends (named, never fetched), what it switches off, and whether it gives the
  ``kubernetes`` manager files to read (it reads none by default).

``freshness(raw, root)`` joins them for the repository rooted at ``root``: the pins no
configuration there keeps fresh, grouped by ecosystem, each with the reason.
"""

from __future__ import annotations

import fnmatch
import re

from .. import nodes
from .patterns import DIGEST
from .podspec import images

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

    from .dockerfile import DockerfileView
    from .workflow import Workflow

    Facts = dict[tuple[Any, ...], tuple[str, int]]  # fact key -> (path, line) of its evidence
    Rel = Callable[[str], str | None]  # a display path as the repository names it, or None: outside
    # (path, [(ecosystem, directories, active, line)]) of the Dependabot file GitHub reads
    Dependabot = tuple[str, list[tuple[str, tuple[str, ...], bool, int]]]
    Related = list[tuple[str, int, str]]  # (path, line, note)

ACTIONS, IMAGES = "github-actions", "docker"
ECOSYSTEMS = (ACTIONS, IMAGES)
DEPENDABOT_FILES = (".github/dependabot.yml", ".github/dependabot.yaml")
# Renovate's own search order; it stops at the first it finds.
RENOVATE_FILES = ("renovate.json", "renovate.json5", ".github/renovate.json",
                  ".github/renovate.json5", ".gitlab/renovate.json", ".gitlab/renovate.json5",
                  ".renovaterc", ".renovaterc.json", ".renovaterc.json5", "package.json")
# Renovate managers that read pinned images; enabledManagers without any of them leaves
# image digests alone.
_IMAGE_MANAGERS = frozenset(("dockerfile", "docker-compose", "kubernetes", "helm-values",
                             "helmv3", "argocd", "flux", "kustomize", "github-actions"))
_K8S_MANAGERS = ("kubernetes", "argocd", "flux")
_BUILT_IN_PRESET = re.compile(r"^:?[A-Za-z][\w-]*(?::[\w-]+)?(?:\(.*\))?$")
_WORKFLOWS = ".github/workflows"
# Folders of test data, examples and documentation: pins there are samples, not what the
# repository runs or ships, and no update bot is expected to read them.
_SAMPLE_DIRS = frozenset(("test", "tests", "testdata", "test-data", "fixtures", "__fixtures__",
                          "e2e", "integration", "example", "examples", "sample", "samples",
                          "doc", "docs", "site"))


# ---------------------------------------------------------------------------------------
# What each file offers


def workflow_pins(wf: Workflow, path: str) -> Facts:
    """SHA-pinned actions and digest-pinned images in a workflow or composite action. A
    workflow-shaped file outside ``.github/workflows`` (test data, documentation) is not run
    by GitHub, so its pins are nobody's to keep fresh."""
    if wf.kind == "workflow" and "/" + _WORKFLOWS + "/" not in "/" + path:
        return {}
    found: dict[str, list[int]] = {ACTIONS: [], IMAGES: []}
    for node, ref, _ in wf.uses_refs():
        if ref.kind == "remote" and ref.pinned:
            found[ACTIONS].append(nodes.line(node))
        elif ref.kind == "docker" and DIGEST.search(ref.name):
            found[IMAGES].append(nodes.line(node))
    for job in wf.jobs:
        container = nodes.get(job.node, "container")
        candidates = [container if nodes.is_scalar(container) else nodes.get(container, "image")]
        for _, _, service in nodes.pairs(nodes.get(job.node, "services")):
            candidates.append(service if nodes.is_scalar(service) else nodes.get(service, "image"))
        for node in candidates:  # type: ignore[assignment]
            if nodes.is_scalar(node) and DIGEST.search(nodes.text(node, "").strip()):
                found[IMAGES].append(nodes.line(node))
    return _pin_facts(found, path)


def manifest_pins(root: nodes.Node, path: str) -> Facts:
    lines = [nodes.line(key) for key, image in images(root) if DIGEST.search(image)]
    return _pin_facts({IMAGES: lines}, path)


def dockerfile_pins(view: DockerfileView, path: str) -> Facts:
    lines = [s.instruction.line for s in view.stages
             if s.image is not None and DIGEST.search(s.image)]
    return _pin_facts({IMAGES: lines}, path)


def _pin_facts(found: Mapping[str, list[int]], path: str) -> Facts:
    return {("pins", eco, path, len(lines)): (path, min(lines))
            for eco, lines in found.items() if lines}


def dependabot_facts(root: nodes.Node, path: str) -> Facts:
    facts: Facts = {("dependabot-file", path): (path, nodes.line(root))}
    for index, entry in enumerate(nodes.items(nodes.get(root, "updates"))):
        ecosystem = nodes.text(nodes.get(entry, "package-ecosystem"), "").strip()
        listed = nodes.get(entry, "directories")
        given = [nodes.text(d, "") for d in nodes.items(listed)] if listed is not None else \
            [nodes.text(nodes.get(entry, "directory"), "")]
        limit = nodes.text(nodes.get(entry, "open-pull-requests-limit"), "").strip()
        key = ("dependabot", path, index, ecosystem, tuple(d for d in given if d), limit != "0")
        facts[key] = (path, nodes.line(entry))
    return facts


def renovate_facts(value: Any, path: str, in_package: bool = False) -> Facts:
    """A Renovate configuration: the file itself, or ``package.json``'s ``renovate`` key."""
    line = _line(value, "renovate") if in_package else 1
    config = value.get("renovate") if in_package else value
    if not isinstance(config, dict):
        return {}
    facts: Facts = {("renovate", path): (path, line)}
    extends = config.get("extends")
    for preset in [extends] if isinstance(extends, str) else extends or ():
        if isinstance(preset, str):
            facts[("renovate-extends", path, preset)] = (path, _line(config, "extends", line))
    if config.get("enabled") is False:
        facts[("renovate-off", path, "*", "sets `enabled: false`")] = \
            (path, _line(config, "enabled", line))
    managers = config.get("enabledManagers")
    if isinstance(managers, list):
        names = {m for m in managers if isinstance(m, str)}
        for eco, wanted, why in (
                (ACTIONS, {ACTIONS}, "leaves `github-actions` out of `enabledManagers`"),
                (IMAGES, _IMAGE_MANAGERS, "names no manager that reads images in `enabledManagers`")):
            if not names & wanted:
                facts[("renovate-off", path, eco, why)] = \
                    (path, _line(config, "enabledManagers", line))
    actions = config.get(ACTIONS)
    if isinstance(actions, dict) and actions.get("enabled") is False:
        facts[("renovate-off", path, ACTIONS, 'sets `"github-actions": {"enabled": false}`')] = \
            (path, _line(config, ACTIONS, line))
    if isinstance(extends, list) and "docker:disable" in extends:
        facts[("renovate-off", path, IMAGES, "extends `docker:disable`")] = \
            (path, _line(config, "extends", line))
    for manager in _K8S_MANAGERS:
        settings = config.get(manager)
        if isinstance(settings, dict) and (settings.get("managerFilePatterns") or
                                           settings.get("fileMatch")):
            facts[("renovate-k8s", path)] = (path, _line(config, manager, line))
    return facts


def _line(config: Any, key: str, default: int = 1) -> int:
    return getattr(config, "lines", {}).get(key, default)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------
# The repository's answer


class Stale:
    """Pins of one ecosystem that nothing keeps fresh: ``pins`` is ``[(path, line, count)]``,
    ``why`` says which update configuration is missing or what it lacks, ``related`` the
    configuration lines that say so."""

    __slots__ = ("ecosystem", "pins", "why", "related")

    def __init__(self, ecosystem: str, pins: list[tuple[str, int, int]], why: str, related: Related) -> None:
        self.ecosystem = ecosystem
        self.pins = pins
        self.why = why
        self.related = related


def freshness(raw: Facts, root: str) -> tuple[tuple[str, int] | None, list[Stale]]:
    """``(first pin evidence or None, [Stale])`` for the repository rooted at ``root``."""
    rel = _relative(root)
    # (ecosystem, path) -> (first line, count): a file of several documents
    merged: dict[tuple[str, str], tuple[int, int]] = {}
    for key, (path, line) in raw.items():
        if key[0] == "pins" and rel(path) is not None and not _sample(rel(path)):  # type: ignore[arg-type]
            first, count = merged.get((key[1], path), (line, 0))
            merged[(key[1], path)] = (min(first, line), count + key[3])
    pins: dict[str, list[tuple[str, int, int]]] = {eco: [] for eco in ECOSYSTEMS}
    for (eco, path), (line, count) in merged.items():
        pins[eco].append((path, line, count))
    everything = sorted(p for found in pins.values() for p in found)
    if not everything:
        return None, []
    dependabot = _dependabot(raw, rel)
    renovate = _renovate(raw, rel)
    stale: list[Stale] = []
    for eco in ECOSYSTEMS:
        found = sorted(pins[eco])
        if not found:
            continue
        open_pins = [p for p in found if not _covered(eco, rel(p[0]), dependabot, renovate)]  # type: ignore[arg-type]
        if open_pins:
            why, related = _why(eco, open_pins, rel, dependabot, renovate)
            stale.append(Stale(eco, open_pins, why, related))
    return everything[0][:2], stale


def _sample(where: str) -> bool:
    """Under a folder of test data, examples or documentation (``tests``, ``.chainsaw-test``,
    ``e2e-tests``): never the repository's own ``.github``."""
    if where.startswith(".github/"):
        return False
    for folder in where.split("/")[:-1]:
        name = folder.lstrip("._").lower()
        if name in _SAMPLE_DIRS or name.endswith(("-test", "-tests", "_test", "_tests")):
            return True
    return False


def _relative(root: str) -> Rel:
    root = root.rstrip("/") if root not in ("", ".", "./") else ""

    def rel(path: str) -> str | None:
        if not root:
            return path[2:] if path.startswith("./") else path
        return path[len(root) + 1:] if path.startswith(root + "/") else None
    return rel


def _dependabot(raw: Facts, rel: Rel) -> Dependabot | None:
    """``(path, [(ecosystem, directories, active, line)])`` of the file GitHub reads, or None."""
    files = {rel(key[1]): key[1] for key in raw if key[0] == "dependabot-file"}
    path = next((files[name] for name in DEPENDABOT_FILES if name in files), None)
    if path is None:
        return None
    entries = sorted((raw[key][1], key[3], key[4], key[5]) for key in raw
                     if key[0] == "dependabot" and key[1] == path)
    return path, [(eco, dirs, active, line) for line, eco, dirs, active in entries]


def _renovate(raw: Facts, rel: Rel) -> dict[str, Any] | None:
    """The one Renovate configuration Renovate would read, as a small dict, or None."""
    files = {rel(key[1]): key[1] for key in raw if key[0] == "renovate"}
    path = next((files[name] for name in RENOVATE_FILES if name in files), None)
    if path is None:
        return None
    presets = [key[2] for key in raw if key[0] == "renovate-extends" and key[1] == path]
    off: dict[str, tuple[str, int]] = {}
    for key, evidence in raw.items():
        if key[0] == "renovate-off" and key[1] == path:
            off.setdefault(key[2], (key[3], evidence[1]))
    return {"path": path, "line": raw[("renovate", path)][1], "presets": presets, "off": off,
            "k8s": ("renovate-k8s", path) in raw,
            "external": any(not _BUILT_IN_PRESET.match(p) for p in presets)}


def _covered(eco: str, where: str, dependabot: Dependabot | None, renovate: dict[str, Any] | None) -> bool:
    if renovate is not None and not (renovate["off"].get("*") or renovate["off"].get(eco)) and (
            eco == ACTIONS or not _needs_k8s_patterns(where) or renovate["k8s"] or
            renovate["external"]):
        return True
    if dependabot is None or (eco == IMAGES and _workflow_file(where)):
        return False  # Dependabot does not update images in workflows (dependabot-core#5819)
    return any(e == eco and active and any(_reads(eco, d, where) for d in dirs)
               for e, dirs, active, _ in dependabot[1])


def _workflow_file(where: str) -> bool:
    name = where.rsplit("/", 1)[-1]
    return name in ("action.yml", "action.yaml") or \
        ("/" + where).rsplit("/", 1)[0].endswith("/" + _WORKFLOWS)


def _needs_k8s_patterns(where: str) -> bool:
    """Renovate reads Dockerfiles and workflows by default, Kubernetes manifests only when
    told which files they are."""
    name = where.rsplit("/", 1)[-1]
    return name.endswith((".yml", ".yaml", ".json")) and not where.startswith(_WORKFLOWS + "/") \
        and name not in ("action.yml", "action.yaml")


def _reads(eco: str, directory: str, where: str) -> bool:
    """Whether a Dependabot ``directory`` of ``eco`` covers the file ``where``."""
    wanted = directory.strip().strip("/")
    folder = where.rsplit("/", 1)[0] if "/" in where else ""
    if eco == ACTIONS:
        if folder == _WORKFLOWS:  # "/" means the root's .github/workflows
            return wanted in ("", _WORKFLOWS)
        if folder.endswith("/" + _WORKFLOWS):
            folder = folder[:-len(_WORKFLOWS) - 1]
    return folder == wanted or ("*" in wanted and fnmatch.fnmatchcase(folder, wanted))


def _why(eco: str, open_pins: Sequence[tuple[str, int, int]], rel: Rel, dependabot: Dependabot | None,
         renovate: dict[str, Any] | None) -> tuple[str, Related]:
    parts: list[str]
    related: Related
    parts, related = [], []
    in_workflows = [p for p in open_pins if eco == IMAGES and _workflow_file(rel(p[0]))]  # type: ignore[arg-type]
    if in_workflows:
        parts.append("Dependabot does not update images in workflow or action files")
    if len(in_workflows) < len(open_pins):
        _dependabot_why(eco, dependabot, parts, related)
    if renovate is None:
        parts.append("no Renovate configuration")
    else:
        path, line = renovate["path"], renovate["line"]
        off = renovate["off"].get("*") or renovate["off"].get(eco)
        presets = f" (extends {', '.join(renovate['presets'])})" if renovate["presets"] else ""
        if off:
            parts.append(f"{path}:{off[1]} {off[0]}{presets}")
            related.append((path, off[1], f"Renovate leaves {eco} alone"))
        else:
            parts.append(f"{path} gives Renovate's `kubernetes` manager no `managerFilePatterns`, "
                         f"so it reads no manifest{presets}")
            related.append((path, line, "no kubernetes managerFilePatterns"))
    return " and ".join(parts), related


def _dependabot_why(eco: str, dependabot: Dependabot | None, parts: list[str], related: Related) -> None:
    if dependabot is None:
        parts.append("no Dependabot configuration")
        return
    path, entries = dependabot
    mine = [e for e in entries if e[0] == eco]
    if not mine:
        others = sorted({e[0] for e in entries if e[0]})
        listed = f" (it updates {', '.join(others)})" if others else ""
        parts.append(f"{path} has no `{eco}` entry{listed}")
        related.append((path, 1, f"no {eco} entry"))
    for _, dirs, active, line in mine:
        if not active:
            parts.append(f"{path}:{line} sets `open-pull-requests-limit: 0`")
            related.append((path, line, "version updates turned off"))
        else:
            shown = ", ".join("/" + d.strip().strip("/") for d in dirs) or "no directory"
            parts.append(f"{path}:{line} reads only {shown}")
            related.append((path, line, f"{eco} updates read {shown}"))
