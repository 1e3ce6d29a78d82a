"""Images a repository builds with Skaffold: names in ``build.artifacts[].image`` of its
``skaffold.yaml`` files (every profile too). In manifests those names are placeholders that
Skaffold replaces with the image it built, tag and digest included, at deploy time."""

from __future__ import annotations

from .. import nodes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Protocol

    class Surroundings(Protocol):
        """What this reader asks of ``surroundings.Surroundings`` (a floor above readers)."""

        memo: dict[str, Any]

        def named(self, accept: Callable[[str], bool]) -> list[str]: ...
        def yaml(self, path: str) -> list[nodes.Node] | None: ...

_PREFIX = "skaffold"
_SUFFIXES = (".yaml", ".yml")


def _is_skaffold_file(name: str) -> bool:
    return name.startswith(_PREFIX) and name.endswith(_SUFFIXES)


def build_artifacts(around: Surroundings) -> frozenset[str]:
    """The image names every Skaffold configuration of the tree builds (once per tree)."""
    memo = around.memo
    if "skaffold-artifacts" not in memo:
        names: set[str] = set()
        for path in around.named(_is_skaffold_file):
            for root in around.yaml(path) or ():
                if not nodes.text(nodes.get(root, "apiVersion"), "").startswith("skaffold/"):
                    continue
                builds = [nodes.get(root, "build")]
                builds += [nodes.get(p, "build") for p in nodes.items(nodes.get(root, "profiles"))]
                for build in builds:
                    for artifact in nodes.items(nodes.get(build, "artifacts")):
                        name = nodes.text(nodes.get(artifact, "image"), "").strip()
                        if name:
                            names.add(name)
        memo["skaffold-artifacts"] = frozenset(names)
    return memo["skaffold-artifacts"]  # type: ignore[no-any-return]
