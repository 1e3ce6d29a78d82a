"""API versions the cluster or Flux no longer serves (PSK340)."""

from ... import nodes
from ...model import rule
from .examples import REF

_PSA = "no replacement API: enforce Pod Security with namespace labels"
_WEBHOOKS = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
_VAP = ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")
_MAP = ("MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding")

# (apiVersion, kind or None for any kind) -> (what happened, what to use); None: current.
KUBERNETES = {
    ("extensions/v1beta1", "Deployment"): ("was removed in Kubernetes 1.16", "apps/v1"),
    ("extensions/v1beta1", "DaemonSet"): ("was removed in Kubernetes 1.16", "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet"): ("was removed in Kubernetes 1.16", "apps/v1"),
    ("extensions/v1beta1", "NetworkPolicy"): ("was removed in Kubernetes 1.16",
                                              "networking.k8s.io/v1"),
    ("extensions/v1beta1", "PodSecurityPolicy"): ("was removed in Kubernetes 1.16", _PSA),
    ("extensions/v1beta1", "Ingress"): ("was removed in Kubernetes 1.22", "networking.k8s.io/v1"),
    ("extensions/v1beta1", None): ("is no longer served", "apps/v1 or networking.k8s.io/v1"),
    ("apps/v1beta1", None): ("was removed in Kubernetes 1.16", "apps/v1"),
    ("apps/v1beta2", None): ("was removed in Kubernetes 1.16", "apps/v1"),
    ("policy/v1beta1", "PodSecurityPolicy"): ("was removed in Kubernetes 1.25", _PSA),
    ("policy/v1beta1", None): ("was removed in Kubernetes 1.25", "policy/v1"),
    ("batch/v1beta1", "CronJob"): ("was removed in Kubernetes 1.25", "batch/v1"),
    ("autoscaling/v2beta1", None): ("was removed in Kubernetes 1.25", "autoscaling/v2"),
    ("autoscaling/v2beta2", None): ("was removed in Kubernetes 1.26", "autoscaling/v2"),
    ("networking.k8s.io/v1beta1", "Ingress"): ("was removed in Kubernetes 1.22",
                                               "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "IngressClass"): ("was removed in Kubernetes 1.22",
                                                    "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", None): ("is deprecated", "networking.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", None): ("was removed in Kubernetes 1.22",
                                                  "rbac.authorization.k8s.io/v1"),
    **{("admissionregistration.k8s.io/v1beta1", k): ("was removed in Kubernetes 1.22",
                                                     "admissionregistration.k8s.io/v1")
       for k in _WEBHOOKS},
    **{("admissionregistration.k8s.io/v1beta1", k): ("is deprecated (v1 is GA since "
                                                     "Kubernetes 1.30)",
                                                     "admissionregistration.k8s.io/v1")
       for k in _VAP},
    **{("admissionregistration.k8s.io/v1beta1", k): None for k in _MAP},  # the current beta
    ("admissionregistration.k8s.io/v1beta1", None): ("was removed in Kubernetes 1.22",
                                                     "admissionregistration.k8s.io/v1"),
    ("apiextensions.k8s.io/v1beta1", None): ("was removed in Kubernetes 1.22",
                                             "apiextensions.k8s.io/v1"),
}
# Flux: group -> {old version: Flux release that removed it}, and the version to use.
FLUX = {
    "source.toolkit.fluxcd.io": ({"v1beta1": "2.7", "v1beta2": "2.8"}, "v1"),
    "kustomize.toolkit.fluxcd.io": ({"v1beta1": "2.7", "v1beta2": "2.8"}, "v1"),
    "helm.toolkit.fluxcd.io": ({"v2beta1": "2.7", "v2beta2": "2.8"}, "v2"),
    "image.toolkit.fluxcd.io": ({"v1beta1": "2.7", "v1beta2": "2.9"}, "v1"),
    "notification.toolkit.fluxcd.io": ({"v1beta1": "2.7", "v1beta2": "2.9"}, "v1"),
}
# Alert and Provider are still served as v1beta3, which has no v1 yet.
_FLUX_KIND_TARGET = {("notification.toolkit.fluxcd.io", "Alert"): "v1beta3",
                     ("notification.toolkit.fluxcd.io", "Provider"): "v1beta3"}


def migration(api_version, kind):
    """``(what happened, what to use)`` for an apiVersion/kind that is gone or going, or None."""
    found = KUBERNETES.get((api_version, kind), KUBERNETES.get((api_version, None), False))
    if found is not False:
        return found
    group, _, version = api_version.partition("/")
    removed, current = FLUX.get(group, ({}, None))
    if version in removed:
        target = _FLUX_KIND_TARGET.get((group, kind), current)
        return f"was removed in Flux {removed[version]}", f"{group}/{target}"
    return None


@rule(
    id="PSK340", name="removed-api-version", severity="medium", domain="kubernetes",
    targets=("manifest",), reference=REF + "#api-migrations", since="0.2.0",
    summary="An API version Kubernetes or Flux no longer serves, or is deprecating",
    rationale=(
        "Kubernetes stops serving beta API versions a few releases after the stable one "
        "arrives, and Flux has removed its beta APIs. A manifest on a removed version fails at "
        "the next apply (`no matches for kind`), which for GitOps stops the whole "
        "reconciliation, usually discovered during a cluster upgrade."),
    fix=("Move to the version the message names and adjust the fields that changed; "
         "`flux migrate -f .` rewrites Flux manifests, `kubectl-convert` Kubernetes ones."),
    bad="""\
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: api
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: api}
""",
    good="""\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: api
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: api}
""",
    limits=(
        "Kubernetes: `extensions/v1beta1`, `apps/v1beta1`, `apps/v1beta2`, `policy/v1beta1`, "
        "`batch/v1beta1` CronJob, `autoscaling/v2beta1` and `v2beta2`, `networking.k8s.io/v1beta1`, "
        "`rbac.authorization.k8s.io/v1beta1`, `admissionregistration.k8s.io/v1beta1` (but not "
        "`MutatingAdmissionPolicy`, whose beta is current) and `apiextensions.k8s.io/v1beta1`. "
        "Flux: `v1beta1` of `source`, `kustomize`, `image` and `notification` and `helm` "
        "`v2beta1` (removed in Flux 2.7), `source`/`kustomize` `v1beta2` and `helm` `v2beta2` "
        "(2.8), `image`/`notification` `v1beta2` (2.9); `notification.toolkit.fluxcd.io/v1beta3` "
        "is current for `Alert` and `Provider`. The check does not know which versions your "
        "cluster runs, so it also flags versions a very old cluster still serves. Checkov has "
        "no such check; Pluto and kubent do the same from a version table."),
    precision="very-high",
)
def removed_api_version(root):
    key, value = nodes.get_pair(root, "apiVersion")
    api_version = nodes.text(value, "").strip()
    kind = nodes.text(nodes.get(root, "kind"), "").strip()
    found = migration(api_version, kind)
    if found:
        what, target = found
        use = target if target.startswith("no replacement") else f"use {target}"
        yield key, f"{api_version} {kind} {what}; {use}"
