"""Pod specs wherever a workload keeps one, their containers, and effective security settings.

"Effective" follows Kubernetes: a container's ``securityContext`` overrides the pod's for the
fields both levels define (``runAsNonRoot``, ``runAsUser``, ``seccompProfile`` and the others
in ``POD_LEVEL``); the other container settings exist only per container, and ``hostNetwork``,
``hostPID``, ``hostIPC`` and ``volumes`` only per pod.
"""

from __future__ import annotations

from .. import nodes
from .skaffold import build_artifacts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

# Where each workload kind keeps its pod spec.
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
# What the text of a file with a container holds: the end of every CONTAINER_LISTS key
# (the rules that read containers are not run on other files; see ``Rule.requires``).
CONTAINER_TEXT = ("ontainers",)
# Workload kinds that cannot be applied without ``spec.selector``: a document of one of
# them without it is a patch (kustomize, kubeadm), not a workload.
_NEEDS_SELECTOR = frozenset(("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"))
# securityContext fields the pod level defines too; the container's value wins.
POD_LEVEL = frozenset(("runAsNonRoot", "runAsUser", "runAsGroup", "seccompProfile",
                       "seLinuxOptions", "windowsOptions", "appArmorProfile"))


class Container:
    """One container of a pod spec, with its effective security settings."""

    __slots__ = ("node", "list_name", "index", "pod", "security")

    def __init__(self, node: nodes.Node, list_name: str, index: int, pod: Pod) -> None:
        self.node = node
        self.list_name = list_name  # "containers", "initContainers" or "ephemeralContainers"
        self.index = index
        self.pod = pod
        security = nodes.get(node, "securityContext")
        self.security = security if nodes.is_map(security) else None

    @property
    def name(self) -> str:
        return nodes.text(nodes.get(self.node, "name"), "")

    @property
    def label(self) -> str:
        """How messages name it: ``container 'app'`` or ``init container 'setup'``."""
        kind = {"initContainers": "init container", "ephemeralContainers": "ephemeral container"}
        what = kind.get(self.list_name, "container")
        return f"{what} '{self.name}'" if self.name else f"{what} {self.index + 1}"

    @property
    def anchor(self) -> nodes.Node:
        """The node that names the container (its ``name:`` value, else the container)."""
        value = nodes.get(self.node, "name")
        return value if value is not None else self.node

    @property
    def partial(self) -> bool:
        """A patch rather than a container: no ``image:``, or its workload has no selector.
        Patches state only what they change, so a missing setting says nothing."""
        return self.pod.partial or nodes.get(self.node, "image") is None

    @property
    def image_key(self) -> nodes.Node:
        """The ``image:`` key, where findings about a missing setting point; else the
        container itself."""
        key, _ = nodes.get_pair(self.node, "image")
        return key if key is not None else self.node

    def setting(self, field: str) -> tuple[nodes.Scalar | None, nodes.Node | None]:
        """``(key node, value node)`` of the effective ``securityContext.<field>``, or
        ``(None, None)`` when neither this container nor (for pod-level fields) the pod sets it."""
        key, value = nodes.get_pair(self.security, field)
        if key is None and field in POD_LEVEL:
            key, value = nodes.get_pair(self.pod.security, field)
        return key, value

    def __repr__(self) -> str:
        return f"<Container {self.label}>"


class Pod:
    """A pod spec's own settings, which its containers inherit."""

    __slots__ = ("root", "node", "security", "partial")

    def __init__(self, root: nodes.Node, node: nodes.Node, partial: bool = False) -> None:
        self.root = root
        self.node = node
        self.partial = partial
        security = nodes.get(node, "securityContext")
        self.security = security if nodes.is_map(security) else None

    @property
    def windows(self) -> bool:
        """``spec.os.name: windows``: Pod Security exempts these from the Linux-only controls."""
        return nodes.text(nodes.path(self.node, "os", "name"), "").strip().lower() == "windows"


class PodSpec(Pod):
    """A pod spec and its containers, every list (init, regular, ephemeral)."""

    __slots__ = ("containers",)

    def __init__(self, root: nodes.Node, node: nodes.Node, partial: bool = False) -> None:
        super().__init__(root, node, partial)
        # The containers refer to a Pod of their own, not to this object that lists them:
        # no cycle, so a document's objects are freed as soon as it is checked.
        pod = Pod(root, node, partial)
        self.containers: list[Container] = []
        for list_name in CONTAINER_LISTS:
            for index, item in enumerate(nodes.items(nodes.get(node, list_name))):
                if nodes.is_map(item):
                    self.containers.append(Container(item, list_name, index, pod))


def pod_specs(root: nodes.Node) -> list[PodSpec]:
    """The pod specs of a document (none for kinds that hold none), built once per document."""
    found = root.__dict__.get("_psk_pods")
    if found is None:
        found = []
        kind = nodes.text(nodes.get(root, "kind"))
        spec_path = POD_SPEC_PATHS.get(kind)  # type: ignore[arg-type]  # None: no kind, no path
        if spec_path is not None and nodes.text(nodes.get(root, "apiVersion"), ""):
            node = nodes.path(root, *spec_path)
            if nodes.is_map(node):
                partial = kind in _NEEDS_SELECTOR and nodes.path(root, "spec", "selector") is None
                found.append(PodSpec(root, node, partial))
        root._psk_pods = found  # type: ignore[attr-defined]  # a cache on the node
    return found


def containers(root: nodes.Node) -> Iterator[Container]:
    """Every container of every pod spec in a document."""
    for pod in pod_specs(root):
        yield from pod.containers


def images(root: nodes.Node) -> Iterator[tuple[nodes.Scalar, str]]:
    """``(key_node, image_text)`` for every container image of a workload document."""
    for container in containers(root):
        key, value = nodes.get_pair(container.node, "image")
        image = nodes.text(value, "").strip()
        if key is not None and image and "$" not in image and "{{" not in image:
            yield key, image


def build_placeholder(root: nodes.Node, image: str) -> bool:
    """Whether ``image`` names what the repository builds rather than an image: a ``ko://``
    import path, or a Skaffold artifact of the tree the document was found in."""
    if image.startswith("ko://"):
        return True
    around = root.__dict__.get("_psk_around")
    if around is None:
        return False
    name = image.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    return name in build_artifacts(around)
