"""Version constraints: whether a range can float to any future release.

Helm, Flux and Argo CD read chart versions with the Masterminds semver syntax: constraints
joined by ``,`` or spaces (and), alternatives joined by ``||`` (or), operators ``= != > <
>= <= ~ ~> ^``, x-ranges (``1.2.x``, ``1.*``, ``*``) and hyphen ranges (``1.2 - 1.4``).
Terraform's syntax is close: ``,`` joins, operators ``= != > >= < <= ~>``.
"""

from __future__ import annotations

import re

_SEMVER_PART = re.compile(
    r"^(=|!=|>=|=>|<=|=<|>|<|~>|~|\^)?\s*v?([0-9xX*]+)((?:\.[0-9xX*]+)*)(?:[-+][0-9A-Za-z.+-]*)?$")
_HYPHEN = re.compile(r"^\S+\s+-\s+\S+$")
_UPPER = frozenset(("<", "<=", "=<", "~", "~>", "^"))
_WILD = frozenset(("x", "X", "*"))


def semver_floats(constraint: str) -> bool | None:
    """``True`` when a Masterminds constraint has no upper bound (``*``, ``>=1.0``, ``x``),
    ``False`` when every alternative is bounded (``1.2.3``, ``1.x``, ``>=1.2.0 <2.0.0``),
    ``None`` when the text is not a constraint at all (a template, a word)."""
    text = constraint.strip()
    if not text:
        return True
    result = False
    for alternative in text.split("||"):
        bounded = _alternative_bounded(alternative.strip())
        if bounded is None:
            return None
        result = result or not bounded
    return result


def _alternative_bounded(text: str) -> bool | None:
    if not text:
        return None
    if _HYPHEN.match(text):
        return True
    parts = [p for p in re.split(r"\s*,\s*|\s+(?=[=!<>~^v0-9xX*])", text) if p]
    # "> = 1.0" style: operators separated from their version by spaces
    merged: list[str] = []
    for part in parts:
        if merged and re.fullmatch(r"=|!=|>=|=>|<=|=<|>|<|~>|~|\^", merged[-1]):
            merged[-1] += part
        else:
            merged.append(part)
    bounded = False
    for part in merged:
        match = _SEMVER_PART.match(part)
        if not match:
            return None
        op, major = match.group(1) or "", match.group(2)
        if op in _UPPER or op in ("", "=") and major not in _WILD:
            bounded = True
    return bounded


_TF_PART = re.compile(r"^(=|!=|>=|<=|>|<|~>)?\s*v?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?$")


def terraform_parts(constraint: str) -> list[tuple[str, str]] | None:
    """The ``(operator, text)`` parts of a Terraform version constraint, or None if it is not one."""
    parts: list[tuple[str, str]] = []
    for part in constraint.split(","):
        part = part.strip()
        if not _TF_PART.match(part):
            return None
        op = re.match(r"^(=|!=|>=|<=|>|<|~>)?", part).group(1) or "="  # type: ignore[union-attr]
        parts.append((op, part))
    return parts


def terraform_exact(constraint: str) -> bool:
    """Whether a Terraform constraint selects one version (``1.2.3``, ``= 1.2.3``)."""
    parts = terraform_parts(constraint)
    return bool(parts) and len(parts) == 1 and parts[0][0] == "="  # type: ignore[arg-type, index]


def terraform_lower_only(constraint: str) -> bool:
    """Whether a Terraform constraint has no upper bound (``>= 5.0``, ``> 1, != 2.0``)."""
    parts = terraform_parts(constraint)
    return parts is not None and all(op in (">=", ">", "!=") for op, _ in parts)
