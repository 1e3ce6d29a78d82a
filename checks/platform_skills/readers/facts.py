"""Supply-chain facts each file contributes to the repository model that ``audit`` reads.

A fact comes with its evidence, ``(path, line)``. Workflows and composite actions state
facts directly, and also link to what they run: ``goreleaser release`` links to the
goreleaser configuration, ``make release`` to the Makefile targets of that name. Those files
offer their facts under the link, and the audit counts an offer only when a workflow links
to it: a Makefile target nothing runs publishes nothing.

Keys: ``(fact,)`` direct; ``("link", *what)`` a workflow runs it; ``("offer", *what, fact)``.
"""

from __future__ import annotations

import posixpath
import re

from .. import nodes
from . import following, known_actions, pipeline, scans, updates
from .gitops import is_oci_repository, verifies
from .kyverno import IMAGE_POLICIES, kyverno_kind, policy_fact
from .publishing import goreleaser_publishes, goreleaser_releases

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Sequence
    from typing import Any

    from ..model import Document
    from .following import ScriptView
    from .makefile import Makefile
    from .shell import Command
    from .workflow import Job, Step, Workflow

    Key = tuple[Any, ...]  # a fact: its name first, then what it is about
    Evidence = tuple[str, int]  # (path, line)
    Facts = dict[Key, Evidence]
    Note = Callable[[Any, int], Any]  # note(key, line) records a fact
    Expand = Callable[[str], str]  # a word with the variables it reads filled in

PUBLISHES, SIGNS, CVE_GATE, SBOM, SBOM_ATTESTED, PROVENANCE, ADMISSION = (
    "publishes", "signs", "cve-gate", "sbom", "sbom-attested", "provenance", "admission")
SIGNS_TAG = "signs-tag"  # cosign signs, but only tags (PSK101): not counted as signing
# A PSK101 finding stands where the audit found signing by tag: the gap row may point at it.
SIGNS_TAG_REPORTED = "signs-tag-reported"
# The cluster side: Flux pulls OCI artifacts, and whether any of those pulls verifies them.
OCI_SOURCE, OCI_VERIFIED = "oci-source", "oci-verified"
# What the audit could not follow: ``("unseen", what, why)`` keys while files are read; after
# ``resolve``, ``facts[UNSEEN]`` is ``[(path, line, what, why, may_publish)]``.
UNSEEN = "unseen"
SCRIPT_DEPTH = 5  # scripts run by scripts are followed this deep
# Pins and the update bots that keep them fresh (PSK908): ``readers/updates.py``.
PINS, STALE_PINS = "pins", "stale-pins"
FACT_KINDS = frozenset(("workflow", "action", "manifest", "goreleaser", "makefile", "script",
                        "dockerfile", "dependabot", "renovate", "package-json"))
GORELEASER = ("goreleaser",)
_INPUT = re.compile(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}")


def _step_line(step: Step) -> int:
    return nodes.line(step.uses) if step.uses is not None else nodes.line(step.node)


def workflow_facts(wf: Workflow, path: str) -> Facts:
    """What one workflow or composite action does for the supply chain, with evidence."""
    facts: Facts = {}

    def note(key: Any, line: int) -> None:
        facts.setdefault(key if isinstance(key, tuple) else (key,), (path, line))

    publish = pipeline.publishes_image(wf)
    if publish:
        note(PUBLISHES, publish)
    here = posixpath.dirname(path) if wf.kind == "action" else None
    for job in wf.jobs:
        can_push = bool(job.grants("packages")) or any(known_actions.logs_in(s) for s in job.steps)
        refs = ([(job.uses, job.ref)] if job.ref is not None else []) + \
            [(step.uses, step.ref) for step in job.steps if step.ref is not None]
        for node, ref in refs:
            if ref.kind == "remote" and can_push and known_actions.role(ref.name) is None:
                kind = "reusable workflow" if "/.github/workflows/" in ref.name else "action"
                note(("unseen", f"uses: {ref.value.strip()}",
                      f"{'a' if kind[0] == 'r' else 'an'} {kind} in another repository, in a job that can push images "
                      f"({'packages: write' if job.grants('packages') else 'registry login'}); "
                      "its steps are not in this repository"), nodes.line(node))  # type: ignore[arg-type]
                note(("can-push", path, nodes.line(node)), nodes.line(node))  # type: ignore[arg-type]
        ko_repo = next((nodes.text(nodes.get(s.env, "KO_DOCKER_REPO"), "") for s in job.steps
                        if s.action == "ko-build/setup-ko" and nodes.get(s.env, "KO_DOCKER_REPO")), "")
        for step in job.steps:
            cwd = _Lazy(_working_directory, step)
            repo = step.env_value("KO_DOCKER_REPO") or ko_repo
            for command in step.commands:
                if repo and (command.invocation("make") is not None or following.script_word(command)):
                    note(("link-env", "KO_DOCKER_REPO", repo), command.line)
                _note_digest_file(command, note)
                _follow(command, cwd, here, lambda key, line: note(key, line),
                        lambda word, s=step, c=command: s.expand(word, pipeline.script_assignments(s, c)))  # type: ignore[misc]
                if can_push:
                    note(("can-push", path, command.line), command.line)
            if step.ref is not None and step.ref.kind == "local" and can_push:
                note(("can-push", path, nodes.line(step.uses)), nodes.line(step.uses))  # type: ignore[arg-type]
    for job in wf.jobs:
        if _test_traffic_only(job):
            continue  # signing images pushed to a throwaway registry signs nothing anyone pulls
        exports = outputs = None
        for call in pipeline.cosign_calls_in(job):
            if call.verb != "sign":
                continue
            if exports is None:
                exports = pipeline.github_env_exports(job)
                outputs = pipeline.step_outputs(job)
            assigned = pipeline.script_assignments(call.step, call.command,
                                                   exports.get(call.step.index))
            by_tag = pipeline.image_refs_by_tag(call, assigned, outputs)
            note(SIGNS_TAG if by_tag else SIGNS, call.line)
    for scan in scans.scans(wf):
        if scan.gating:
            note(CVE_GATE, scan.line)
    for step in wf.steps():
        if pipeline.generates_sbom(step):
            note(SBOM, _step_line(step))
        for where in goreleaser_releases(step):
            note(("link",) + GORELEASER, where if isinstance(where, int) else nodes.line(where))
        for command in step.commands:
            args = command.invocation("make")
            if args is not None:
                for word in following.make_targets(args)[1]:
                    given = _INPUT.fullmatch(word)
                    if given and wf.kind == "action":  # the caller's with: names the target
                        note(("make-input", path, given.group(1)), command.line)
        if step.ref is not None and step.ref.kind == "local":
            action = step.ref.value[2:].strip("/")
            note(("local-uses", action, path), nodes.line(step.uses))  # type: ignore[arg-type]
            for name, _, value in nodes.pairs(step.with_):
                text = nodes.text(value, "")
                if text and "${{" not in text:
                    note(("action-input", action, name, text), nodes.line(value))
    line = pipeline.sbom_attestation_line(wf)
    if line:
        note(SBOM_ATTESTED, line)
    line = pipeline.provenance_line(wf)
    if line:
        note(PROVENANCE, line)
    return facts


def _test_traffic_only(job: Job) -> bool:
    """Whether the job pushes images, all of them to throwaway registries (an e2e job)."""
    pushed = any(pipeline.is_push(c, publish_tools=True) for step in job.steps for c in step.commands)
    return pushed and not any(pipeline.publishing_pushes(step) for step in job.steps)


def manifest_facts(root: nodes.Node, path: str) -> Facts:
    """Whether a manifest enforces image signatures at admission, or pulls OCI artifacts."""
    if is_oci_repository(root):
        found = {(OCI_SOURCE,): (path, nodes.line(root))}
        if verifies(root):
            found[(OCI_VERIFIED,)] = (path, nodes.line(root))
        return found
    kind = kyverno_kind(root)
    if kind in IMAGE_POLICIES:
        return {(ADMISSION,): (path, nodes.line(root))}
    if kind in ("ClusterPolicy", "Policy"):
        for rule_node in nodes.items(nodes.path(root, "spec", "rules")):
            if nodes.get(rule_node, "verifyImages") is not None:
                return {(ADMISSION,): (path, nodes.line(rule_node))}
    return {}


def goreleaser_facts(root: nodes.Node, path: str) -> Facts:
    """What a goreleaser configuration does when ``goreleaser release`` runs it."""
    facts: Facts = {}
    for key in ("dockers", "dockers_v2", "docker_manifests", "kos"):
        key_node, value = nodes.get_pair(root, key)
        items = [i for i in nodes.items(value) if nodes.is_map(i)]
        pushed = [i for i in items if not nodes.is_true(nodes.get(i, "skip_push"))]
        images = [nodes.text(t, "") for i in pushed
                  for t in nodes.items(nodes.get(i, "image_templates") or nodes.get(i, "images")
                                       or nodes.get(i, "tags"))]
        if pushed and not (images and all(pipeline.throwaway(i) for i in images)):
            facts.setdefault(("offer",) + GORELEASER + (PUBLISHES,), (path, nodes.line(key_node)))  # type: ignore[arg-type]
        if key == "kos" and any(nodes.text(nodes.get(i, "sbom"), "spdx") != "none" for i in pushed):
            facts.setdefault(("offer",) + GORELEASER + (SBOM,), (path, nodes.line(key_node)))  # type: ignore[arg-type]
    for line, verb, image in pipeline.goreleaser_signs(root):
        if verb == "sign":
            fact = SIGNS if pipeline.digest_qualified(image) else SIGNS_TAG
            facts.setdefault(("offer",) + GORELEASER + (fact,), (path, line))
    key_node, sboms = nodes.get_pair(root, "sboms")
    if nodes.items(sboms):
        facts.setdefault(("offer",) + GORELEASER + (SBOM,), (path, nodes.line(key_node)))  # type: ignore[arg-type]
    return facts


_CAT_FILE = re.compile(r"\$\(\s*cat\s+['\"]?([^)'\"\s]+)['\"]?\s*\)")


def _note_digest_file(command: Command, note: Note) -> None:
    """``ko build --image-refs FILE`` writes digest references to FILE."""
    if command.program == "ko":
        value, _ = pipeline.flag_value(command.argv, "--image-refs")  # type: ignore[attr-defined]
        if value:
            note(("digest-file", posixpath.basename(value)), command.line)


_OUTPUT_VAR = re.compile(r"(?:--output|-o)[= ]\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]")


class _Lazy:
    """A value computed only when a command needs it (most steps run no script)."""

    __slots__ = ("function", "argument")

    def __init__(self, function: Callable[[Step], str | None], argument: Step) -> None:
        self.function = function
        self.argument = argument

    def value(self) -> str | None:
        return self.function(self.argument)


def _working_directory(step: Step) -> str | None:
    """The step's ``working-directory`` (or the job's default), ``{root}``-based."""
    value = nodes.text(nodes.get(step.node, "working-directory"), "") or nodes.text(
        nodes.path(step.job.node, "defaults", "run", "working-directory"), "")
    if "${{" in value:
        return None
    return posixpath.normpath(posixpath.join(following.ROOT, value)) if value else following.ROOT


def _follow(command: Command, cwd: str | _Lazy | None, here: str | None, note: Note,
            expand: Expand) -> None:
    """Link what one command runs: a script (by candidate paths), Make targets, goreleaser.
    ``note(key, line)`` records; a script that cannot be in the repository is unseen."""
    word = following.script_word(command)
    if word is not None:
        if isinstance(cwd, _Lazy):
            cwd = cwd.value()
        candidates = following.script_candidates(expand(word), cwd, here)
        if candidates:
            note(("link", "script-any", word) + candidates, command.line)
        elif candidates is not None:  # a runner folder or an absolute path: told when it can push
            note(("unseen", f"runs {word}", "the script is outside the repository (a runner "
                  "folder or an absolute path)", "if-can-push"), command.line)
        elif word.endswith(following.SCRIPT_SUFFIXES):
            note(("unseen", f"runs {word}", "its path is only known at run time"), command.line)
    args = command.invocation("make")
    if args is not None:
        for target in following.make_targets(args)[1]:
            if "$" not in target:
                note(("link", "make", target), command.line)
        for token in args:  # make VAR=value: what a recipe's $(VAR) becomes
            name, eq, value = token.text.partition("=")
            if eq and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                note(("make-set", name, expand(value)), command.line)
    args = command.invocation("goreleaser")
    if args is not None and goreleaser_publishes([t.text for t in args]):
        note(("link",) + GORELEASER, command.line)


def _command_offers(view: ScriptView, commands: Sequence[Command], node: Key, path: str, cwd: str | None,
                    here: str | None, expand: Expand, facts: Facts) -> None:
    """Facts the commands of a script or a recipe offer under ``node`` (``("script", path)``
    or ``("make", target)``), and the edges to what they run."""
    def offer(fact: Any, line: int) -> None:
        facts.setdefault(("offer",) + node + (fact,), (path, line))

    def link(key: Key, line: int) -> None:
        if key[0] == "link":
            facts.setdefault(("edge", node, key[1:]), (path, line))
        elif key[0] == "unseen":
            offer(key, line)

    for command in commands:
        if command.program == "ko" and pipeline.is_push(command, publish_tools=True) and \
                "$" in expand("${KO_DOCKER_REPO}") and not any(
                    t.text.startswith("KO_DOCKER_REPO=") for t in command.assignments):
            offer(("ko", pipeline.sbom_command(command)), command.line)  # the caller's repo
            _note_digest_file(command, lambda key, line: facts.setdefault(key, (path, line)))
            continue
        if pipeline.is_push(command, publish_tools=True) and pipeline.publishes(command, expand):
            offer(PUBLISHES, command.line)
        args = command.invocation("cosign")
        if args is None and command.argv and "$" in command.argv[0].text and \
                expand(command.argv[0].text).rsplit("/", 1)[-1] == "cosign":
            args = command.argv[1:]  # COSIGN=./cosign; $COSIGN sign ...
        if args and args[0].text in ("sign", "attest"):
            images = pipeline.cosign_images(args[1:])
            by_tag = [t for t in images if not pipeline.digest_qualified(expand(t.text))]
            files = [m.group(1) for t in by_tag for m in (_CAT_FILE.fullmatch(t.text),) if m]
            if args[0].text == "sign" and files and len(files) == len(by_tag):
                # $(cat refs): digest references when ko wrote them (--image-refs refs)
                offer(("sign-from-file", posixpath.basename(files[0])), command.line)
            elif args[0].text == "sign":
                offer(SIGNS_TAG if by_tag or not images else SIGNS, command.line)
            else:
                kind, _ = pipeline.flag_value(args, "--type")  # type: ignore[attr-defined]
                kind = (kind or "").lower()
                if kind in ("spdx", "spdxjson", "cyclonedx"):
                    offer(SBOM_ATTESTED, command.line)
                elif kind.startswith("slsaprovenance"):
                    offer(PROVENANCE, command.line)
        if pipeline.sbom_command(command):
            offer(SBOM, command.line)
        _note_digest_file(command, lambda key, line: facts.setdefault(key, (path, line)))
        _follow(command, cwd, here, link, expand)
    for scan in scans.command_scans(view, commands):
        if scan.gating:
            offer(CVE_GATE, scan.line)


def script_facts(view: ScriptView, path: str) -> Facts:
    """What a shell script does, offered under its path, and what it runs: the audit counts
    them when a workflow, a recipe or another script runs it."""
    facts = {("script-at", path): (path, 1)}
    node = ("script", path)
    assigned: dict[str, str] = {}

    def expand(word: str) -> str:
        return view.expand(word, assigned)

    for command in view.commands:  # the script's own variables, in order (last one wins)
        exporting = command.program in ("export", "declare", "readonly", "local")
        for token in (command.argv[1:] if exporting else [] if command.argv else command.tokens):
            name, eq, value = token.text.partition("=")
            if eq and "$(" not in value:
                assigned[name] = view.expand(value, assigned)
    _command_offers(view, view.commands, node, path, None, posixpath.dirname(path), expand, facts)
    return facts


def makefile_facts(makefile: Makefile, path: str) -> Facts:
    """What each target's own recipe does, offered under its name, and the targets it needs
    (``("make-needs", target, prerequisite)``, also those its recipe runs with ``$(MAKE)``):
    the audit follows those across every Makefile of the repository, as a top-level
    Makefile's ``include`` would."""
    facts: Facts = {}
    here = posixpath.dirname(path) or "."

    def expand(word: str) -> str:
        return makefile.expand(word.replace("${", "$(").replace("}", ")"))

    for line, text in makefile.unexpanded:
        facts.setdefault(("make-unexpanded", text), (path, line))
    for name, target in makefile.targets.items():
        facts.setdefault(("make-target", name), (path, target.line))
        for prerequisite in target.prerequisites:
            facts.setdefault(("make-needs", name, prerequisite), (path, target.line))
        for line, called in target.calls:
            facts.setdefault(("make-needs", name, called), (path, line))
        for line, text in makefile.unexpanded:
            if any(n == line for n, _ in target.recipe):
                facts.setdefault(("offer", "make", name, ("unseen", text, "the Makefile "
                                  "builds this target name at run time")), (path, line))
        for line, text in target.recipe:  # --output=$(VAR): the caller's make VAR=... decides
            for var in _OUTPUT_VAR.findall(text) if "buildx" in text else ():
                facts.setdefault(("offer", "make", name, ("push-if", var)), (path, line))
        commands = makefile.commands(name)
        if commands:
            _command_offers(following.ScriptView(path, ""), commands, ("make", name), path, here,
                            here, expand, facts)
    return facts


# Makefiles of vendored code: the repository's pipeline does not run them, and their target
# names would mix with the repository's own.
_VENDORED = ("vendor/", "third_party/", "node_modules/")


def document_facts(doc: Document, views: Iterable[Any]) -> Facts:
    """The facts of one document, from the views its kind built for the rules."""
    facts: Facts = {}
    if doc.kind == "makefile" and any(
            doc.path.startswith(v) or "/" + v in doc.path for v in _VENDORED):
        return facts
    for view in views:
        if doc.kind in ("workflow", "action"):
            found = {**workflow_facts(view, doc.path), **updates.workflow_pins(view, doc.path)}
        elif doc.kind == "manifest":
            found = {**manifest_facts(view, doc.path), **updates.manifest_pins(view, doc.path),
                     **policy_fact(view, doc.path)}
        elif doc.kind == "dockerfile":
            found = updates.dockerfile_pins(view, doc.path)
        elif doc.kind == "dependabot":
            found = updates.dependabot_facts(view, doc.path)
        elif doc.kind in ("renovate", "package-json"):
            found = updates.renovate_facts(view, doc.path, in_package=doc.kind == "package-json")
        elif doc.kind == "goreleaser":
            found = goreleaser_facts(view, doc.path)
        elif doc.kind == "makefile":
            found = makefile_facts(view, doc.path)
        elif doc.kind == "script":
            found = script_facts(view, doc.path)
        else:
            found = {}
        for key, evidence in found.items():
            facts.setdefault(key, evidence)
    return facts


def resolve(raw: Facts, root: str = ".") -> dict[str, Any]:
    """``{fact: (path, line)}`` for the repository: direct facts, plus the offers of what a
    workflow links to, followed through scripts, Make targets (with every prerequisite and
    sub-make, in whichever Makefile) and goreleaser. ``root`` is the repository's display
    path; it places the update configurations: PINS is the first pin, STALE_PINS the
    ``updates.Stale`` groups nothing keeps fresh. ``facts[UNSEEN]`` lists what could not be
    followed."""
    facts: dict[str, Any] = {key[0]: evidence for key, evidence in raw.items() if len(key) == 1}
    first_pin, stale = updates.freshness(raw, root)
    if first_pin is not None:
        facts[PINS] = first_pin
    if stale:
        facts[STALE_PINS] = tuple(stale)
    can_push = {key[1:] for key in raw if key[0] == "can-push"}
    scripts = {key[1] for key in raw if key[0] == "script-at"}
    targets = {key[1] for key in raw if key[0] == "make-target"}
    patterns = [(t.split("%", 1), t) for t in targets if "%" in t]
    unexpanded = sorted((evidence, key[1]) for key, evidence in raw.items()
                        if key[0] == "make-unexpanded")
    edges: dict[Key, list[tuple[Key, Evidence]]] = {}
    for key, evidence in raw.items():
        if key[0] == "make-needs":
            edges.setdefault(("make", key[1]), []).append((("make", key[2]), evidence))
        elif key[0] == "edge":
            edges.setdefault(key[1], []).append((key[2], evidence))
    unseen: dict[Evidence, tuple[str, str, bool]] = {}
    for key, evidence in raw.items():
        if key[0] == "unseen" and (len(key) == 3 or evidence in can_push):
            unseen.setdefault(evidence, (key[1], key[2], evidence in can_push))
    # make VAR=type=registry on the command line that runs a target: its recipes' --output=$(VAR)
    # What the caller sets for what it runs: make VAR=value, or the step's KO_DOCKER_REPO.
    pushing_at: dict[Evidence, set[tuple[str, str]]] = {}
    for key, evidence in raw.items():
        if key[0] in ("make-set", "link-env"):
            pushing_at.setdefault(evidence, set()).add((key[1], key[2]))
    pending: list[tuple[Key, Evidence, bool, frozenset[tuple[str, str]], int]] = []
    for key in raw:  # make ${{ inputs.target }} in a local action, named by its callers
        if key[0] == "make-input":
            folder = key[1].rsplit("/", 1)[0]
            for other in raw:
                if other[0] == "action-input" and other[2] == key[2] and (
                        folder == other[1] or folder.endswith("/" + other[1])):
                    pending.append((("make", other[3]), raw[key], raw[key] in can_push, frozenset(), 0))
    pending.extend((key[1:], evidence, evidence in can_push, frozenset(pushing_at.get(evidence, ())), 0)
                   for key, evidence in raw.items() if key[0] == "link")
    reached: dict[Key, bool]
    given: dict[Key, frozenset[tuple[str, str]]]
    reached, given = {}, {}
    while pending:
        node, evidence, may, pushing, depth = pending.pop()
        node = _settle(node, root, scripts, targets, patterns)
        if node[0] == "script":
            depth += 1
            if depth > SCRIPT_DEPTH:
                unseen.setdefault(evidence, (f"runs {node[1]}", f"scripts nest deeper than "
                                             f"{SCRIPT_DEPTH} levels here", may))
                continue
        if node[0] == "script-any":
            if node[1].endswith(following.SCRIPT_SUFFIXES):
                unseen.setdefault(evidence, (f"runs {node[1]}",
                                             "the script is not in the repository", may))
            continue
        if node[0] == "make" and node[1] not in targets:
            if unexpanded and may and not any(c in node[1] for c in "/.%"):
                (where, text) = unexpanded[0]
                unseen.setdefault(evidence, (
                    f"make {node[1]}", f"no Makefile target of that name; {where[0]}:{where[1]} "
                    f"builds target names the reader cannot expand ({text})", may))
            continue
        if node in reached and (reached[node] or not may) and pushing <= given[node]:
            continue
        reached[node] = reached.get(node, False) or may
        given[node] = given.get(node, frozenset()) | pushing
        pending.extend((child, where, may, pushing, depth) for child, where in edges.get(node, ()))
    for key, evidence in sorted(raw.items(), key=lambda kv: kv[1]):
        if key[0] == "offer" and key[1:-1] in reached:
            env = dict(given[key[1:-1]])
            if isinstance(key[-1], tuple) and key[-1][0] == "push-if":
                if pipeline.registry_output(env.get(key[-1][1], "")):
                    facts.setdefault(PUBLISHES, evidence)
            elif isinstance(key[-1], tuple) and key[-1][0] == "ko":
                repo = env.get("KO_DOCKER_REPO", "")
                if not (repo and pipeline.throwaway(repo)):  # unknown: ko publishes
                    facts.setdefault(PUBLISHES, evidence)
                    if key[-1][1]:
                        facts.setdefault(SBOM, evidence)
            elif isinstance(key[-1], tuple) and key[-1][0] == "sign-from-file":
                digest = ("digest-file", key[-1][1]) in raw
                facts.setdefault(SIGNS if digest else SIGNS_TAG, evidence)
            elif isinstance(key[-1], tuple):
                unseen.setdefault(evidence, (key[-1][1], key[-1][2], reached[key[1:-1]]))
            else:
                facts.setdefault(key[-1], evidence)
    facts[UNSEEN] = sorted(evidence + entry for evidence, entry in unseen.items())
    return facts


def _settle(node: Key, root: str, scripts: Collection[str], targets: Collection[str],
             patterns: Iterable[tuple[list[str], str]]) -> Key:
    """A script named by candidates becomes the first that exists; a Make target that only a
    pattern rule (``push-%``) defines becomes that rule."""
    if node[0] == "script-any":
        for candidate in node[2:]:
            path = posixpath.normpath(candidate.replace(following.ROOT, root, 1))
            if path in scripts:
                return ("script", path)
        return node
    if node[0] == "make" and node[1] not in targets:
        for (before, after), name in patterns:
            if node[1].startswith(before) and node[1].endswith(after):
                return ("make", name)
    return node

