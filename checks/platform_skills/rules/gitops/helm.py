"""Helm charts: dependency pinning and image tags in values (PSK601-PSK602)."""

from ... import nodes
from ...model import rule
from ...readers.gitops import templated
from ...readers.versions import semver_floats
from .examples import CHART, CHART_LOCK, HELM_REF, VALUES


@rule(
    id="PSK601", name="helm-dependency-unpinned", severity="low", domain="gitops",
    targets=("chart",), reference=HELM_REF + "#dependency-locking", example_name="Chart.yaml",
    example_files={"Chart.lock": CHART_LOCK},
    summary="Helm chart dependency without a pinned version, or without a `Chart.lock`",
    rationale=(
        "`helm dependency update` resolves each dependency's version range to the newest "
        "match on the day it runs, and `Chart.lock` records what it picked. Without a bounded "
        "version, or without the lock file in Git, two builds of the same commit can package "
        "different subcharts, and nobody can say which one is running."),
    fix="Give every dependency a version (`16.4.1`) or a bounded range (`~16.4.0`), run "
        "`helm dependency update`, and commit the `Chart.lock` it writes; build with "
        "`helm dependency build`, which follows the lock.",
    bad=CHART.replace("    version: 16.4.1\n", '    version: ">=16.0.0"\n'),
    good=CHART,
    since="0.2.0",
    limits="`apiVersion: v1` charts keep dependencies in `requirements.yaml` and are not "
           "read. Whether `Chart.lock` matches `Chart.yaml` (its digest) is not checked. "
           "Dependencies whose `repository` is `file://` are charts of the same repository, "
           "versioned with it: they need neither a version range nor a lock, and a chart "
           "whose only dependencies are local needs no `Chart.lock`. A dependency with no "
           "`repository` (a chart kept under `charts/`) is read as a remote one, so it is asked "
           "for a version and a lock.",
    precision="medium",
)
def helm_dependency_unpinned(chart):
    root = chart.root
    if nodes.text(nodes.get(root, "apiVersion"), "").strip() != "v2":
        return
    dependencies = [d for d in nodes.items(nodes.get(root, "dependencies"))
                    if nodes.is_map(d) and not _local(d)]
    for dependency in dependencies:
        name_key, name = nodes.get_pair(dependency, "name")
        label = nodes.text(name, "?")
        version_key, version = nodes.get_pair(dependency, "version")
        text = nodes.text(version, "").strip() if version_key is not None else ""
        if not text:
            yield (name_key or dependency), f"dependency '{label}' has no version"
        elif not templated(text) and semver_floats(text):
            yield version_key, f"dependency '{label}' version '{text}' has no upper bound"
    if dependencies and not chart.has_lock:
        names = [(d, nodes.get_pair(d, "name")[0]) for d in dependencies]
        first = names[0][1] or names[0][0]
        more = [(key or d, "another dependency the lock would pin") for d, key in names[1:]]
        count = len(dependencies)
        noun = "dependency" if count == 1 else "dependencies"
        yield (first, f"Chart.yaml declares {count} {noun} and no Chart.lock sits beside it", more)


def _local(dependency):
    """A dependency read from the repository itself (``repository: file://../common``)."""
    return nodes.text(nodes.get(dependency, "repository"), "").strip().startswith("file://")


@rule(
    id="PSK602", name="helm-values-latest", severity="low", domain="gitops",
    targets=("values",), reference=HELM_REF + "#values-image-tags-and-digests", example_name="values.yaml",
    example_files={"Chart.yaml": "apiVersion: v2\nname: example\nversion: 0.1.0\n"},
    summary="Chart values that deploy an image tagged `latest`",
    rationale=(
        "A chart's values are its defaults: every install that does not override `image.tag` "
        "runs whatever `latest` points at on the day a node pulls it. Releases of the same "
        "chart version then run different code, and a rollback cannot go back."),
    fix="Default `image.tag` to a version (or leave it empty so the chart's template falls "
        "back to `appVersion`), and pin a digest where the template supports one.",
    bad=VALUES.replace('  tag: "1.4.0"\n', "  tag: latest\n"),
    good=VALUES,
    since="0.2.0",
    limits="Reads `values*.yaml` beside a `Chart.yaml` only. Any `tag: latest` nested under "
           "a key named `image` or `images` counts (`image.tag`, `image.busybox.tag`, "
           "`images.sidecar.tag`); a `tag` elsewhere is not read as an image's. An image "
           "written as one string (`image: app:latest`) is left to the manifest rules on the "
           "rendered output.",
    precision="high",
)
def helm_values_latest(root):
    for tag_key, where in _image_tags(root):
        yield tag_key, f"values set {where} to 'latest'"


_IMAGE_KEYS = ("image", "images")


def _image_tags(root):
    """``(key node, dotted path)`` of every ``tag: latest`` below a key named ``image`` or
    ``images``. Iterative, each node once (aliases can share subtrees)."""
    stack, seen = [(root, (), False)], set()
    while stack:
        node, where, under_image = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if nodes.is_seq(node):
            stack.extend((item, where, under_image) for item in reversed(node.value))
            continue
        for name, key, value in nodes.pairs(node):
            if name == "tag" and under_image and nodes.text(value, "").strip() == "latest":
                yield key, ".".join(where + (name,))
            elif nodes.is_map(value) or nodes.is_seq(value):
                stack.append((value, where + (name,), under_image or name in _IMAGE_KEYS))
