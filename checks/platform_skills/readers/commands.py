"""Reading a command's arguments: flags and their values, positionals, and tools run in a
container (``docker run aquasec/trivy image ...``). Shared by every rule that reads ``run:``."""

from __future__ import annotations

from .. import nodes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Sequence
    from typing import Protocol, TypeVar

    from .shell import Command, Token

    class Worded(Protocol):
        """A token or anything else with its ``text``."""

        @property
        def text(self) -> str: ...

    W = TypeVar("W", bound=Worded)

_DOCKER_VALUE_FLAGS = frozenset(("-v", "--volume", "-e", "--env", "--env-file", "-w", "--workdir",
                                 "--name", "--entrypoint", "-u", "--user", "--network", "--net",
                                 "--platform", "--mount", "-p", "--publish", "--pull", "-l",
                                 "--label", "--cpus", "-m", "--memory", "--add-host"))


TRIVY_IMAGES = ("aquasec/trivy", "aquasecurity/trivy")


GRYPE_IMAGES = ("anchore/grype",)


SBOM_FORMATS = ("spdx-json", "spdx", "cyclonedx", "spdxjson")


def truthy_input(node: nodes.Node | None) -> bool:
    """``push: true`` or an expression that may be true (the usual ``${{ ... != 'pull_request' }}``)."""
    value = nodes.text(node, "").strip().lower()
    return value in ("true", "yes", "on") or "${{" in value


def flag_value(args: Sequence[Token], *names: str) -> tuple[str, Token] | tuple[None, None]:
    """``(value, token)`` of the first ``--flag value`` / ``--flag=value`` among ``args``."""
    for i, token in enumerate(args):
        text = token.text
        for name in names:
            if text == name:
                if i + 1 < len(args):
                    return args[i + 1].text, token
                return "", token
            if text.startswith(name + "="):
                return text[len(name) + 1:], token
    return None, None


def has_flag(args: Sequence[Token], *names: str) -> bool:
    return any(t.text in names or t.text.split("=", 1)[0] in names for t in args)


def positionals(args: Sequence[W], value_flags: Collection[str]) -> list[W]:
    """Arguments that are neither flags nor flag values."""
    out: list[W] = []
    skip = False
    for token in args:
        if skip:
            skip = False
            continue
        text = token.text
        if text.startswith("-") and len(text) > 1:
            skip = "=" not in text and text in value_flags
            continue
        out.append(token)
    return out


def container_args(command: Command, images: Sequence[str]) -> list[Token] | None:
    """Arguments after the image of ``docker run <image>`` when the image is one of ``images``."""
    argv = command.argv
    if command.program not in ("docker", "podman"):
        return None
    texts = [t.text for t in argv]
    if "run" not in texts[1:3]:
        return None
    i = texts.index("run") + 1
    while i < len(argv):
        text = texts[i]
        if text.startswith("-"):
            i += 2 if (text in _DOCKER_VALUE_FLAGS and "=" not in text) else 1
            continue
        image = text.split("@", 1)[0].rsplit(":", 1)[0] if "/" in text else text
        if any(image.endswith(name) for name in images):
            return argv[i + 1:]
        return None
    return None


def tool_args(command: Command, program: str, images: Sequence[str]) -> list[Token] | None:
    args = command.invocation(program)
    if args is None:
        args = container_args(command, images)
    return args
