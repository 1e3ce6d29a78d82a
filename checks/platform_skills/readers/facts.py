"""Supply-chain facts each file contributes to the repository model that ``audit`` reads.

A fact comes with its evidence, ``(path, line)``. Workflows and composite actions state
facts directly, and also link to what they run: ``goreleaser release`` links to the
goreleaser configuration, ``make release`` to the Makefile targets of that name. Those files
offer their facts under the link, and the audit counts an offer only when a workflow links
to it: a Makefile target nothing runs publishes nothing.

Keys: ``(fact,)`` direct; ``("link", *what)`` a workflow runs it; ``("offer", *what, fact)``.
"""

import re

from .. import nodes
from . import pipeline, scans
from .gitops import is_oci_repository, verifies
from .kyverno import IMAGE_POLICIES, kyverno_kind, policy_fact
from .patterns import SLSA_GENERATOR
from .publishing import goreleaser_releases

PUBLISHES, SIGNS, CVE_GATE, SBOM, SBOM_ATTESTED, PROVENANCE, ADMISSION = (
    "publishes", "signs", "cve-gate", "sbom", "sbom-attested", "provenance", "admission")
SIGNS_TAG = "signs-tag"  # cosign signs, but only tags (PSK101): not counted as signing
# A job granted packages: write that calls a reusable workflow in another repository: the
# audit cannot read that pipeline, and says so when it finds no publishing of its own.
REMOTE_PUBLISHER = "remote-publisher"
# The cluster side: Flux pulls OCI artifacts, and whether any of those pulls verifies them.
OCI_SOURCE, OCI_VERIFIED = "oci-source", "oci-verified"
FACT_KINDS = frozenset(("workflow", "action", "manifest", "goreleaser", "makefile"))
GORELEASER = ("goreleaser",)
_INPUT = re.compile(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}")


def _step_line(step):
    return nodes.line(step.uses) if step.uses is not None else nodes.line(step.node)


def workflow_facts(wf, path):
    """What one workflow or composite action does for the supply chain, with evidence."""
    facts = {}

    def note(key, line):
        facts.setdefault(key if isinstance(key, tuple) else (key,), (path, line))

    publish = pipeline.publishes_image(wf)
    if publish:
        note(PUBLISHES, publish)
    for job in wf.jobs:
        ref = job.ref
        if ref is not None and ref.kind == "remote" and "/.github/workflows/" in ref.name and \
                not ref.name.startswith(SLSA_GENERATOR) and job.grants("packages"):
            note(REMOTE_PUBLISHER, nodes.line(job.uses))
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
                for word in args:
                    if word.text.startswith("-") or "=" in word.text.split("${{")[0]:
                        continue
                    given = _INPUT.fullmatch(word.text)
                    if given and wf.kind == "action":  # the caller's with: names the target
                        note(("make-input", path, given.group(1)), command.line)
                    elif "$" not in word.text:
                        note(("link", "make", word.text), command.line)
        if step.ref is not None and step.ref.kind == "local":
            action = step.ref.value[2:].strip("/")
            note(("local-uses", action, path), nodes.line(step.uses))
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


def _test_traffic_only(job):
    """Whether the job pushes images, all of them to throwaway registries (an e2e job)."""
    pushed = any(pipeline.is_push(c, publish_tools=True) for step in job.steps for c in step.commands)
    return pushed and not any(pipeline.publishing_pushes(step) for step in job.steps)


def manifest_facts(root, path):
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


def goreleaser_facts(root, path):
    """What a goreleaser configuration does when ``goreleaser release`` runs it."""
    facts = {}
    for key in ("dockers", "dockers_v2", "docker_manifests", "kos"):
        key_node, value = nodes.get_pair(root, key)
        items = [i for i in nodes.items(value) if nodes.is_map(i)]
        pushed = [i for i in items if not nodes.is_true(nodes.get(i, "skip_push"))]
        images = [nodes.text(t, "") for i in pushed
                  for t in nodes.items(nodes.get(i, "image_templates") or nodes.get(i, "images")
                                       or nodes.get(i, "tags"))]
        if pushed and not (images and all(pipeline.throwaway(i) for i in images)):
            facts.setdefault(("offer",) + GORELEASER + (PUBLISHES,), (path, nodes.line(key_node)))
        if key == "kos" and any(nodes.text(nodes.get(i, "sbom"), "spdx") != "none" for i in pushed):
            facts.setdefault(("offer",) + GORELEASER + (SBOM,), (path, nodes.line(key_node)))
    key_node, signs = nodes.get_pair(root, "docker_signs")
    for sign in nodes.items(signs):
        cmd = nodes.text(nodes.get(sign, "cmd"), "cosign")
        args = " ".join(nodes.text(a, "") for a in nodes.items(nodes.get(sign, "args")))
        if "cosign" in cmd:
            by_digest = not args or "@${digest}" in args.replace("{{ .Digest }}", "${digest}")
            fact = SIGNS if by_digest else SIGNS_TAG
            facts.setdefault(("offer",) + GORELEASER + (fact,), (path, nodes.line(sign)))
    key_node, sboms = nodes.get_pair(root, "sboms")
    if nodes.items(sboms):
        facts.setdefault(("offer",) + GORELEASER + (SBOM,), (path, nodes.line(key_node)))
    return facts


def makefile_facts(makefile, path):
    """What each target's own recipe does, offered under its name, and the targets it needs
    (``("make-needs", target, prerequisite)``): the audit follows those across every Makefile
    of the repository, as a top-level Makefile's ``include`` would."""
    facts = {}
    for name, target in makefile.targets.items():
        for prerequisite in target.prerequisites:
            facts.setdefault(("make-needs", name, prerequisite), (path, target.line))
        key = ("offer", "make", name)
        for command in makefile.commands(name):
            if pipeline.is_push(command, publish_tools=True) and pipeline.publishes(
                    command, lambda word: makefile.expand(word.replace("${", "$(").replace("}", ")"))):
                facts.setdefault(key + (PUBLISHES,), (path, command.line))
            args = command.invocation("cosign")
            if args and args[0].text == "sign":
                digest = any(pipeline.digest_qualified(t.text) for t in args[1:])
                facts.setdefault(key + (SIGNS if digest else SIGNS_TAG,), (path, command.line))
            if pipeline.sbom_command(command):
                facts.setdefault(key + (SBOM,), (path, command.line))
    return facts


def document_facts(doc, views):
    """The facts of one document, from the views its kind built for the rules."""
    facts = {}
    for view in views:
        if doc.kind in ("workflow", "action"):
            found = workflow_facts(view, doc.path)
        elif doc.kind == "manifest":
            found = {**manifest_facts(view, doc.path), **policy_fact(view, doc.path)}
        elif doc.kind == "goreleaser":
            found = goreleaser_facts(view, doc.path)
        elif doc.kind == "makefile":
            found = makefile_facts(view, doc.path)
        else:
            found = {}
        for key, evidence in found.items():
            facts.setdefault(key, evidence)
    return facts


def resolve(raw):
    """``{fact: (path, line)}`` for the repository: direct facts, plus the offers of what a
    workflow links to (Make targets with every prerequisite, in whichever Makefile)."""
    facts = {key[0]: evidence for key, evidence in raw.items() if len(key) == 1}
    links = {key[1:] for key in raw if key[0] == "link"}
    needs = {}
    for key in raw:
        if key[0] == "make-needs":
            needs.setdefault(key[1], []).append(key[2])
    for key in raw:  # make ${{ inputs.target }} in a local action, named by its callers
        if key[0] == "make-input":
            folder = key[1].rsplit("/", 1)[0]
            for other in raw:
                if other[0] == "action-input" and other[2] == key[2] and (
                        folder == other[1] or folder.endswith("/" + other[1])):
                    links.add(("make", other[3]))
    pending = [link[1] for link in links if link[0] == "make"]
    while pending:
        for prerequisite in needs.get(pending.pop(), ()):
            if ("make", prerequisite) not in links:
                links.add(("make", prerequisite))
                pending.append(prerequisite)
    for key, evidence in sorted(raw.items(), key=lambda kv: kv[1]):
        if key[0] == "offer" and key[1:-1] in links:
            facts.setdefault(key[-1], evidence)
    return facts
