"""Kyverno policy documents: which kind a document is, and the kinds' scopes."""

from .. import nodes

CEL_VALIDATING = frozenset(("ValidatingPolicy", "ImageValidatingPolicy",
                            "NamespacedValidatingPolicy", "NamespacedImageValidatingPolicy"))
IMAGE_POLICIES = frozenset(("ImageValidatingPolicy", "NamespacedImageValidatingPolicy"))
CLUSTER_SCOPED = frozenset(("ClusterPolicy", "ValidatingPolicy", "ImageValidatingPolicy",
                            "MutatingPolicy", "GeneratingPolicy", "DeletingPolicy"))


def kyverno_kind(root):
    """The kind of a Kyverno policy document, or None for anything else."""
    api = nodes.text(nodes.get(root, "apiVersion"), "")
    if api.startswith(("kyverno.io/", "policies.kyverno.io/")):
        return nodes.text(nodes.get(root, "kind"))
    return None
