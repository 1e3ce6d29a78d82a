"""Flux CD and Argo CD objects: which one a manifest is, and the shapes their rules share."""

from __future__ import annotations

from .. import nodes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

FLUX_SOURCES = "source.toolkit.fluxcd.io/"
FLUX_HELM = "helm.toolkit.fluxcd.io/"
FLUX_IMAGE = "image.toolkit.fluxcd.io/"
ARGOCD = "argoproj.io/"
VERIFY_PROVIDERS = ("cosign", "notation")
# What the text of a Flux or Argo CD object holds: its apiVersion group (``Rule.requires``).
FLUX_TEXT = ("fluxcd.io",)
ARGOCD_TEXT = ("argoproj.io",)


def kind_of(root: nodes.Node | None, group: str) -> str | None:
    """The kind of a document whose apiVersion is in ``group`` (``FLUX_SOURCES``...), else None."""
    if nodes.text(nodes.get(root, "apiVersion"), "").startswith(group):
        return nodes.text(nodes.get(root, "kind"))
    return None


def is_oci_repository(root: nodes.Node | None) -> bool:
    return kind_of(root, FLUX_SOURCES) == "OCIRepository"


def verifies(root: nodes.Node | None) -> bool:
    """Whether an OCIRepository verifies signatures: ``spec.verify`` with a known provider
    (``provider`` defaults to cosign)."""
    verify = nodes.path(root, "spec", "verify")
    if not nodes.is_map(verify):
        return False
    provider = nodes.get(verify, "provider")
    return provider is None or nodes.text(provider, "").strip() in VERIFY_PROVIDERS


def templated(text: str) -> bool:
    """A value filled in later (Flux post-build ``${VAR}``, Helm or ApplicationSet ``{{ }}``)."""
    return "${" in text or "{{" in text


def shape_problems(root: nodes.Node) -> Iterator[tuple[int, str]]:
    """``(line, message)`` for Flux objects whose shape their controller would reject and
    that a rule would otherwise pass in silence."""
    if kind_of(root, FLUX_HELM) != "HelmRelease":
        return
    chart_key, chart = nodes.get_pair(nodes.get(root, "spec"), "chart")
    if chart_key is not None and chart is not None and not nodes.is_map(chart):
        yield (nodes.line(chart_key), "HelmRelease spec.chart must be a mapping "
               "(chart.spec.chart, chart.spec.version), found a " + _shape(chart))
        return
    spec_key, spec = nodes.get_pair(chart, "spec")
    if spec_key is not None and spec is not None and not nodes.is_map(spec):
        yield (nodes.line(spec_key), "HelmRelease spec.chart.spec must be a mapping, found a "
               + _shape(spec))


def _shape(node: nodes.Node) -> str:
    if nodes.is_scalar(node) and node.value.strip() in ("", "~", "null"):
        return "null"
    return {"scalar": "string", "sequence": "list"}.get(node.id, node.id)
