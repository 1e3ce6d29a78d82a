"""Steps that restore a GitHub Actions cache, and the line that turns the cache on."""

from __future__ import annotations

import re

from .. import nodes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .workflow import Step

_SETUP = re.compile(r"^[^/]+/setup-[^/]+$")
_OFF = ("", "false", "no", "off", "none")


def _input_on(step: Step, name: str) -> nodes.Scalar | None:
    """The key node of input ``name`` when it is set to something other than off."""
    key, value = nodes.get_pair(step.with_, name)
    if key is None or nodes.text(value, "").strip().lower() in _OFF:
        return None
    return key


def cache_restores(step: Step) -> list[tuple[nodes.Node, str]]:
    """``[(where, what)]`` of the caches a step restores (``where``: the node to report)."""
    action = step.action
    if not action:
        return []
    shown = step.uses.value.partition("@")[0].strip()  # type: ignore[union-attr]  # an action: uses: is set
    if action in ("actions/cache", "actions/cache/restore", "swatinem/rust-cache"):
        return [(step.uses, f"{shown} restores a cache")]  # type: ignore[list-item]
    if action == "docker/build-push-action":
        key, value = nodes.get_pair(step.with_, "cache-from")
        if key is not None and "type=gha" in nodes.text(value, ""):
            return [(key, "docker/build-push-action restores cache-from type=gha")]
        return []
    if action == "ruby/setup-ruby":
        key = _input_on(step, "bundler-cache")
        return [(key, "ruby/setup-ruby restores bundler-cache")] if key is not None else []
    if action == "astral-sh/setup-uv":
        key = _input_on(step, "enable-cache")
        return [(key, "astral-sh/setup-uv restores its cache")] if key is not None else []
    if _SETUP.match(action):
        key = _input_on(step, "cache")
        if key is not None:
            return [(key, f"{shown} restores a cache (cache: {nodes.text(step.input('cache'), '')})")]
        if action == "actions/setup-go" and nodes.get_pair(step.with_, "cache")[0] is None:
            return [(step.uses, "actions/setup-go restores its module cache by default")]  # type: ignore[list-item]
    return []
