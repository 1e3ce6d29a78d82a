"""Terraform module sources and provider versions (PSK702-PSK703)."""

import re

from ...model import rule
from ...readers.patterns import SHA
from ...readers.terraform import is_expression, value
from ...readers.versions import terraform_exact, terraform_lower_only
from .examples import MODULE, PROVIDERS, REF

# <namespace>/<name>/<provider>, optionally behind a registry host, optionally //subdir.
_REGISTRY = re.compile(r"^(?:[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?/)?[A-Za-z0-9][A-Za-z0-9_-]*/"
                       r"[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9]+(?://.*)?$")
_GIT_HOSTS = ("github.com/", "bitbucket.org/")


def module_source(source):
    """``"local"``, ``"git"``, ``"registry"`` or ``"other"`` (HTTP archives, S3, GCS, Mercurial)."""
    if source.startswith(("./", "../", ".\\", "..\\")):
        return "local"
    if source.startswith(("git::", "git@")) or source.startswith(_GIT_HOSTS):
        return "git"
    if "::" in source or "://" in source:
        return "other"
    return "registry" if _REGISTRY.match(source) else "other"


def git_ref(source):
    """The ``ref`` query parameter of a git module source, or None."""
    address = source[len("git::"):] if source.startswith("git::") else source
    from urllib.parse import parse_qs, urlsplit  # only git module sources get here

    query = urlsplit(address if "://" in address else "ssh://" + address.replace(":", "/", 1)).query
    refs = parse_qs(query).get("ref")
    return refs[0] if refs else None


@rule(
    id="PSK702", name="terraform-module-unpinned", severity="medium", domain="terraform",
    targets=("terraform",), reference=REF + "#module-pinning", example_name="main.tf",
    summary="Terraform module from git without a commit SHA, or from a registry without an exact version",
    rationale=(
        "A module runs with the same credentials as your own code and can create or open "
        "anything in the account. A git tag or branch can be moved to new code, and a "
        "registry range (`~> 5.0`) takes each new release on the next `terraform init`, so "
        "the code you reviewed is not the code that applies."),
    fix="Pin git sources to a full commit SHA (`?ref=<40-hex SHA>`, with the tag in a "
        "comment) and registry modules to one version (`version = \"5.21.0\"`); let Renovate "
        "or Dependabot propose the bumps.",
    bad=MODULE.replace('  version = "5.21.0"\n', '  version = "~> 5.0"\n'),
    good=MODULE,
    since="0.2.0",
    limits=(
        "Local paths pass. HTTP archives, S3, GCS and Mercurial sources are not judged. "
        "Checkov's CKV_TF_1 wants a commit hash on every remote module, registry ones "
        "included, and accepts a short SHA; this rule accepts an exact registry version "
        "(the registry does not let a published version change) and wants all 40 hex digits."),
    precision="very-high",
)
def terraform_module_unpinned(tf):
    for block in tf.of("module"):
        source = block.attr("source")
        if not isinstance(source, str) or is_expression(source):
            continue
        kind = module_source(source.strip())
        if kind == "git":
            ref = git_ref(source.strip())
            if ref is None or not SHA.match(ref):
                what = f"ref '{ref}'" if ref else "no ref"
                yield (block.line("source"), f"module '{block.labels[0]}' is fetched from git with "
                       f"{what}; pin ?ref= to a full commit SHA")
        elif kind == "registry":
            version = block.attr("version")
            if not isinstance(version, str) or not version.strip():
                yield (block.line("source"), f"registry module '{block.labels[0]}' has no "
                       "version, so every init takes the newest release")
            elif not is_expression(version) and not terraform_exact(version):
                yield (block.line("version"), f"registry module '{block.labels[0]}' version "
                       f"'{version.strip()}' is a range; pin one version")


@rule(
    id="PSK703", name="terraform-provider-unbounded", severity="low", domain="terraform",
    targets=("terraform",), reference=REF + "#provider-versions-and-the-lock-file", example_name="main.tf",
    summary="Terraform provider without a version constraint, or with only a lower bound",
    rationale=(
        "Without an upper bound, `terraform init -upgrade` (or a fresh checkout without the "
        "lock file) takes the next major provider release, whose breaking changes can "
        "replace or destroy resources on the next apply."),
    fix="Bound each provider (`version = \"~> 5.0\"`) and commit `.terraform.lock.hcl` so "
        "every run uses the same provider build.",
    bad=PROVIDERS.replace('      version = "~> 5.0"\n', '      version = ">= 5.0"\n'),
    good=PROVIDERS,
    since="0.2.0",
    limits=(
        "An upper bound is asked of root modules only: a folder with a `backend` or `cloud` "
        "block, a `provider` block, or a `.terraform.lock.hcl` (any of its `.tf` files "
        "counts). A reusable module (none of these) should declare minimum versions only and "
        "leave the upper bound to the configurations that call it, as HashiCorp advises, so "
        "there only a provider without any `version` is flagged. A root module whose backend "
        "is given only on the command line (`-backend-config`) with no `backend` block and "
        "no provider block is read as reusable. Checkov runs no check on the `terraform` "
        "block, so this rule has no Checkov face."),
    precision="high",
)
def terraform_provider_unbounded(tf):
    for block in tf.of("terraform"):
        for index, providers in block.blocks("required_providers"):
            for name, entry in providers.items():
                if name.startswith("__"):
                    continue
                entry = entry[0] if isinstance(entry, list) and len(entry) == 1 else entry
                version = entry if isinstance(entry, str) else value(entry, "version") \
                    if isinstance(entry, dict) else None
                if isinstance(version, list) and len(version) == 1:
                    version = version[0]
                line = block.line("required_providers", index, name)
                if not isinstance(version, str) or not version.strip():
                    yield line, f"provider '{name}' has no version constraint"
                elif not is_expression(version) and terraform_lower_only(version) and \
                        tf.module.is_root:
                    yield line, (f"provider '{name}' version '{version.strip()}' has only a "
                                 "lower bound in a root module; a new major release is taken "
                                 "on upgrade")
