"""Resource requests and the memory limit (PSK320)."""

from ... import nodes
from ...model import rule
from ...readers.podspec import CONTAINER_TEXT, containers
from .examples import HARDENED, REF, deployment


def _amount(resources, section, name):
    return nodes.text(nodes.path(resources, section, name), "").strip()


@rule(
    id="PSK320", name="missing-resources", severity="low", domain="kubernetes",
    requires=CONTAINER_TEXT,
    targets=("manifest",), reference=REF + "#resources", since="0.2.0",
    summary="A container without a CPU request, a memory request or a memory limit",
    rationale=(
        "A container without requests is scheduled as if it needed nothing and is among the "
        "first evicted under pressure; without a memory limit one leak starves every pod on the "
        "node. Memory cannot be throttled, only killed. A CPU limit is deliberately not "
        "required: it throttles the container even on an idle node."),
    fix=("Set `resources.requests.cpu`, `resources.requests.memory` and "
         "`resources.limits.memory` from measured usage, the memory limit equal to the request "
         "unless you know why not."),
    bad=deployment(resources=""),
    good=HARDENED,
    limits=(
        "Regular containers only; init and ephemeral containers are not checked, nor patches "
        "(a container without `image:`, a Deployment, StatefulSet, DaemonSet or ReplicaSet "
        "without `spec.selector`), which state only what they change. A request "
        "left out next to a limit counts as set, because Kubernetes copies the limit into the "
        "request. A namespace's LimitRange defaults are not visible in the manifest. Findings "
        "on a container's `image:` line share it with PSK308-PSK312 and carry the same related "
        "location naming the container. Checkov's CKV_K8S_10 to CKV_K8S_13 ask for CPU and "
        "memory requests and limits, a CPU limit included, and judge patches as workloads."),
    precision="very-high",
)
def missing_resources(root):
    for container in containers(root):
        if container.list_name != "containers" or container.partial:
            continue
        key, resources = nodes.get_pair(container.node, "resources")
        missing = []
        for what, section, name in (("requests.cpu", "requests", "cpu"),
                                    ("requests.memory", "requests", "memory"),
                                    ("limits.memory", "limits", "memory")):
            if _amount(resources, section, name):
                continue
            if section == "requests" and _amount(resources, "limits", name):
                continue  # the request defaults to the limit
            missing.append(what)
        if missing:
            where = key if key is not None else container.image_key
            yield where, f"{container.label} sets no {', '.join(missing)}", \
                [(container.anchor, container.label)]
