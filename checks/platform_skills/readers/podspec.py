"""Pod specs wherever a workload keeps one, and the containers and images in them."""

from .. import nodes

# Where each workload kind keeps its pod spec.
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def images(root):
    """``(key_node, image_text)`` for every container image of a workload document."""
    kind = nodes.text(nodes.get(root, "kind"))
    spec_path = POD_SPEC_PATHS.get(kind)
    if spec_path is None or not nodes.text(nodes.get(root, "apiVersion"), ""):
        return
    pod = nodes.path(root, *spec_path)
    for list_name in CONTAINER_LISTS:
        for container in nodes.items(nodes.get(pod, list_name)):
            key, value = nodes.get_pair(container, "image")
            image = nodes.text(value, "").strip()
            if key is not None and image and "$" not in image and "{{" not in image:
                yield key, image
