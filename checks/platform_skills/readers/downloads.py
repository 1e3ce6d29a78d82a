"""Scripts and environment settings wherever a build fetches things, in one shape.

A Dockerfile ``RUN``/``ENV`` and a workflow's ``run:``/``env:`` download and install the same
way, so the rules about verified downloads read both through these two functions.
"""

from __future__ import annotations

import re

from .. import nodes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from typing_extensions import TypeIs

    from ..model import Document
    from .dockerfile import DockerfileView
    from .shell import Command
    from .workflow import Workflow

# Text a script must contain for the download rules to have anything to say: scripts that
# mention none of it are never tokenised for them.
# (Searched case-blind. Kept as text: compiled case-blind only for the rare script that is
# not ASCII, so most runs never pay for compiling it.)
MENTIONS = (r"curl|wget|trusted.host|allow.?un|force-yes|--no(?:signature|digest|gpgcheck)|strict.ssl"
            r"|GIT_SSL_NO_VERIFY|NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY|sslverify")
_MENTIONS_LOWER = re.compile(MENTIONS.lower())
# A word of every MENTIONS branch, in lower case: text holding none of them cannot match,
# and a few substring searches cost a fifth of the regular expression's.
_HINTS = ("curl", "wget", "trusted", "allow", "force-yes", "--no", "strict", "verify",
          "unauthorized")


def mentioned(doc: Document) -> bool:
    """``Rule.requires`` of the download rules: the file mentions a download or a switch
    (asked once per document, however many of these rules run)."""
    found = doc.memo.get("mentions")
    if found is None:
        found = doc.memo["mentions"] = _lowered_mentions(doc.lowered) if doc.text.isascii() \
            else mentions(doc.text)
    return found


def mentions(text: str) -> bool:
    """Whether ``text`` matches ``MENTIONS`` case-blind, about ten times faster: a case-blind
    search has no quick scan for the first letter, a lower-case one has. For ASCII text (all
    but a few scripts) lower-casing first is exactly the case-blind match; other text is
    searched as is."""
    if text.isascii():
        return _lowered_mentions(text.lower())
    return re.search(MENTIONS, text, re.I) is not None


def _lowered_mentions(lowered: str) -> bool:
    return any(hint in lowered for hint in _HINTS) and _MENTIONS_LOWER.search(lowered) is not None


def _in_dockerfile(view: DockerfileView | Workflow) -> TypeIs[DockerfileView]:
    """By the view's kind, so a workflow run never imports the Dockerfile reader."""
    return view.kind == "dockerfile"


def scripts(view: DockerfileView | Workflow) -> list[list[Command]]:
    """The command lists of every ``RUN`` (Dockerfile) or ``run:`` step (workflow, action)
    that mentions a download or a verification switch (found once per workflow: PSK405 and
    PSK406 both ask, and the case-blind search costs more than the rules)."""
    if _in_dockerfile(view):
        return [view.commands(ins) for ins in view.instructions
                if "RUN" in (ins.keyword, ins.sub) and
                any(mentions(text) for _, text in view.source(ins))]
    found = view.memo.get("download-scripts")
    if found is None:
        found = view.memo["download-scripts"] = [
            step.commands for step in view.steps()
            if step.run is not None and step.run.id == "scalar" and mentions(step.run.value)]
    return found


def env_settings(view: DockerfileView | Workflow) -> Iterator[tuple[str, str, int]]:
    """``(name, value, line)`` for every environment variable the file sets declaratively:
    ``ENV`` and ``ARG`` defaults in a Dockerfile (``RUN`` sees both in its environment),
    every ``env:`` mapping in a workflow or action."""
    if _in_dockerfile(view):
        from .dockerfile import arg_declarations, env_pairs

        for ins in view.of("ENV", "ARG"):
            pairs = env_pairs(ins) if ins.keyword == "ENV" else arg_declarations(ins)
            for name, value in pairs:
                if value is not None:
                    yield name, value, view.key_line(ins, name)
    else:
        for env in view.env_mappings():
            for name, key, value in nodes.pairs(env):  # type: ignore[assignment]  # a node here
                yield name, nodes.text(value, ""), nodes.line(key)  # type: ignore[arg-type]
