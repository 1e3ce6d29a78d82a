"""The events that start a workflow (``on:``), in its three spellings."""

from __future__ import annotations

from .. import nodes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .workflow import Workflow


def events(wf: Workflow) -> list[tuple[str, nodes.Node, nodes.Node | None]]:
    """``[(event name, node naming it, its configuration node or None)]`` of a workflow.

    ``on: push``, ``on: [push, pull_request_target]`` and ``on: {push: {...}}`` all count;
    composite actions have no events.
    """
    if wf.kind != "workflow":
        return []
    found = wf.memo.get("events")
    if found is None:
        found = wf.memo["events"] = []
        on = nodes.get(wf.root, "on")
        if nodes.is_scalar(on):
            found.append((on.value.strip(), on, None))
        elif nodes.is_seq(on):
            found.extend((item.value.strip(), item, None) for item in on.value
                         if nodes.is_scalar(item))
        else:
            found.extend((name, key, value) for name, key, value in nodes.pairs(on))
    return found
