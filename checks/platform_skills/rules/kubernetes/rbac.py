"""RBAC over-grants: wildcard rules and cluster-admin bindings (PSK331-PSK332)."""

from ... import nodes
from ...model import rule
from .examples import REF

_RBAC = "rbac.authorization.k8s.io/"
_ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ci-deployer
rules:
  - apiGroups: ["apps"]
    resources: RESOURCES
    verbs: VERBS
"""
_BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: deployer
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: ROLE
subjects:
  - kind: ServiceAccount
    name: deployer
    namespace: ci
"""


def _rbac(root, *kinds):
    return (nodes.text(nodes.get(root, "kind")) in kinds
            and nodes.text(nodes.get(root, "apiVersion"), "").startswith(_RBAC))


@rule(
    id="PSK331", name="rbac-wildcard", severity="high", domain="kubernetes",
    requires=("rbac.authorization.k8s.io",),
    targets=("manifest",), reference=REF + "#rbac", since="0.2.0",
    summary="`*` in the verbs or resources of a Role or ClusterRole rule",
    rationale=(
        "`*` in `resources` grants every resource type the group will ever serve, CRDs "
        "included; `*` in `verbs` includes `escalate`, `bind` and `impersonate`, each a path to "
        "more rights than the role shows. A token with such a role is a cluster takeover "
        "waiting for a compromised pod."),
    fix="Name the resources and verbs the workload needs: `resources: [deployments]`, "
        "`verbs: [get, list, watch, update, patch]`.",
    bad=_ROLE.replace("RESOURCES", '["*"]').replace("VERBS", '["*"]'),
    good=_ROLE.replace("RESOURCES", '["deployments"]').replace(
        "VERBS", '["get", "list", "watch", "update", "patch"]'),
    limits=(
        "One finding per list holding `*`, on the `*` item. `apiGroups: [\"*\"]` with concrete "
        "resources and verbs is not a finding: it is how a role reads a resource served by more "
        "than one group (`events`). Wildcards inside names (`pods/*`, `*/scale`) and "
        "`nonResourceURLs` are not flagged. Checkov's CKV_K8S_49 flags any `*`, the "
        "`apiGroups` case included; its CKV_K8S_155 to CKV_K8S_158 look for rights over "
        "admission webhooks, certificate approval, `bind` and `escalate`."),
    precision="very-high",
)
def rbac_wildcard(root):
    if not _rbac(root, "Role", "ClusterRole"):
        return
    kind = nodes.text(nodes.get(root, "kind"))
    name = nodes.text(nodes.path(root, "metadata", "name"), "")
    for entry in nodes.items(nodes.get(root, "rules")):
        every_group = any(nodes.text(i, "").strip() == "*"
                          for i in nodes.items(nodes.get(entry, "apiGroups")))
        for field, what in (("resources", "every resource"), ("verbs", "every verb")):
            star = next((i for i in nodes.items(nodes.get(entry, field))
                         if nodes.text(i, "").strip() == "*"), None)
            if star is not None:
                scope = " of every API group" if every_group and field == "resources" else ""
                yield star, f"{kind} '{name}' grants {what}{scope} ({field}: ['*'])"


@rule(
    id="PSK332", name="cluster-admin-binding", severity="high", domain="kubernetes",
    requires=("cluster-admin",),
    targets=("manifest",), reference=REF + "#rbac", since="0.2.0",
    summary="`cluster-admin` bound to a ServiceAccount or a Group",
    rationale=(
        "`cluster-admin` is every verb on every resource. Bound to a ServiceAccount, it is held "
        "by every process in every pod that runs as that account, and by anyone who can create "
        "pods in its namespace. Bound to a Group, it is held by everyone your identity provider "
        "puts in it, today and later."),
    fix=("Bind a ClusterRole (or a namespaced Role) that lists the rules the subject needs; the "
         "audit log of a test cluster shows which calls a controller makes."),
    bad=_BINDING.replace("ROLE", "cluster-admin"),
    good=_BINDING.replace("ROLE", "deployer"),
    limits=(
        "Only `ClusterRoleBinding`s: a namespaced `RoleBinding` to `cluster-admin` grants admin "
        "of that one namespace (Flux's documented tenant set-up), which is a design choice to "
        "review, not cluster-wide admin. `system:masters` is not flagged, since its "
        "members bypass authorization whatever is bound; `User` subjects are not flagged. Other "
        "roles as broad as `cluster-admin` are PSK331's. Checkov 3.3 has no check on who is "
        "bound to `cluster-admin`."),
    precision="high",
)
def cluster_admin_binding(root):
    if not _rbac(root, "ClusterRoleBinding"):
        return  # a RoleBinding grants the role inside its own namespace only
    ref = nodes.get(root, "roleRef")
    name_node = nodes.get(ref, "name")
    if nodes.text(name_node, "").strip() != "cluster-admin" or \
            nodes.text(nodes.get(ref, "kind"), "ClusterRole").strip() != "ClusterRole":
        return
    granted = []
    for subject in nodes.items(nodes.get(root, "subjects")):
        kind = nodes.text(nodes.get(subject, "kind"), "")
        who = nodes.text(nodes.get(subject, "name"), "")
        if kind == "ServiceAccount":
            namespace = nodes.text(nodes.get(subject, "namespace"), "")
            granted.append(f"ServiceAccount {namespace + '/' if namespace else ''}{who}")
        elif kind == "Group" and who != "system:masters":
            granted.append(f"Group {who}")
    if granted:
        yield name_node, f"ClusterRoleBinding grants cluster-admin to {', '.join(granted)}"
