"""Small helpers over PyYAML's composed nodes (``yaml.compose`` output).

Rules read nodes, not Python objects, because nodes keep line marks and because an
alias is one shared node: nothing here expands an alias graph.
"""

from __future__ import annotations

TYPE_CHECKING = False
if not TYPE_CHECKING:
    def overload(function):  # the type checker's overloads cost nothing at run time
        return function
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any, Protocol, TypeGuard, overload

    from yaml.error import Mark

    class Node(Protocol):
        """What rules read of a composed PyYAML node (``ScalarNode``, ``SequenceNode``,
        ``MappingNode``): ``id`` says which, ``value`` is a string, a list of nodes or a list
        of ``(key, value)`` node pairs."""

        value: Any

        @property
        def id(self) -> str: ...
        @property
        def tag(self) -> str: ...
        @property
        def start_mark(self) -> Mark: ...
        @property
        def end_mark(self) -> Mark: ...

    class Scalar(Node, Protocol):
        """A scalar node: ``value`` is its text, ``style`` how it was written (``|``, ``>``,
        a quote; None when plain)."""

        value: str

        @property
        def style(self) -> str | None: ...

    class Collection(Node, Protocol):
        """A mapping or sequence node: ``flow_style`` is true when written ``{...}``/``[...]``."""

        @property
        def flow_style(self) -> bool | None: ...


def is_map(node: Node | None) -> TypeGuard[Collection]:
    return node is not None and node.id == "mapping"


def is_seq(node: Node | None) -> TypeGuard[Collection]:
    return node is not None and node.id == "sequence"


def is_scalar(node: Node | None) -> TypeGuard[Scalar]:
    return node is not None and node.id == "scalar"


def line(node: Node) -> int:
    """1-based line where the node starts."""
    return node.start_mark.line + 1


def column(node: Node) -> int:
    """1-based column where the node starts."""
    return node.start_mark.column + 1


@overload
def text(node: Node | None, default: str) -> str: ...
@overload
def text(node: Node | None, default: None = None) -> str | None: ...


def text(node: Node | None, default: str | None = None) -> str | None:
    """The scalar's string value, or ``default`` for anything that is not a scalar."""
    return node.value if is_scalar(node) else default


def pairs(node: Node | None) -> Iterator[tuple[str, Scalar, Node]]:
    """``(key_text, key_node, value_node)`` for each scalar key of a mapping."""
    if not is_map(node):
        return
    for key, value in node.value:
        if key.id == "scalar":
            yield key.value, key, value


# Mappings longer than this are indexed on first lookup; shorter ones are scanned (cheaper).
_INDEX_FROM = 8


def _index(node: Node) -> dict[str, tuple[Scalar, Node]]:
    """``{key: (key_node, value_node)}`` of a long mapping, built once and kept on the node.

    Keys are unique here: the parser keeps only the last of duplicate keys
    (``parsers.yaml_roots``), so the index and the linear scan agree.
    """
    index = node.__dict__.get("_psk_index")
    if index is None:
        index = {}
        for k, v in node.value:
            if k.id == "scalar" and k.value not in index:
                index[k.value] = (k, v)
        node._psk_index = index  # type: ignore[attr-defined]  # a cache on the node
    return index


def get(node: Node | None, key: str) -> Node | None:
    """The value node for ``key`` in a mapping, or None."""
    return get_pair(node, key)[1]


def get_pair(node: Node | None, key: str) -> tuple[Scalar | None, Node | None]:
    """``(key_node, value_node)`` for ``key`` in a mapping, or ``(None, None)``."""
    if node is None or node.id != "mapping":
        return None, None
    if len(node.value) > _INDEX_FROM:
        return _index(node).get(key, (None, None))
    for k, v in node.value:
        if k.id == "scalar" and k.value == key:
            return k, v
    return None, None


def path(node: Node | None, *keys: str) -> Node | None:
    """Follow mapping keys; None as soon as one is missing."""
    for key in keys:
        node = get(node, key)
        if node is None:
            return None
    return node


def items(node: Node | None) -> Sequence[Node]:
    """The elements of a sequence (empty for anything else)."""
    return node.value if is_seq(node) else ()


def is_true(node: Node | None) -> bool:
    return is_scalar(node) and node.value.strip().lower() in ("true", "yes", "on")


def walk(root: Node | None) -> Iterator[Node]:
    """Every node under ``root``, each once, however often aliases reuse it.

    Iterative, so deep nesting cannot exhaust the stack; the ``seen`` set keeps an
    alias bomb linear in the number of distinct nodes. Scalar mapping keys are not visited.
    """
    seen = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if node.id == "mapping":
            for k, v in node.value:
                stack.append(v)
                if k.id != "scalar":
                    stack.append(k)
        elif node.id == "sequence":
            stack.extend(node.value)


def walk_maps(root: Node | None) -> list[Node]:
    """Every mapping node under ``root``, each once (see ``walk``); found once per root and
    kept on it, since several rules walk the same document."""
    if root is None:
        return []
    found: list[Node] | None = root.__dict__.get("_psk_maps")
    if found is None:
        found = [node for node in walk(root) if node.id == "mapping"]
        root.__dict__["_psk_maps"] = found
    return found
