"""Kyverno admission policies (PSK201-PSK205)."""

import re

from .. import nodes
from ..model import rule

REF = "references/kyverno.md"
AUDITED_SINCE = "platform-skills.io/audited-since"
CEL_VALIDATING = frozenset(("ValidatingPolicy", "ImageValidatingPolicy",
                            "NamespacedValidatingPolicy", "NamespacedImageValidatingPolicy"))
IMAGE_POLICIES = frozenset(("ImageValidatingPolicy", "NamespacedImageValidatingPolicy"))
CLUSTER_SCOPED = frozenset(("ClusterPolicy", "ValidatingPolicy", "ImageValidatingPolicy",
                            "MutatingPolicy", "GeneratingPolicy", "DeletingPolicy"))
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LITERAL_ORG = re.compile(r"^\(?[A-Za-z0-9_-]+(?:\|[A-Za-z0-9_-]+)*\)?$")
_URL_SUBJECT = re.compile(r"^\^?https?://((?:[A-Za-z0-9_-]|\\?\.)+)/(.*)$")

_IVP = """\
apiVersion: policies.kyverno.io/v1
kind: ImageValidatingPolicy
metadata:
  name: require-signed-images
spec:
  validationActions: [Audit]
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [pods]
  matchImageReferences:
    - glob: "ghcr.io/example-org/*"
  attestors:
    - name: github
      cosign:
        keyless:
          identities:
            - issuer: https://token.actions.githubusercontent.com
              subjectRegExp: ^https://github\\.com/example-org/[^/]+/\\.github/workflows/release\\.yml@refs/heads/main$
  validations:
    - expression: >-
        images.containers.map(image, verifyImageSignatures(image, [attestors.github])).all(e, e > 0)
"""


def kyverno_kind(root):
    """The kind of a Kyverno policy document, or None for anything else."""
    api = nodes.text(nodes.get(root, "apiVersion"), "")
    if api.startswith(("kyverno.io/", "policies.kyverno.io/")):
        return nodes.text(nodes.get(root, "kind"))
    return None


def annotation(root, name):
    return nodes.text(nodes.get(nodes.path(root, "metadata", "annotations"), name))


def blocking_settings(root, kind):
    """``(line, description)`` of each setting that makes the policy block, in file order."""
    spec_key, spec = nodes.get_pair(root, "spec")
    found = []
    if kind in CEL_VALIDATING:
        actions = nodes.get(spec, "validationActions")
        if actions is None:
            line = nodes.line(spec_key) if spec_key is not None else nodes.line(root)
            found.append((line, "validationActions is omitted, which defaults to Deny"))
        for item in nodes.items(actions):
            if nodes.text(item, "").lower() == "deny":
                found.append((nodes.line(item), "validationActions includes Deny"))
    elif kind in ("ClusterPolicy", "Policy"):
        value = nodes.get(spec, "validationFailureAction")
        if nodes.text(value, "").lower() == "enforce":
            found.append((nodes.line(value), "validationFailureAction is Enforce"))
        for rule_node in nodes.items(nodes.get(spec, "rules")):
            value = nodes.path(rule_node, "validate", "failureAction")
            if nodes.text(value, "").lower() == "enforce":
                found.append((nodes.line(value), "a rule's failureAction is Enforce"))
            for verify in nodes.items(nodes.get(rule_node, "verifyImages")):
                value = nodes.get(verify, "failureAction")
                if nodes.text(value, "").lower() == "enforce":
                    found.append((nodes.line(value), "a verifyImages failureAction is Enforce"))
    return sorted(found)


def audit_record_problem(value, today=None):
    """Why an audited-since annotation is not a usable record, or None when it is."""
    if value is None:
        return f"no {AUDITED_SINCE} annotation records its Audit period"
    import datetime  # only blocking policies get here; keep it off the start-up path

    value = value.strip()
    if not _DATE.match(value):
        return f"{AUDITED_SINCE} '{value}' is not a YYYY-MM-DD date"
    try:
        since = datetime.date.fromisoformat(value)
    except ValueError:
        return f"{AUDITED_SINCE} '{value}' is not a valid date"
    if since > (today or datetime.date.today()):
        return f"{AUDITED_SINCE} '{value}' is in the future"
    return None


@rule(
    id="PSK201", name="deny-without-audit", severity="high", domain="kyverno",
    targets=("manifest",), reference=REF + "#audit-before-deny",
    summary="Blocking policy with no record of an Audit period",
    rationale=(
        "A policy that goes straight to Deny/Enforce blocks whatever it did not anticipate: "
        "system pods, third-party charts, a hotfix at 3 a.m. Running it in Audit first and "
        "reading the PolicyReports shows what it would have blocked. The annotation "
        f"`{AUDITED_SINCE}: \"YYYY-MM-DD\"` records when that Audit period began, so reviewers "
        "can see the policy earned its Deny. Omitting `validationActions` means Deny."),
    fix=(
        "Ship the policy with `validationActions: [Audit]` (or `failureAction: Audit`), watch "
        "`kubectl get policyreports -A`, then switch to Deny and add "
        f"`{AUDITED_SINCE}: \"<date the Audit began>\"` under `metadata.annotations`."),
    bad=_IVP.replace("[Audit]", "[Deny]"),
    good=_IVP.replace("[Audit]", "[Deny]").replace(
        "  name: require-signed-images\n",
        "  name: require-signed-images\n  annotations:\n"
        f"    {AUDITED_SINCE}: \"2026-01-15\"\n"),
)
def deny_without_audit(root):
    kind = kyverno_kind(root)
    if kind is None:
        return
    settings = blocking_settings(root, kind)
    if not settings:
        return
    problem = audit_record_problem(annotation(root, AUDITED_SINCE))
    if problem:
        line, why = settings[0]
        yield line, f"{kind} blocks ({why}) but {problem}"


@rule(
    id="PSK202", name="cluster-policy-namespaced", severity="medium", domain="kyverno",
    targets=("manifest",), reference=REF + "#policy-types",
    summary="Cluster-scoped policy kind with `metadata.namespace`",
    rationale=(
        "ClusterPolicy and the CEL policy kinds without the `Namespaced` prefix are "
        "cluster-scoped: a namespace on them is ignored by the API server, so the author "
        "probably believes the policy is confined to one namespace when it applies to all."),
    fix=(
        "Remove `metadata.namespace`, or use the namespaced kind (`Policy`, "
        "`NamespacedValidatingPolicy`, `NamespacedImageValidatingPolicy`) if the policy "
        "should only apply in that namespace."),
    bad=_IVP.replace("  name: require-signed-images\n",
                     "  name: require-signed-images\n  namespace: payments\n"),
    good=_IVP,
)
def cluster_policy_namespaced(root):
    kind = kyverno_kind(root)
    if kind in CLUSTER_SCOPED:
        key, _ = nodes.get_pair(nodes.get(root, "metadata"), "namespace")
        if key is not None:
            yield nodes.line(key), f"{kind} is cluster-scoped; metadata.namespace has no effect"


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
    bad=_IVP.replace("^https://github\\.com/example-org/[^/]+/\\.github/workflows/"
                     "release\\.yml@refs/heads/main$", "https://github.com/.*"),
    good=_IVP,
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
    targets=("manifest",), reference=REF + "#image-verification",
    summary="ImageValidatingPolicy without `matchImageReferences`",
    rationale=(
        "Without `matchImageReferences` the policy demands your signature on every image in "
        "matched pods: ingress controllers, CNI plugins, vendor charts. In Deny mode that "
        "blocks the cluster's own components; in Audit mode it buries real findings in noise."),
    fix="Match your own registry: `matchImageReferences: [{glob: \"ghcr.io/example-org/*\"}]`.",
    bad=_IVP.replace("  matchImageReferences:\n    - glob: \"ghcr.io/example-org/*\"\n", ""),
    good=_IVP,
)
def image_policy_matches_all(root):
    kind = kyverno_kind(root)
    if kind in IMAGE_POLICIES:
        spec_key, spec = nodes.get_pair(root, "spec")
        if nodes.get(spec, "matchImageReferences") is None:
            line = nodes.line(spec_key) if spec_key is not None else nodes.line(root)
            yield line, f"{kind} has no spec.matchImageReferences, so it applies to every image"


_TLOG_SWITCHES = (("ctlog", "insecureIgnoreTlog"), ("ctlog", "insecureIgnoreSCT"),
                  ("rekor", "ignoreTlog"), ("ctlog", "ignoreSCT"))


@rule(
    id="PSK205", name="tlog-verification-disabled", severity="medium", domain="kyverno",
    targets=("manifest",), reference=REF + "#image-verification",
    summary="Transparency-log verification switched off",
    rationale=(
        "Keyless certificates live for about ten minutes; what proves a signature was made "
        "while the certificate was valid is its Rekor entry (or signed timestamp) and the "
        "certificate's SCT. Ignoring the transparency log accepts signatures nobody can audit "
        "and makes a stolen, expired certificate usable again."),
    fix="Remove the ignore switches; for an air-gapped cluster run a private Rekor and point "
        "`ctlog.url` (or `rekor.url`) at it instead.",
    bad=_IVP.replace("      cosign:\n", "      cosign:\n        ctlog:\n"
                     "          insecureIgnoreTlog: true\n"),
    good=_IVP,
)
def tlog_verification_disabled(root):
    if kyverno_kind(root) is None:
        return
    for mapping in nodes.walk_maps(root):
        for parent, switch in _TLOG_SWITCHES:
            key, value = nodes.get_pair(nodes.get(mapping, parent), switch)
            if key is not None and nodes.is_true(value):
                yield nodes.line(key), f"{parent}.{switch}: true disables transparency-log checks"
