"""The Flux, Argo CD and Helm objects the GitOps examples are built from."""

FLUX_REF = "references/fluxcd.md"
ARGOCD_REF = "references/argocd.md"
HELM_REF = "references/helm.md"

OCI_SOURCE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: app
  namespace: flux-system
spec:
  interval: 10m
  url: oci://ghcr.io/example-org/manifests/app
  ref:
    semver: ">=1.2.0 <2.0.0"
  verify:
    provider: cosign
    matchOIDCIdentity:
      - issuer: ^https://token\\.actions\\.githubusercontent\\.com$
        subject: ^https://github\\.com/example-org/app/\\.github/workflows/release\\.yml@refs/tags/v.+$
"""

BUCKET = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata:
  name: manifests
  namespace: flux-system
spec:
  interval: 10m
  provider: generic
  bucketName: manifests
  endpoint: minio.storage.svc:9000
"""

HELM_RELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      version: "6.7.1"
      sourceRef:
        kind: HelmRepository
        name: podinfo
"""

IMAGE_AUTOMATION = """\
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 30m
  sourceRef:
    kind: GitRepository
    name: fleet
  git:
    checkout:
      ref:
        branch: main
    commit:
      author:
        name: fluxcdbot
        email: fluxcdbot@users.noreply.github.com
    push:
      branch: image-updates
  update:
    path: ./apps
    strategy: Setters
"""

IMAGE_POLICY = """\
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: app
  namespace: flux-system
spec:
  imageRepositoryRef:
    name: app
  filterTags:
    pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$'
    extract: '$ts'
  policy:
    numerical:
      order: asc
"""

APP_PROJECT = """\
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: payments
  namespace: argocd
spec:
  sourceRepos:
    - https://github.com/example-org/payments-deploy
  destinations:
    - server: https://kubernetes.default.svc
      namespace: payments
  clusterResourceWhitelist: []
"""

APPLICATION = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ingress-nginx
  namespace: argocd
spec:
  project: platform
  source:
    repoURL: https://kubernetes.github.io/ingress-nginx
    chart: ingress-nginx
    targetRevision: 4.12.1
  destination:
    server: https://kubernetes.default.svc
    namespace: ingress-nginx
"""

CHART = """\
apiVersion: v2
name: shop
version: 1.4.0
dependencies:
  - name: postgresql
    version: 16.4.1
    repository: oci://registry-1.docker.io/bitnamicharts
"""

VALUES = """\
replicaCount: 2
image:
  repository: ghcr.io/example-org/shop
  tag: "1.4.0"
"""

# A chart with dependencies commits its lock; the examples show only the version rules.
CHART_LOCK = "dependencies: []\ndigest: sha256:0\ngenerated: \"2026-01-01T00:00:00Z\"\n"
