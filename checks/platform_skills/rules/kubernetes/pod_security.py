"""Pod Security Standards on workloads: baseline (PSK303-PSK307) and restricted (PSK308-PSK312)."""

from ... import nodes
from ...fixes import Fix, add_item, add_pair, plain_node, replace_scalar
from ...model import rule
from ...readers.podspec import CONTAINER_TEXT, containers, pod_specs
from .examples import CONTAINER_SECURITY, HARDENED, POD_SECURITY, REF, deployment

PSS = REF + "#pod-security-standards"
# Capabilities the baseline level lets a container add.
BASELINE_CAPABILITIES = frozenset((
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"))
# Container-runtime sockets: a hostPath to one is control of every container on the node.
RUNTIME_SOCKETS = frozenset((
    "/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock", "/run/podman/podman.sock",
    "/var/run/podman/podman.sock", "/run/k3s/containerd/containerd.sock"))
_FALSE = frozenset(("false", "no", "off"))
_NAMESPACES = {"hostNetwork": "network", "hostPID": "process", "hostIPC": "IPC"}
_ADOPTION = (
    "Adopt the levels one at a time with `--select`: baseline first "
    "(`--select PSK303,PSK304,PSK305,PSK306,PSK307`), then restricted "
    "(`--select PSK303,PSK304,PSK305,PSK306,PSK307,PSK308,PSK309,PSK310,PSK311`), as the "
    "rule catalog's \"Selecting rules\" section and the Kubernetes guide's rollout order "
    "describe. ")
_EFFECTIVE = (
    "Every container counts (init and ephemeral ones too). The setting is the container's "
    "`securityContext`, else the pod's where the pod level defines the field, as Kubernetes "
    "applies them. ")
_PATCHES = (
    "A patch is judged only on what it sets: a container without `image:`, or a Deployment, "
    "StatefulSet, DaemonSet or ReplicaSet without `spec.selector`, is a kustomize or kubeadm "
    "patch, and a setting it leaves out is not reported. ")
_GROUPED = (
    "Findings of PSK308-PSK312 and PSK320 on one container carry a related location naming "
    "it, and text output shows them under one header per line. ")
_WINDOWS = "Pods with `spec.os.name: windows` are exempt, as in Pod Security Admission. "
_PEERS_ONE_RANGE = "Checkov's Kubernetes checks report the whole object's line range. "


def _is_false(node):
    return nodes.is_scalar(node) and node.value.strip().lower() in _FALSE


def _where(container, key):
    """The setting's line when it is set, else the container's ``image:``."""
    return key if key is not None else container.image_key


def _escalates_anyway(container):
    """Privileged or holding SYS_ADMIN: the API server refuses ``allowPrivilegeEscalation:
    false`` for such a container, so PSK303/PSK307 are the findings to fix first."""
    if nodes.is_true(nodes.get(container.security, "privileged")):
        return True
    added = nodes.path(container.security, "capabilities", "add")
    return any(nodes.text(i, "").strip() in ("SYS_ADMIN", "CAP_SYS_ADMIN") for i in nodes.items(added))


def _related(container):
    return [(container.anchor, container.label)]


def _set_in_security(text, container, parents, field, setting, value=None):
    """``securityContext.<parents...>.<field>: <setting>`` on a container: the value replaced
    when the container sets it, else the key added to the deepest mapping that exists."""
    if not plain_node(text, container.node, container.security,
                      nodes.get(container.security, "capabilities")):
        return None  # an anchored or aliased setting is shared: not one place to change
    if value is not None:
        return replace_scalar(text, value, setting)
    mapping, rows = container.node, [(0, "securityContext:")]
    for depth, name in enumerate(parents, 1):
        rows.append((depth, name + ":"))
    rows.append((len(parents) + 1, f"{field}: {setting}"))
    for name in ("securityContext",) + tuple(parents):
        key, inner = nodes.get_pair(mapping, name)
        if key is None:
            break
        if not nodes.is_map(inner):
            return None  # null, a flow value or a scalar: not one safe place
        mapping, rows = inner, [(depth - 1, line) for depth, line in rows[1:]]
    after = ("image", "name") if mapping is container.node else ()
    return add_pair(text, mapping, rows, after=after)


def _drop_all(text, container, key, drop):
    """``drop: ["ALL"]`` beside whatever ``capabilities`` holds (an ``add:`` stays), or ALL
    as a first item of an existing ``drop:`` list."""
    if key is not None:
        plain = plain_node(text, container.node, container.security)
        return add_item(text, drop, "ALL") if plain and nodes.is_seq(drop) else None
    return _set_in_security(text, container, ("capabilities",), "drop", '["ALL"]')


@rule(
    id="PSK303", name="privileged-container", severity="critical", domain="kubernetes",
    requires=("privileged",),
    targets=("manifest",), reference=PSS, since="0.2.0",
    summary="Privileged container",
    rationale=(
        "`privileged: true` gives the container every capability and the node's devices, and "
        "lifts most of what seccomp and AppArmor confine. Whoever runs code in it owns the node, "
        "and every Secret mounted by every pod scheduled there."),
    fix=("Remove `privileged: true`; grant the one capability or device the workload needs. "
         "Node agents that truly need it live in a namespace labelled `enforce: privileged`."),
    bad=deployment(container_security=CONTAINER_SECURITY.replace(
        "            allowPrivilegeEscalation: false\n", "            privileged: true\n")),
    good=HARDENED,
    limits=_EFFECTIVE + _ADOPTION + (
        "Checkov's CKV_K8S_16 checks the same setting. Windows `hostProcess` containers are not "
        "checked."),
    precision="very-high",
)
def privileged_container(root):
    for container in containers(root):
        key, value = nodes.get_pair(container.security, "privileged")
        if nodes.is_true(value):
            yield key, f"{container.label} is privileged"


@rule(
    id="PSK304", name="host-namespaces", severity="high", domain="kubernetes",
    requires=("hostNetwork", "hostPID", "hostIPC"),
    targets=("manifest",), reference=PSS, since="0.2.0",
    summary="`hostNetwork`, `hostPID` or `hostIPC` on a pod",
    rationale=(
        "Sharing the node's network, process or IPC namespace lets the container bind the "
        "node's ports and sniff its traffic, see and signal every process on the node, or read "
        "other workloads' shared memory."),
    fix="Remove the setting; expose the workload through a Service instead of the node's network.",
    bad=deployment(pod_extra="      hostNetwork: true\n"),
    good=HARDENED,
    limits=_ADOPTION + ("Checkov's CKV_K8S_17 (PID), CKV_K8S_18 (IPC) and CKV_K8S_19 (network) "
                        "check the same settings."),
    precision="very-high",
)
def host_namespaces(root):
    for pod in pod_specs(root):
        for field in ("hostNetwork", "hostPID", "hostIPC"):
            key, value = nodes.get_pair(pod.node, field)
            if nodes.is_true(value):
                yield key, f"{field}: true shares the node's {_NAMESPACES[field]} namespace"


@rule(
    id="PSK305", name="host-path-volume", severity="high", domain="kubernetes",
    requires=("hostPath",),
    targets=("manifest",), reference=PSS, since="0.2.0",
    summary="A `hostPath` volume",
    rationale=(
        "A `hostPath` volume is the node's file system inside the container: node credentials, "
        "other pods' data, and with the container runtime's socket the power to start "
        "privileged containers at will."),
    fix=("Use an `emptyDir`, a ConfigMap, a projected volume or a PersistentVolumeClaim; node "
         "agents that must read the host go in a privileged-level namespace with a reasoned "
         "suppression."),
    bad=deployment(pod_extra=("      volumes:\n        - name: cache\n          hostPath:\n"
                              "            path: /var/cache/api\n")),
    good=deployment(pod_extra=("      volumes:\n        - name: cache\n          emptyDir:\n"
                               "            sizeLimit: 1Gi\n")),
    limits=(
        _ADOPTION + "The restricted level also forbids other volume types (only `configMap`, "
        "`csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`, "
        "`projected` and `secret`); this rule checks `hostPath` only. The message names a "
        "container-runtime socket (Docker, containerd, CRI-O, cri-dockerd, Podman, k3s) when "
        "the path is one. Checkov's CKV_K8S_27 flags only the Docker socket."),
    precision="very-high",
)
def host_path_volume(root):
    for pod in pod_specs(root):
        for volume in nodes.items(nodes.get(pod.node, "volumes")):
            key, value = nodes.get_pair(volume, "hostPath")
            if key is None:
                continue
            path = nodes.text(nodes.get(value, "path"), "").rstrip("/")
            name = nodes.text(nodes.get(volume, "name"), "")
            if path in RUNTIME_SOCKETS:
                yield key, (f"hostPath volume '{name}' mounts {path}, the container runtime's "
                            "socket: whoever can use it controls every container on the node")
            else:
                yield key, f"hostPath volume '{name}' mounts the node's {path or 'file system'}"


@rule(
    id="PSK306", name="host-port", severity="medium", domain="kubernetes",
    requires=("hostPort",),
    targets=("manifest",), reference=PSS, since="0.2.0",
    summary="A container port bound to the node with `hostPort`",
    rationale=(
        "A `hostPort` exposes the container on the node's own address, outside the Service and "
        "network policies you review, and allows only one such pod per node and port."),
    fix="Remove `hostPort` and reach the pod through a Service (with an Ingress or Gateway).",
    bad=deployment(container_extra=("          ports:\n            - containerPort: 8080\n"
                                    "              hostPort: 8080\n")),
    good=deployment(container_extra=("          ports:\n            - containerPort: 8080\n"
                                     "              hostPort: 0\n")),
    limits=_ADOPTION + "`hostPort: 0` means none and passes. Checkov's CKV_K8S_26 checks the same.",
    precision="very-high",
)
def host_port(root):
    for container in containers(root):
        for port in nodes.items(nodes.get(container.node, "ports")):
            key, value = nodes.get_pair(port, "hostPort")
            text = nodes.text(value, "").strip()
            if key is not None and text not in ("", "0", "null", "~"):
                yield key, f"{container.label} binds hostPort {text} on the node"


@rule(
    id="PSK307", name="dangerous-capabilities", severity="high", domain="kubernetes",
    requires=CONTAINER_TEXT,
    targets=("manifest",), reference=PSS, since="0.2.0",
    summary="A capability outside the baseline list, or `ALL`, added",
    rationale=(
        "Capabilities split root's power into pieces, and some pieces are escape tools: "
        "`SYS_ADMIN` mounts file systems and much more, `NET_ADMIN` reconfigures the network, "
        "`SYS_PTRACE` reads other processes' memory, `ALL` is all of them."),
    fix=("Drop `ALL` and add back only a capability from the baseline list the process needs, "
         "usually just `NET_BIND_SERVICE`."),
    bad=deployment(container_security=CONTAINER_SECURITY.replace(
        'drop: ["ALL"]', 'drop: ["ALL"]\n              add: ["NET_ADMIN"]')),
    good=deployment(container_security=CONTAINER_SECURITY.replace(
        'drop: ["ALL"]', 'drop: ["ALL"]\n              add: ["NET_BIND_SERVICE"]')),
    limits=_ADOPTION + (
        "The list is Pod Security's baseline: `AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER FSETID KILL "
        "MKNOD NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT`, compared as written "
        "(`CAP_SYS_ADMIN` is outside it, as Pod Security Admission sees it). The restricted "
        "level allows `NET_BIND_SERVICE` only, which admission enforces where this rule is "
        "silent. Checkov's CKV_K8S_25 flags any added capability, CKV_K8S_39 `SYS_ADMIN`."),
    precision="very-high",
)
def dangerous_capabilities(root):
    for container in containers(root):
        capabilities = nodes.get(container.security, "capabilities")
        for item in nodes.items(nodes.get(capabilities, "add")):
            name = nodes.text(item, "").strip()
            if name and name not in BASELINE_CAPABILITIES:
                what = "every capability" if name.upper() == "ALL" else f"capability {name}"
                yield item, f"{container.label} adds {what}, outside the baseline list"


@rule(
    id="PSK308", name="privilege-escalation-allowed", severity="medium", domain="kubernetes",
    requires=CONTAINER_TEXT,
    targets=("manifest",), reference=PSS, since="0.2.0",
    summary="`allowPrivilegeEscalation` not `false`",
    rationale=(
        "Without `allowPrivilegeEscalation: false` the kernel's `no_new_privs` flag is off, and "
        "a process gains privileges through any set-user-ID binary or file capability: a "
        "non-root container is one such binary away from root."),
    fix="Set `allowPrivilegeEscalation: false` in every container's `securityContext`.",
    bad=deployment(container_security=CONTAINER_SECURITY.replace(
        "            allowPrivilegeEscalation: false\n", "")),
    good=HARDENED,
    limits=_EFFECTIVE + _WINDOWS + _PATCHES + _GROUPED + _ADOPTION + (
        "A privileged container, or one that adds `SYS_ADMIN`, is left to PSK303 and PSK307: it "
        "escalates whatever this field says, and the API server refuses "
        "`allowPrivilegeEscalation: false` next to either. Checkov's CKV_K8S_20 checks the same "
        "setting."),
    fixable=True,
    precision="very-high",
)
def privilege_escalation_allowed(root):
    for container in containers(root):
        if container.pod.windows or _escalates_anyway(container):
            continue
        key, value = container.setting("allowPrivilegeEscalation")
        if key is None and container.partial:
            continue
        if not _is_false(value):
            state = "is not false" if key is not None else "is not set to false"
            yield _where(container, key), (f"{container.label}: allowPrivilegeEscalation {state}"), \
                _related(container), Fix(_set_in_security, container, (), "allowPrivilegeEscalation",
                                         "false", value)


@rule(
    id="PSK309", name="runs-as-root", severity="medium", domain="kubernetes",
    requires=CONTAINER_TEXT,
    targets=("manifest",), reference=PSS, since="0.2.0",
    summary="`runAsNonRoot` not `true`, or `runAsUser: 0`",
    rationale=(
        "UID 0 in a container is UID 0 on the node unless the pod runs in a user namespace, and "
        "every container-escape bug is worse when it starts as root. `runAsNonRoot: true` makes "
        "the kubelet refuse to start a container that would run as root."),
    fix=("Set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod's `securityContext` "
         "(or the container's), and give the image a numeric `USER`."),
    bad=deployment(pod_security=POD_SECURITY.replace("        runAsNonRoot: true\n", "")),
    good=HARDENED,
    limits=_EFFECTIVE + _PATCHES + _GROUPED + _ADOPTION + (
        "A non-zero `runAsUser` without `runAsNonRoot: true` is still a finding, as in the "
        "restricted level. User namespaces (`hostUsers: false`) are not modelled: suppress "
        "with the reason there. Checkov's CKV_K8S_23 checks for root containers and CKV_K8S_40 "
        "for a UID above 10000."),
    precision="very-high",
)
def runs_as_root(root):
    for container in containers(root):
        user_key, user = container.setting("runAsUser")
        if nodes.text(user, "").strip() == "0":
            yield user_key, f"{container.label} runs as UID 0 (runAsUser: 0)", _related(container)
            continue
        key, value = container.setting("runAsNonRoot")
        if key is None and container.partial:
            continue
        if not nodes.is_true(value):
            state = "is not true" if key is not None else "is not set"
            yield _where(container, key), f"{container.label}: runAsNonRoot {state}", \
                _related(container)


@rule(
    id="PSK310", name="capabilities-not-dropped", severity="low", domain="kubernetes",
    requires=CONTAINER_TEXT,
    targets=("manifest",), reference=PSS, since="0.2.0",
    summary="`capabilities.drop` without `ALL`",
    rationale=(
        "Container runtimes grant a default set of capabilities (`NET_RAW`, `CHOWN`, "
        "`SETUID` and others) that most processes never use. Dropping `ALL` and adding back "
        "what is needed leaves an exploit nothing to work with."),
    fix='Set `capabilities: {drop: ["ALL"]}` and add back only what the process needs.',
    bad=deployment(container_security=CONTAINER_SECURITY.replace(
        "            capabilities:\n              drop: [\"ALL\"]\n", "")),
    good=HARDENED,
    limits=_WINDOWS + _PATCHES + _GROUPED + _ADOPTION + (
        "`ALL` must be written in capitals, as the restricted level compares it (Checkov's "
        "CKV_K8S_37, which asks for the same, also accepts `all`); CKV_K8S_28 asks for "
        "`NET_RAW` or `ALL` to be dropped."),
    fixable=True,
    precision="very-high",
)
def capabilities_not_dropped(root):
    for container in containers(root):
        if container.pod.windows:
            continue
        capabilities = nodes.get(container.security, "capabilities")
        key, drop = nodes.get_pair(capabilities, "drop")
        if key is None and container.partial:
            continue
        if not any(nodes.text(i, "").strip() == "ALL" for i in nodes.items(drop)):
            yield _where(container, key), f"{container.label} does not drop ALL capabilities", \
                _related(container), Fix(_drop_all, container, key, drop)


@rule(
    id="PSK311", name="seccomp-unconfined", severity="medium", domain="kubernetes",
    requires=CONTAINER_TEXT,
    targets=("manifest",), reference=PSS, since="0.2.0",
    summary="Seccomp profile missing or `Unconfined`",
    rationale=(
        "Seccomp filters the system calls a container may make. Unless the kubelet runs with "
        "`--seccomp-default`, a pod that names no profile runs unconfined, with the kernel's "
        "whole syscall surface open to an exploit."),
    fix="Set `seccompProfile: {type: RuntimeDefault}` in the pod's `securityContext`.",
    bad=deployment(pod_security=POD_SECURITY.replace(
        "        seccompProfile:\n          type: RuntimeDefault\n", "")),
    good=HARDENED,
    limits=_EFFECTIVE + _WINDOWS + _PATCHES + _GROUPED + _ADOPTION + (
        "`RuntimeDefault` and `Localhost` pass. The `seccomp.security.alpha.kubernetes.io` "
        "annotations that predate the field are not read: deprecated since Kubernetes 1.19, "
        "they have had no effect since 1.25. Checkov's CKV_K8S_31 checks the same setting but "
        "accepts only `RuntimeDefault`, failing a `Localhost` profile."),
    precision="very-high",
)
def seccomp_unconfined(root):
    for container in containers(root):
        if container.pod.windows:
            continue
        key, profile = container.setting("seccompProfile")
        type_key, value = nodes.get_pair(profile, "type")
        kind = nodes.text(value, "").strip()
        if kind in ("RuntimeDefault", "Localhost"):
            continue
        if kind:
            yield type_key, f"{container.label} runs with seccomp profile {kind}", \
                _related(container)
        elif key is None and container.partial:
            continue
        else:
            yield _where(container, key), f"{container.label} sets no seccomp profile type", \
                _related(container)


@rule(
    id="PSK312", name="writable-root-filesystem", severity="low", domain="kubernetes",
    requires=CONTAINER_TEXT,
    targets=("manifest",), reference=REF + "#pod-security-standards", since="0.2.0",
    summary="`readOnlyRootFilesystem` not `true`",
    rationale=(
        "A writable image file system is where an intruder drops tools, and where an "
        "application quietly keeps state it loses on restart. No Pod Security level requires "
        "it; it is cheap once the writable paths are volumes."),
    fix=("Set `readOnlyRootFilesystem: true` and mount an `emptyDir` wherever the process must "
         "write (`/tmp`, caches)."),
    bad=deployment(container_security=CONTAINER_SECURITY.replace(
        "            readOnlyRootFilesystem: true\n", "")),
    good=HARDENED,
    limits=_WINDOWS + _PATCHES + _GROUPED + (
        "Not part of any Pod Security level; leave it out of a restricted-level gate with "
        "`--ignore PSK312`. Checkov's CKV_K8S_22 checks the same setting."),
    precision="very-high",
)
def writable_root_filesystem(root):
    for container in containers(root):
        if container.pod.windows:
            continue
        key, value = nodes.get_pair(container.security, "readOnlyRootFilesystem")
        if key is None and container.partial:
            continue
        if not nodes.is_true(value):
            state = "is not true" if key is not None else "is not set"
            yield _where(container, key), f"{container.label}: readOnlyRootFilesystem {state}", \
                _related(container)
