"""Parsers the input kinds use, each turning text into roots or raising ``ParseError``.

Only the loader calls them (through the kinds table). Heavier parsers (Dockerfile, HCL) are
imported inside their function, so a run without such files never loads them.
"""

from __future__ import annotations

import re

import yaml

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import IO, Any

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAGS = {"scalar": "tag:yaml.org,2002:str", "sequence": "tag:yaml.org,2002:seq",
         "mapping": "tag:yaml.org,2002:map"}
# Template markers outside quoted strings: Jinja statements, and Go/Helm actions (``{{``
# not preceded by ``$``, which would be a GitHub expression).
_JINJA = re.compile(r"\{%-?\s*\w")
_GO_TEMPLATE = re.compile(r"(?<!\$)\{\{")
_QUOTED = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'")


class ParseError(Exception):
    """The file is not valid input for its kind. ``skip`` is set when the file should be
    passed over with a notice instead (a template, a parser this install lacks): its reason."""

    def __init__(self, message, skip=None):
        super().__init__(message)
        self.skip = skip


class _Loader(_BASE_LOADER):
    """The safe C loader without implicit tag resolution.

    Rules read scalars as the text written in the file (``on``, ``true``, ``2026-01-15``), so
    the regex-based guessing of bool/int/timestamp tags for every scalar is wasted work: it
    is a third of the parse time. Composition (anchors, aliases, marks) is unchanged.
    """

    def resolve(self, kind, value, implicit):
        return _TAGS[kind.id]

    def descend_resolver(self, current_node, current_index):
        pass  # path-based resolvers are never registered on a safe loader

    def ascend_resolver(self):
        pass


def yaml_roots(text):
    """Composed root nodes, one per non-empty YAML document (JSON too: the few JSON texts the
    YAML loader refuses, such as surrogate-pair escapes, are composed by ``json_nodes``).

    Duplicate mapping keys are read one way everywhere: the last one wins, as kubectl and
    Helm read a manifest (their YAML becomes a JSON object, where a later key replaces an
    earlier one). The earlier entries are dropped from the node, so every reader and rule
    sees the same single value, at the top level as in a step. Each root keeps the list of
    what was dropped (``duplicate_keys``): GitHub rejects a workflow or action with
    duplicate keys, and those kinds report them as an error of the file.
    """
    roots = _compose(text)
    for root in roots:
        root._psk_duplicates = _unique_keys(root)
    return roots


def duplicate_keys(roots: Iterable[Any]) -> list[tuple[int, str]]:
    """``(line, message)`` for every duplicate key ``yaml_roots`` dropped, as GitHub reports
    them (the repeated key is the error)."""
    found = []
    for root in roots:
        for key, first in getattr(root, "_psk_duplicates", ()):
            found.append((key.start_mark.line + 1,
                          f"duplicate key '{_shown(key.value)}' (first at line "
                          f"{first.start_mark.line + 1}): GitHub rejects a workflow or action "
                          "with duplicate keys; the checks read the last one"))
    return sorted(found, key=lambda item: item[0])


def _unique_keys(root):
    """Keep only the last of duplicate scalar keys in every mapping under ``root`` (each
    collection once, however often aliases share it; scalars are never pushed, which keeps
    this a small part of the parse); returns ``[(repeated key, first key)]``."""
    dropped, seen, stack = [], set(), [root]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        kind = type(node)  # by class, not ``node.id``: this visits every collection
        if kind is _SEQUENCE:
            if id(node) not in seen:
                seen.add(id(node))
                stack.extend([item for item in node.value if type(item) is not _SCALAR])
            continue
        if kind is not _MAPPING or id(node) in seen:
            continue
        seen.add(id(node))
        entries = node.value
        if len(entries) > 1:
            keys = {key.value for key, _ in entries if type(key) is _SCALAR}
            if len(keys) < len(entries) and \
                    len(keys) < sum(1 for key, _ in entries if type(key) is _SCALAR):
                entries = node.value = _last_wins(entries, dropped)
        for key, value in entries:
            if type(value) is not _SCALAR:
                push(value)
            if type(key) is not _SCALAR:
                push(key)
    return dropped


_SCALAR, _SEQUENCE, _MAPPING = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode


def _last_wins(entries, dropped):
    last, first = {}, {}
    for index, (key, _) in enumerate(entries):
        if key.id == "scalar":
            if key.value in last:
                dropped.append((key, first[key.value]))
            else:
                first[key.value] = key
            last[key.value] = index
    return [(k, v) for i, (k, v) in enumerate(entries) if k.id != "scalar" or last[k.value] == i]


def _shown(key):
    key = "".join(c if c.isprintable() else "?" for c in key)
    return key if len(key) <= 60 else key[:57] + "..."


def _compose(text):
    try:
        return [r for r in yaml.compose_all(text, Loader=_Loader) if r is not None]
    except yaml.MarkedYAMLError as exc:
        error = ParseError(_yaml_message(exc), _template_notice(text))
    except yaml.YAMLError as exc:
        error = ParseError(f"invalid YAML: {type(exc).__name__}", _template_notice(text))
    except RecursionError:
        raise ParseError("invalid YAML: nesting too deep to parse") from None
    except MemoryError:
        raise ParseError("invalid YAML: too large to parse") from None
    if text.lstrip()[:1] in ("{", "["):
        try:
            return [json_nodes(text)]
        except (ValueError, RecursionError):
            pass  # not JSON either: the YAML loader's message says where
    raise error


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def json_nodes(text):
    """A JSON text composed into the YAML nodes rules read, with line marks; ValueError
    when it is not JSON."""
    from bisect import bisect_right
    from json.decoder import scanstring

    newlines = [i for i, c in enumerate(text) if c == "\n"]

    def mark(index):
        line = bisect_right(newlines, index - 1)
        start = newlines[line - 1] + 1 if line else 0
        return yaml.Mark("<json>", index, line, index - start, None, None)

    def skip(index):
        return _JSON_SPACE.match(text, index).end()

    def value(index, depth):
        if depth > 500:
            raise ValueError("nesting too deep")
        index = skip(index)
        char = text[index:index + 1]
        if char == "{" or char == "[":
            closing, pairs = ("}", []) if char == "{" else ("]", [])
            at = skip(index + 1)
            while text[at:at + 1] != closing:
                if char == "{":
                    if text[at:at + 1] != '"':
                        raise ValueError(f"expected a key at offset {at}")
                    key, end = scanstring(text, at + 1)
                    key_node = yaml.ScalarNode(_TAGS["scalar"], key, mark(at), mark(end), '"')
                    end = skip(end)
                    if text[end:end + 1] != ":":
                        raise ValueError(f"expected ':' at offset {end}")
                    item, at = value(end + 1, depth + 1)
                    pairs.append((key_node, item))
                else:
                    item, at = value(at, depth + 1)
                    pairs.append(item)
                at = skip(at)
                if text[at:at + 1] == ",":
                    at = skip(at + 1)
                elif text[at:at + 1] != closing:
                    raise ValueError(f"expected ',' or '{closing}' at offset {at}")
            kind = yaml.MappingNode if char == "{" else yaml.SequenceNode
            tag = _TAGS["mapping" if char == "{" else "sequence"]
            return kind(tag, pairs, mark(index), mark(at + 1), flow_style=True), at + 1
        if char == '"':
            string, end = scanstring(text, index + 1)
            return yaml.ScalarNode(_TAGS["scalar"], string, mark(index), mark(end), '"'), end
        for word in ("true", "false", "null"):
            if text.startswith(word, index):
                end = index + len(word)
                return yaml.ScalarNode(_TAGS["scalar"], word, mark(index), mark(end)), end
        number = _JSON_NUMBER.match(text, index)
        if number is None or number.end() == index:
            raise ValueError(f"unexpected input at offset {index}")
        return yaml.ScalarNode(_TAGS["scalar"], number.group(), mark(index), mark(number.end())), number.end()

    root, end = value(0, 0)
    if skip(end) != len(text):
        raise ValueError(f"extra data at offset {end}")
    return root


def yaml_data(text: str, each_item: Callable[[Any], None] | None = None) -> list[Any]:
    """Every non-empty YAML document as plain data (dicts, lists, strings), built from the C
    parser's events: composing nodes with marks costs about twenty times the parse, and
    evidence files (PolicyReports, tens of MB) are read whole, never pointed into. Scalars
    stay the text written. With ``each_item``, each element of a top-level mapping's
    ``items`` sequence (a ``kubectl get -o yaml`` List) is handed to it when complete and not
    kept, so a large List is never held whole.

    An alias reuses the anchored object, so building costs what the file holds; but a reader
    walking the data visits every repetition, so aliases may repeat at most ``ALIAS_FACTOR``
    times the file's own values (a "billion laughs" file is an error, not an hour's walk).
    """
    try:
        return _built(yaml.parse(text, Loader=_BASE_LOADER), each_item)
    except yaml.MarkedYAMLError as exc:
        raise ParseError(_yaml_message(exc)) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {type(exc).__name__}") from None
    except RecursionError:
        raise ParseError("invalid YAML: nesting too deep to parse") from None
    except MemoryError:
        raise ParseError("invalid YAML: too large to parse") from None


ALIAS_FACTOR, ALIAS_FLOOR = 10, 1_000_000
_NO_KEY = object()


def _built(events, each_item):
    docs, anchors, sizes = [], {}, {}
    stack = []  # frames [container, pending key (mappings), streams its items, values inside]
    seen = repeated = 0  # values in the file; values its aliases repeat
    for event in events:
        kind = type(event)
        seen += 1
        if kind is yaml.ScalarEvent:
            value, size = event.value, 1
            if event.anchor:
                anchors[event.anchor], sizes[event.anchor] = value, 1
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            value = {} if kind is yaml.MappingStartEvent else []
            streamed = (each_item is not None and kind is yaml.SequenceStartEvent
                        and len(stack) == 1 and stack[0][1] == "items")
            if event.anchor:
                anchors[event.anchor], sizes[event.anchor] = value, 1  # its size when it ends
            _put(stack, docs, value)
            stack.append([value, _NO_KEY, streamed, 1, event.anchor])
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            value, _, _, size, anchor = stack.pop()
            if anchor:
                sizes[anchor] = size
            if stack:
                stack[-1][3] += size
                if stack[-1][2]:
                    stack[-1][0].pop()
                    each_item(value)
            continue
        elif kind is yaml.AliasEvent:
            if event.anchor not in anchors:
                raise ParseError(f"invalid YAML at line {event.start_mark.line + 1}: "
                                 "an alias (*name) of no anchor")
            value, size = anchors[event.anchor], sizes[event.anchor]
            repeated += size
            if repeated > max(ALIAS_FLOOR, ALIAS_FACTOR * seen):
                raise ParseError(f"invalid YAML at line {event.start_mark.line + 1}: aliases "
                                 "repeat far more values than the file holds (a \"billion "
                                 "laughs\" file)")
        else:
            continue  # stream and document start and end
        if stack:
            stack[-1][3] += size
        _put(stack, docs, value)
    return [d for d in docs if d is not None and d != ""]


def _put(stack, docs, value):
    """Place a value: a document, a sequence element, a mapping's key or its value."""
    if not stack:
        docs.append(value)
        return
    frame = stack[-1]
    container = frame[0]
    if isinstance(container, list):
        container.append(value)
    elif frame[1] is _NO_KEY:
        frame[1] = value if isinstance(value, str) else None  # complex keys are not read
    else:
        container[frame[1]] = value
        frame[1] = _NO_KEY


def _template_notice(text):
    syntax = template_syntax(text)
    return f"{syntax} that is not plain YAML" if syntax else None


def template_syntax(text):
    """``"Jinja"`` or ``"Go template"`` when the text holds template markers, else None."""
    if "{%" in text and _JINJA.search(text):
        return "Jinja template"
    if "{{" in text and _GO_TEMPLATE.search(_QUOTED.sub("", text)):
        return "Go template"
    return None


def load_settings(handle: IO[str]) -> Any:
    """A settings file as plain Python data (the safe loader, with implicit types)."""
    return yaml.load(handle, Loader=_BASE_LOADER)


def _yaml_message(exc):
    """The parser's problem and position, never the offending source excerpt."""
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = exc.problem or exc.context or "cannot parse"
    context = ""
    if exc.context and exc.context_mark and exc.problem:
        context = f" ({exc.context} at line {exc.context_mark.line + 1})"
    return f"invalid YAML{where}: {problem}{context}"


def makefile(text):
    """A Makefile's variables, targets and recipes (``readers/makefile.py``)."""
    from .readers.makefile import Makefile, MakefileError
    try:
        return Makefile(text)
    except MakefileError as exc:
        raise ParseError(f"Makefile: {exc}") from None


# Terraform files above this size are not parsed: hcl2's parse time grows faster than the
# file (about 2 s for 256 KiB, 8 s for 1 MiB, minutes for 5 MiB on one core), and a check on
# every commit must not stall. Real configurations are a few KiB per file.
TERRAFORM_MAX_BYTES = 256 * 1024
# The reason a .tf file is skipped when the HCL parser is missing; the engine counts these
# and prints one loud notice naming the install command.
HCL_MISSING = "the HCL parser is not installed"


def terraform_roots(text):
    """A ``.tf`` file as ``hcl2`` reads it (one dict of block lists), or ``ParseError``."""
    if len(text) > TERRAFORM_MAX_BYTES:
        big = (f"Terraform file larger than {TERRAFORM_MAX_BYTES // 1024} KiB, not parsed: the "
               "HCL parser slows down sharply on large files (split it, or exclude it)")
        raise ParseError(big, skip=big)
    try:
        import hcl2
    except ImportError:
        missing = f"{HCL_MISSING}: {hcl_advice()}"
        raise ParseError(missing, skip=missing) from None
    except Exception as exc:  # the parser builds its grammar on import
        raise ParseError(f"cannot load the HCL parser ({type(exc).__name__})") from None
    try:
        return [hcl2.loads(text)]
    except RecursionError:
        raise ParseError("invalid HCL: nesting too deep to parse") from None
    except Exception as exc:  # lark's errors, and hcl2's own ValueError for unclosed quotes
        raise ParseError(_hcl_message(exc)) from None


def hcl_advice() -> str:
    """How to install the HCL parser, for where the run happens: ``pre-commit run`` sets
    ``PRE_COMMIT=1``, and a hook's environment takes packages only from its
    ``additional_dependencies``, never from pip."""
    import os

    if os.environ.get("PRE_COMMIT") == "1":
        return ("add bc-python-hcl2 to this hook's additional_dependencies in "
                ".pre-commit-config.yaml")
    return "pip install 'platform-skills[terraform]'"


def _hcl_message(exc):
    """Where the parser stopped, never the source text around it."""
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    if isinstance(line, int) and line > 0:
        token = getattr(exc, "token", None)
        what = "unexpected end of file" if getattr(token, "type", "") == "$END" else "unexpected input"
        return f"invalid HCL at line {line}, column {column}: {what}"
    if isinstance(exc, ValueError) and "unclosed quote" in str(exc):
        return "invalid HCL: a string is not closed (unbalanced quote marks)"
    return f"invalid HCL: cannot parse ({type(exc).__name__})"


# Instructions BuildKit knows; anything else fails the build, so the file is not one we
# can read (or it is a template of one).
DOCKERFILE_INSTRUCTIONS = frozenset((
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"))
_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,30}$")


def _dockerfile_skip(text):
    syntax = template_syntax(text)
    return f"{syntax} that is not a plain Dockerfile" if syntax else None


def dockerfile_instructions(text):
    """The instructions of a Dockerfile, parsed by BuildKit's own parser (the ``dockerfile``
    package), with their start and end lines; ``ParseError`` for what BuildKit would refuse."""
    import dockerfile

    try:
        instructions = dockerfile.parse_string(text)
    except Exception as exc:  # GoParseError and friends: the message names no file content
        raise ParseError(f"invalid Dockerfile: {exc}", _dockerfile_skip(text)) from None
    seen_from = False
    for ins in instructions:
        keyword = ins.cmd.upper()
        if keyword not in DOCKERFILE_INSTRUCTIONS:
            what = f" '{ins.cmd}'" if _WORD.match(ins.cmd) else ""
            raise ParseError(f"invalid Dockerfile: unknown instruction{what} at line {ins.start_line}",
                             _dockerfile_skip(text))
        if keyword == "FROM":
            seen_from = True
            values = ins.value
            if not values or not values[0].strip():
                raise ParseError(f"invalid Dockerfile: FROM without an image at line {ins.start_line}")
            if len(values) not in (1, 3) or (len(values) == 3 and values[1].lower() != "as"):
                raise ParseError(f"invalid Dockerfile: FROM takes an image and an optional "
                                 f"'AS name' at line {ins.start_line}", _dockerfile_skip(text))
        elif not seen_from and keyword != "ARG":
            raise ParseError(f"invalid Dockerfile: {keyword} before the first FROM at line "
                             f"{ins.start_line}", _dockerfile_skip(text))
    if not seen_from:
        raise ParseError("invalid Dockerfile: no FROM instruction", _dockerfile_skip(text))
    return list(instructions)


def json5_roots(text):
    """A JSON or JSON5 file (Renovate's configuration) as one value, or ``ParseError``."""
    from .json5 import JSON5Error, loads

    try:
        return [loads(text)]
    except JSON5Error as exc:
        raise ParseError(f"invalid JSON5 at {exc}") from None
    except RecursionError:
        raise ParseError("invalid JSON5: nesting too deep to parse") from None


def json_roots_or_skip(text):
    """A JSON file recognised by its content (``package.json``): one that does not parse is
    passed over with a notice, since nothing in its name says it is ours."""
    try:
        return json5_roots(text)
    except ParseError as exc:
        raise ParseError(str(exc), skip=f"{exc}; its content could not be read") from None
