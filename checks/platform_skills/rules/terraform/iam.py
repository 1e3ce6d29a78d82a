"""IAM policies in Terraform: GitHub OIDC trust and administrator wildcards (PSK701, PSK705)."""

import fnmatch
import re

from ...model import rule
from ...readers.iam import statements
from ...readers.terraform import is_expression
from .examples import GITHUB_TRUST, POLICY, REF

GITHUB_OIDC = "token.actions.githubusercontent.com"
_ASSUME = "sts:assumerolewithwebidentity"
_POSITIVE_TESTS = ("StringEquals", "StringLike", "StringEqualsIgnoreCase")


def _allows(statement, action):
    return statement.effect == "Allow" and any(
        fnmatch.fnmatchcase(action, a.strip().lower()) for a in statement.actions)


def _github_providers(tf):
    """Names of ``aws_iam_openid_connect_provider`` resources in the file whose URL is GitHub's."""
    found = set()
    for block in tf.of("resource", "aws_iam_openid_connect_provider"):
        url = block.attr("url")
        if isinstance(url, str) and GITHUB_OIDC in url:
            found.add(block.labels[1])
    return found


def _read(text, module):
    """``(values, from_defaults)``: ``text`` itself, or what it becomes when the variables it
    reads take their defaults (``module`` is None until the first variable needs it)."""
    if module is not None and "var." in text:
        found = module().with_defaults(text)
        if found is not None:
            return found, True
    return [text], False


def _trusts_github(statement, providers, module):
    """``(trusts, from_defaults)``: a federated principal that is GitHub's OIDC provider,
    written out, referenced in this file, or implied by conditions on GitHub's claim keys,
    reading variables as their defaults where needed."""
    federated = statement.principals.get("Federated", [])
    if not federated:
        return False, False
    for identifier in federated:
        if any(f"aws_iam_openid_connect_provider.{name}." in identifier for name in providers):
            return True, False
        values, defaulted = _read(identifier, module)
        if any(GITHUB_OIDC in v for v in values):
            return True, defaulted
    if all(is_expression(i) for i in federated):
        for condition in statement.conditions:
            keys, defaulted = _read(condition.key, module)
            if any(k.startswith(GITHUB_OIDC) for k in keys):
                return True, defaulted
    return False, False


_INTERPOLATION = re.compile(r"\$\{[^}]*\}")
_PLACEHOLDER = "\0"


def sub_problem(value):
    """Why a ``StringLike`` value for the ``sub`` claim admits more than one repository's
    workflows, or None. A ``${...}`` part is set elsewhere: it is never a wildcard, and when
    it stands for the whole ``owner/repo`` the value is not judged."""
    text = value.strip()
    shape = _INTERPOLATION.sub(_PLACEHOLDER, text)
    if not shape or set(shape) <= set("*?"):
        return f"'{text}' matches any repository on GitHub"
    if not shape.startswith("repo:"):
        return f"'{text}' matches any repository on GitHub" if shape[0] in "*?" else None
    name, _, qualifier = shape[len("repo:"):].partition(":")
    owner, slash, repo = name.partition("/")
    if not slash and not any(c in name for c in "*?"):
        return None  # repo:${var.repository}:... (set elsewhere), or no real repository
    if not owner or any(c in owner for c in "*?"):
        return f"'{text}' does not fix the organisation"
    if set(repo) <= set("*?") and set(qualifier) <= set("*?"):
        shown = text[len("repo:"):].split("/", 1)[0]
        return f"'{text}' matches every repository of '{shown}' on any ref"
    return None


@rule(
    id="PSK701", name="github-oidc-trust-too-broad", severity="critical", domain="terraform",
    targets=("terraform",), reference=REF + "#github-oidc-trust-policies", example_name="main.tf",
    summary="AWS role trusting GitHub's OIDC provider without pinning the repository",
    rationale=(
        "Every GitHub Actions job can get a token from `token.actions.githubusercontent.com`, "
        "in any repository on GitHub, including an attacker's. The role's trust policy is "
        "what decides whose token is accepted: without a `sub` condition, or with `repo:*` or "
        "`repo:your-org/*`, a workflow in another repository (or any branch of any of your "
        "repositories) can assume the role and deploy with its permissions. The `aud` "
        "condition keeps tokens minted for other services out."),
    fix="Require `token.actions.githubusercontent.com:aud = sts.amazonaws.com` and a `sub` "
        "that names one repository and its ref or environment: `StringEquals` "
        "`repo:example-org/app:environment:production` (or `StringLike` "
        "`repo:example-org/app:ref:refs/tags/v*`).",
    bad=GITHUB_TRUST.replace(
        '        StringEquals = {\n          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"\n'
        '          "token.actions.githubusercontent.com:sub" = "repo:example-org/app:environment:production"\n'
        '        }\n',
        '        StringEquals = {\n          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"\n'
        '        }\n        StringLike = {\n'
        '          "token.actions.githubusercontent.com:sub" = "repo:example-org/*"\n        }\n'),
    good=GITHUB_TRUST,
    since="0.2.0",
    limits=(
        "Reads literal policies (`jsonencode({...})`, JSON heredocs, `aws_iam_policy_document`). "
        "A `var.NAME` (whole, inside a string, or as an argument of `format()`) is read as "
        "its `default` from any `.tf` file of the same folder, so a module whose default "
        "inputs produce a too-broad statement is flagged, and the finding says it comes from "
        "the defaults; variables without a default, `local`s, `for` expressions, `dynamic` "
        "blocks and `templatefile()` are not followed, and a federated "
        "principal given only as a variable counts as GitHub's when the conditions name "
        "GitHub's claim keys. `StringEquals` values are exact, so `*` there is not a "
        "wildcard and is not reported. Checkov's CKV_AWS_358 (policy documents) and "
        "CKV_AWS_393 (`aws_iam_role`) judge the same `sub` values, but only when the principal "
        "is written as the provider's ARN text (not a reference to the provider resource, the "
        "usual Terraform shape), only in the first statement, with `StringEquals` values read "
        "as patterns, and without asking for `aud`."),
    precision="high",
)
def github_oidc_trust_too_broad(tf):
    providers = _github_providers(tf)

    def module():
        return tf.module

    for statement in statements(tf):
        if not _allows(statement, _ASSUME):
            continue
        trusts, defaulted = _trusts_github(statement, providers, module)
        if not trusts:
            continue
        note = _FROM_DEFAULTS if defaulted else ""
        subs = [c for c in statement.conditions if c.key.endswith(":sub") and c.test in _POSITIVE_TESTS]
        auds = [c for c in statement.conditions if c.key.endswith(":aud") and c.test in _POSITIVE_TESTS]
        missing = [claim for claim, found in (("sub", subs), ("aud", auds)) if not found]
        if missing:
            names = " and no ".join(f"…:{claim}" for claim in missing)
            related = [(statement.principal_line, "trusts GitHub's OIDC provider")]
            if statement.conditions:
                related.append((statement.conditions_line, "the conditions it has"))
            yield (statement.line, f"GitHub OIDC trust statement has no {names} condition, so "
                   "tokens from " + ("any repository" if "sub" in missing else "any audience")
                   + " are accepted" + note, related)
        for condition in subs:
            if condition.test != "StringLike":
                continue  # StringEquals compares exactly: '*' there is a literal character
            for value, line in zip(condition.values, condition.value_lines, strict=False):
                values, defaulted = _read(value, module)
                for text in values:
                    problem = sub_problem(text)
                    if problem:
                        yield (line, f"GitHub OIDC trust: {condition.key} {problem}"
                               + (_FROM_DEFAULTS if defaulted else note),
                               [(statement.line, "the trust statement")])
                        break


_FROM_DEFAULTS = " (with the module's variable defaults: a caller that keeps them gets this policy)"


_ADMIN_ACTIONS = ("*", "iam:*", "sts:*")


@rule(
    id="PSK705", name="iam-wildcard-admin", severity="high", domain="terraform",
    targets=("terraform",), reference=REF + "#iam-wildcards", example_name="main.tf",
    summary="IAM statement allowing `*` (or `iam:*`, `sts:*`) on every resource",
    rationale=(
        "`Action: *` on `Resource: *` is administrator access; `iam:*` or `sts:*` on every "
        "resource is the same one step later, since the holder can grant itself anything or "
        "assume any role. A CI role or a workload with such a policy turns one leaked token "
        "into control of the account."),
    fix="List the actions the principal calls and scope them to the resources it touches "
        "(`ecr:PutImage` on the repository's ARN); use IAM Access Analyzer's policy "
        "generation to find them from CloudTrail.",
    bad=POLICY.replace('    actions   = ["ecr:PutImage", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]\n'
                       '    resources = [aws_ecr_repository.app.arn]\n',
                       '    actions   = ["*"]\n    resources = ["*"]\n'),
    good=POLICY,
    since="0.2.0",
    limits=(
        "`NotAction`/`NotResource` statements and policies built from variables are not "
        "judged. Only attributes that hold IAM documents are read (`aws_iam_policy`, "
        "`aws_iam_role`, `aws_iam_*_policy`, `aws_iam_policy_document` and the S3, ECR, "
        "KMS, SNS, SQS and Secrets Manager resource policies); an ECR lifecycle policy or an "
        "autoscaling policy is another language and is neither judged nor an error. "
        "A service wildcard other than `iam:*`/`sts:*` on `*` (say `s3:*`) is "
        "broad but not administrator access, and is left to review. Checkov's CKV_AWS_62/"
        "CKV_AWS_63 (`*`) and CKV2_AWS_40 (`iam:*`) cover most of this; they do not read "
        "`sts:*` nor an `inline_policy` heredoc, and CKV_AWS_355/356 also report `Resource: "
        "*` on narrow actions that need it (`ecr:GetAuthorizationToken`), which this rule "
        "leaves alone."),
    precision="high",
)
def iam_wildcard_admin(tf):
    for statement in statements(tf):
        if statement.effect != "Allow" or not any(r.strip() == "*" for r in statement.resources):
            continue
        admin = sorted({a.strip() for a in statement.actions if a.strip().lower() in _ADMIN_ACTIONS})
        if admin:
            yield (statement.line, f"{statement.block.name}: Allow {', '.join(admin)} on every "
                   "resource ('*') is administrator access")
