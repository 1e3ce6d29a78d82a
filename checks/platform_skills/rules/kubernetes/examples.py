"""The workload every Kubernetes example is built from: restricted, with resources, pinned."""

REF = "references/kubernetes.md"
PINNED = ("registry.example.com/payments/api:1.4.2@sha256:"
          "0000000000000000000000000000000000000000000000000000000000000000")  # placeholder

POD_SECURITY = """\
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        seccompProfile:
          type: RuntimeDefault
"""
CONTAINER_SECURITY = """\
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
"""
RESOURCES = """\
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {memory: 256Mi}
"""


def deployment(pod_security=POD_SECURITY, container_security=CONTAINER_SECURITY,
               resources=RESOURCES, pod_extra="", container_extra=""):
    """A restricted Deployment; pass replacements to take a setting away or add one."""
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
        "  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n"
        "      labels: {app: api}\n    spec:\n" + pod_security + pod_extra +
        "      containers:\n        - name: api\n          image: " + PINNED + "\n" +
        container_security + resources + container_extra)


HARDENED = deployment()
