"""Argo CD projects and applications (PSK551-PSK553)."""

from ... import nodes
from ...model import rule
from ...readers.gitops import ARGOCD, ARGOCD_TEXT, kind_of, templated
from ...readers.versions import semver_floats
from .examples import APP_PROJECT, APPLICATION, ARGOCD_REF


def _is_wildcard(node):
    return nodes.text(node, "").strip() == "*"


@rule(
    id="PSK551", name="argocd-project-wildcard", severity="high", domain="gitops",
    requires=ARGOCD_TEXT,
    targets=("manifest",), reference=ARGOCD_REF + "#project-scoping",
    summary="Argo CD `AppProject` that allows any repository, any destination or any cluster resource",
    rationale=(
        "An `AppProject` is the boundary between teams: it says which repositories an "
        "application may deploy from, where to, and which cluster-scoped objects it may "
        "create. A `*` in `sourceRepos`, a destination of any cluster and any namespace, or "
        "every cluster-scoped kind lets whoever can create an Application in the project "
        "deploy anything anywhere, `ClusterRoleBinding`s included."),
    fix="List the project's repositories, its destination clusters and namespaces, and only "
        "the cluster-scoped kinds it needs (often none: `clusterResourceWhitelist: []`).",
    bad=APP_PROJECT.replace("    - https://github.com/example-org/payments-deploy\n", "    - '*'\n"),
    good=APP_PROJECT,
    since="0.2.0",
    limits="Judges each `AppProject` as written: projects created from the Argo CD Helm "
           "chart's values, or the built-in `default` project in a live cluster, are not seen.",
    precision="high",
)
def argocd_project_wildcard(root):
    if kind_of(root, ARGOCD) != "AppProject":
        return
    spec = nodes.get(root, "spec")
    for repo in nodes.items(nodes.get(spec, "sourceRepos")):
        if _is_wildcard(repo):
            yield repo, "AppProject sourceRepos allows any repository ('*')"
    for destination in nodes.items(nodes.get(spec, "destinations")):
        target = next(((k, v) for k, v in (nodes.get_pair(destination, "server"),
                                           nodes.get_pair(destination, "name"))
                       if k is not None and _is_wildcard(v)), None)
        ns_key, namespace = nodes.get_pair(destination, "namespace")
        if target is not None and ns_key is not None and _is_wildcard(namespace):
            yield (target[0], "AppProject destination allows any cluster and any namespace ('*')",
                   [(ns_key, "namespace '*'")])
    for entry in nodes.items(nodes.get(spec, "clusterResourceWhitelist")):
        group_key, group = nodes.get_pair(entry, "group")
        kind_key, kind = nodes.get_pair(entry, "kind")
        if group_key is not None and kind_key is not None and _is_wildcard(group) and _is_wildcard(kind):
            yield (group_key, "AppProject clusterResourceWhitelist allows every cluster-scoped "
                              "kind (group '*', kind '*')", [(kind_key, "kind '*'")])


@rule(
    id="PSK552", name="argocd-default-project", severity="medium", domain="gitops",
    requires=ARGOCD_TEXT,
    targets=("manifest",), reference=ARGOCD_REF + "#not-using-the-default-project",
    summary="Argo CD application in the `default` project",
    rationale=(
        "The `default` project allows every repository, every destination and every "
        "cluster-scoped kind until someone restricts it. An application placed there gets "
        "none of the limits a team project sets, and a change to the shared project widens "
        "every application in it at once."),
    fix="Create an `AppProject` per team or platform area and set `spec.project` to it.",
    bad=APPLICATION.replace("  project: platform\n", "  project: default\n"),
    good=APPLICATION,
    since="0.2.0",
    limits="An `ApplicationSet` template whose project is templated (`{{ .project }}`) is "
           "not judged.",
    precision="high",
)
def argocd_default_project(root):
    kind = kind_of(root, ARGOCD)
    if kind == "Application":
        holder_key, holder = nodes.get_pair(root, "spec")
    elif kind == "ApplicationSet":
        holder_key, holder = nodes.get_pair(nodes.path(root, "spec", "template"), "spec")
    else:
        return
    if not nodes.is_map(holder):
        return
    project_key, project = nodes.get_pair(holder, "project")
    text = nodes.text(project, "").strip() if project_key is not None else ""
    if project_key is None or not text:
        yield holder_key, f"{kind} sets no project, so it lands in 'default'"
    elif text == "default":
        yield project_key, f"{kind} uses the 'default' project"


def _helm_sources(spec):
    """``(anchor, source)`` for each source of an Application spec that names a chart."""
    source_key, source = nodes.get_pair(spec, "source")
    candidates = [(source_key, source)] if source_key is not None else []
    candidates += [(item, item) for item in nodes.items(nodes.get(spec, "sources"))]
    for anchor, candidate in candidates:
        if nodes.is_map(candidate) and nodes.text(nodes.get(candidate, "chart"), "").strip():
            yield anchor, candidate


@rule(
    id="PSK553", name="argocd-floating-chart", severity="medium", domain="gitops",
    requires=ARGOCD_TEXT,
    targets=("manifest",), reference=ARGOCD_REF + "#chart-pinning-with-targetrevision",
    summary="Argo CD Helm source with no `targetRevision`, `*`, or a range without an upper bound",
    rationale=(
        "For a Helm source, `targetRevision` is the chart version. Left out, `*` or "
        "`>=1.0.0`, Argo CD syncs every new chart the repository publishes, including a "
        "breaking major or a tampered upload, without a commit anyone reviewed."),
    fix="Set `targetRevision` to a chart version (`4.12.1`) or a bounded range (`4.12.*`, "
        "`>=4.12.0 <5.0.0`).",
    bad=APPLICATION.replace("    targetRevision: 4.12.1\n", "    targetRevision: '*'\n"),
    good=APPLICATION,
    since="0.2.0",
    limits="Git sources (no `chart:`) are out of scope: `HEAD` or a branch there is a "
           "deployment strategy, not a floating chart. `ApplicationSet` templates are not read.",
    precision="high",
)
def argocd_floating_chart(root):
    if kind_of(root, ARGOCD) != "Application":
        return
    for anchor, source in _helm_sources(nodes.get(root, "spec")):
        chart = nodes.text(nodes.get(source, "chart"), "").strip()
        key, revision = nodes.get_pair(source, "targetRevision")
        text = nodes.text(revision, "").strip() if key is not None else ""
        if not text:
            yield anchor, f"Helm source '{chart}' has no targetRevision: the chart version is not pinned"
        elif not templated(text) and semver_floats(text):
            yield key, f"Helm source '{chart}' targetRevision '{text}' has no upper bound"
