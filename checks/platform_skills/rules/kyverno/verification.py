"""Kyverno image verification: who may sign, which images, transparency logs (PSK203-PSK205)."""

import re

from ... import nodes
from ...model import rule
from ...readers.kyverno import IMAGE_POLICIES, KYVERNO_TEXT, kyverno_kind
from .examples import IVP, REF

_LITERAL_ORG = re.compile(r"^\(?[A-Za-z0-9_-]+(?:\|[A-Za-z0-9_-]+)*\)?$")
_URL_SUBJECT = re.compile(r"^\^?https?://((?:[A-Za-z0-9_-]|\\?\.)+)/(.*)$")


def keyless_identities(root):
    """Each keyless identity mapping: ``identities[]`` items, or the keyless block itself."""
    for mapping in nodes.walk_maps(root):
        keyless = nodes.get(mapping, "keyless")
        if not nodes.is_map(keyless):
            continue
        identities = nodes.get(keyless, "identities")
        if identities is not None:
            yield from (i for i in nodes.items(identities) if nodes.is_map(i))
        else:
            yield keyless


def subject_problem(value, is_regexp):
    value = value.strip()
    if value in ("*", ".*", "^.*$", "^.*", ".*$", ".+", "^.+$"):
        return f"subject '{value}' matches any signer"
    if is_regexp and not value.startswith("^"):
        return f"subjectRegExp '{value}' is not anchored with ^"
    match = _URL_SUBJECT.match(value)
    if match:
        org = match.group(2).split("/", 1)[0]
        if not _LITERAL_ORG.match(org) or "/" not in match.group(2):
            return f"subject '{value}' does not fix the organisation"
    return None


@rule(
    id="PSK203", name="keyless-identity-too-broad", severity="high", domain="kyverno",
    requires=KYVERNO_TEXT,
    targets=("manifest",), reference=REF + "#image-verification",
    summary="Keyless attestor identity that does not pin who signed",
    rationale=(
        "A keyless signature proves which OIDC identity signed, and anyone can get a Fulcio "
        "certificate for their own GitHub workflow. An identity without an issuer, or with a "
        "subject like `https://github.com/.*`, accepts images signed by any repository on "
        "GitHub, including an attacker's. An unanchored regular expression matches the "
        "pattern anywhere in the subject, so `github.com/example-org/` also matches "
        "`https://github.com/evil/github.com/example-org/...`."),
    fix=(
        "Pin `issuer: https://token.actions.githubusercontent.com` and a `subjectRegExp` "
        "anchored with `^` that fixes the organisation (better: the workflow and the ref), "
        "e.g. `^https://github\\.com/example-org/app/\\.github/workflows/release\\.yml@refs/heads/main$`."),
    bad=IVP.replace("^https://github\\.com/example-org/[^/]+/\\.github/workflows/"
                     "release\\.yml@refs/heads/main$", "https://github.com/.*"),
    good=IVP,
    precision="high",
    limits=("Judges `subject`/`subjectRegExp` and `issuer`/`issuerRegExp` as written: a "
            "subject that fixes the organisation but not the repository or workflow "
            "(`https://github.com/org/.*`) passes, and an identity set from a variable or a "
            "ConfigMap is not resolved."),
)
def keyless_identity_too_broad(root):
    if kyverno_kind(root) is None:
        return
    for identity in keyless_identities(root):
        problems = []
        subject_key, subject = nodes.get_pair(identity, "subject")
        regexp_key, regexp = nodes.get_pair(identity, "subjectRegExp")
        issuer_key, _ = nodes.get_pair(identity, "issuer")
        if issuer_key is None:
            issuer_key, _ = nodes.get_pair(identity, "issuerRegExp")
        if issuer_key is None:
            problems.append("it has no issuer")
        key = subject_key or regexp_key
        if key is None:
            problems.append("it has no subject")
        for node, is_regexp in ((subject, False), (regexp, True)):
            problem = subject_problem(nodes.text(node, ""), is_regexp) if node else None
            if problem:
                problems.append(problem)
        if problems:
            anchor = key or issuer_key or identity
            yield nodes.line(anchor), "keyless identity too broad: " + "; ".join(problems)


@rule(
    id="PSK204", name="image-policy-matches-all", severity="medium", domain="kyverno",
    requires=KYVERNO_TEXT,
    targets=("manifest",), reference=REF + "#image-verification",
    summary="ImageValidatingPolicy without `matchImageReferences`",
    rationale=(
        "Without `matchImageReferences` the policy demands your signature on every image in "
        "matched pods: ingress controllers, CNI plugins, vendor charts. In Deny mode that "
        "blocks the cluster's own components; in Audit mode it buries real findings in noise."),
    fix="Match your own registry: `matchImageReferences: [{glob: \"ghcr.io/example-org/*\"}]`.",
    bad=IVP.replace("  matchImageReferences:\n    - glob: \"ghcr.io/example-org/*\"\n", ""),
    good=IVP,
    precision="high",
    limits=("Checks that `spec.matchImageReferences` is present, not what it matches: an "
            "entry that matches every image (`glob: \"*\"`) passes."),
)
def image_policy_matches_all(root):
    kind = kyverno_kind(root)
    if kind in IMAGE_POLICIES:
        spec_key, spec = nodes.get_pair(root, "spec")
        if nodes.is_map(spec) and nodes.get(spec, "matchImageReferences") is None:
            yield spec_key, f"{kind} has no spec.matchImageReferences, so it applies to every image"


_TLOG_SWITCHES = (("ctlog", "insecureIgnoreTlog"), ("ctlog", "insecureIgnoreSCT"),
                  ("rekor", "ignoreTlog"), ("ctlog", "ignoreSCT"))


@rule(
    id="PSK205", name="tlog-verification-disabled", severity="medium", domain="kyverno",
    requires=KYVERNO_TEXT,
    targets=("manifest",), reference=REF + "#image-verification",
    summary="Transparency-log verification switched off",
    rationale=(
        "Keyless certificates live for about ten minutes; what proves a signature was made "
        "while the certificate was valid is its Rekor entry (or signed timestamp) and the "
        "certificate's SCT. Ignoring the transparency log accepts signatures nobody can audit "
        "and makes a stolen, expired certificate usable again."),
    fix="Remove the ignore switches; for an air-gapped cluster run a private Rekor and point "
        "`ctlog.url` (or `rekor.url`) at it instead.",
    bad=IVP.replace("      cosign:\n", "      cosign:\n        ctlog:\n"
                     "          insecureIgnoreTlog: true\n"),
    good=IVP,
    precision="high",
    limits=("Reads `ctlog.insecureIgnoreTlog`, `ctlog.insecureIgnoreSCT`, `ctlog.ignoreSCT` "
            "and `rekor.ignoreTlog` set to true anywhere in a Kyverno policy; a switch set "
            "from a variable is not judged."),
)
def tlog_verification_disabled(root):
    if kyverno_kind(root) is None:
        return
    for mapping in nodes.walk_maps(root):
        for parent, switch in _TLOG_SWITCHES:
            key, value = nodes.get_pair(nodes.get(mapping, parent), switch)
            if key is not None and nodes.is_true(value):
                yield nodes.line(key), f"{parent}.{switch}: true disables transparency-log checks"
