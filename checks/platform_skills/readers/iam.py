"""IAM policy statements in Terraform, read as data with the line of each part.

Three shapes hold a policy: ``jsonencode({...})`` (hcl2 hands the call back as text whose
argument is a Python literal of the object, read with ``ast.literal_eval``), a JSON heredoc
(``json.loads``), and ``data "aws_iam_policy_document"`` statement blocks. Anything else
(a reference, ``templatefile()``, a heredoc with template directives) is not a literal
policy and is not read. A literal that is not a policy document at all (``jsonencode`` of a
list or a string in a policy attribute) is a shape problem the kind reports.

Only attributes that hold IAM policy documents are read: many other resources have a
``policy`` attribute in another language (an ECR lifecycle policy, an autoscaling policy).
"""

from __future__ import annotations

from .terraform import is_expression, value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from .terraform import Block, TerraformFile

    KeyPath = tuple[str | int, ...]  # keys and indexes down to a part of a block

# Resource type -> its attributes that hold an IAM policy document (RULES.md's list).
IAM_POLICY_ATTRIBUTES = {
    "aws_iam_policy": ("policy",),
    "aws_iam_role": ("assume_role_policy",),
    "aws_iam_role_policy": ("policy",),
    "aws_iam_user_policy": ("policy",),
    "aws_iam_group_policy": ("policy",),
    "aws_s3_bucket_policy": ("policy",),
    "aws_ecr_repository_policy": ("policy",),
    "aws_kms_key": ("policy",),
    "aws_sns_topic_policy": ("policy",),
    "aws_sqs_queue_policy": ("policy",),
    "aws_secretsmanager_secret_policy": ("policy",),
}
_CALL = "${jsonencode("
_NOT_LITERAL: Any = object()


class Condition:
    """One condition key under one operator: ``StringLike`` / ``...:sub`` / values.

    Lines are looked up only when a rule asks (most policies raise nothing)."""

    __slots__ = ("operator", "key", "values", "_block", "_where", "_listed")

    def __init__(self, operator: str, key: str, values: list[str], block: Block, where: KeyPath,
                 listed: KeyPath | None) -> None:
        self.operator = operator
        self.key = key
        self.values = values    # strings
        self._block = block
        self._where = where     # path of the key (JSON) or of the condition block
        self._listed = listed   # path suffix of the values list, or None for a single value

    @property
    def test(self) -> str:
        """The operator without set and ``IfExists`` qualifiers: ``StringLike``."""
        op = self.operator.split(":", 1)[-1]
        return op[:-len("IfExists")] if op.endswith("IfExists") else op

    @property
    def line(self) -> int:
        return self._block.line(*self._where)

    @property
    def value_lines(self) -> list[int]:
        """One line per value."""
        if self._listed is None:
            return [self.line] * len(self.values)
        return [self._block.line(*self._where, *self._listed, i) for i in range(len(self.values))]


class Statement:
    """A policy statement: effect, actions, resources, principals and conditions, and the
    path of each part for the lines a rule asks for."""

    __slots__ = ("effect", "actions", "resources", "principals", "conditions", "block",
                 "_where", "_principal", "_conditions")

    def __init__(self, block: Block, where: KeyPath) -> None:
        self.block = block
        self._where = where
        self.effect = "Allow"
        self.actions: list[str] = []
        self.resources: list[str] = []
        self.principals: dict[str, list[str]] = {}      # principal type -> identifiers
        self.conditions: list[Condition] = []
        self._principal = where
        self._conditions = where

    @property
    def line(self) -> int:
        return self.block.line(*self._where)

    @property
    def principal_line(self) -> int:
        return self.block.line(*self._principal)

    @property
    def conditions_line(self) -> int:
        return self.block.line(*self._conditions)


def _strings(found: Any) -> list[str]:
    if isinstance(found, str):
        return [found]
    if isinstance(found, list):
        return [v for v in found if isinstance(v, str)]
    return []


def literal_policy(text: Any) -> Any:
    """The document a policy attribute holds: a dict, ``_NOT_LITERAL`` when it is an
    expression that cannot be read, or any other literal value (a shape problem)."""
    if not isinstance(text, str):
        return text
    if text.startswith(_CALL) and text.endswith(")}"):
        inner = text[len(_CALL):-2]
        import ast  # only Terraform with jsonencode() gets here: keep it off start-up
        try:
            return ast.literal_eval(inner)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return _NOT_LITERAL
    if is_expression(text) and not text.lstrip().startswith(("{", "[")):
        return _NOT_LITERAL
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        import json
        try:
            return json.loads(stripped)
        except (ValueError, RecursionError):
            return _NOT_LITERAL  # template directives, or JSON this reader cannot trust
    return _NOT_LITERAL


def policy_attributes(block: Block) -> list[tuple[KeyPath, Any]]:
    """``(path, document)`` for each IAM policy attribute of a resource, an ``aws_iam_role``'s
    ``inline_policy`` blocks too; nothing for resources whose ``policy`` is not IAM."""
    found: list[tuple[KeyPath, Any]] = []
    for name in IAM_POLICY_ATTRIBUTES.get(block.labels[0], ()):
        if name in block.body:
            found.append(((name,), literal_policy(block.attr(name))))
    if block.labels[0] == "aws_iam_role":
        for index, inline in block.blocks("inline_policy"):
            if "policy" in inline:
                found.append((("inline_policy", index, "policy"), literal_policy(value(inline, "policy"))))
    return found


def shape_problems(tf: TerraformFile) -> Iterator[tuple[int, str]]:
    """``(line, message)`` for policy attributes holding a literal that is not a policy."""
    for block in tf.of("resource"):
        for path, document in policy_attributes(block):
            if document is _NOT_LITERAL or isinstance(document, dict) and "Statement" in document:
                continue
            what = "an object without a Statement" if isinstance(document, dict) else \
                "a " + _TYPE_NAMES.get(type(document), type(document).__name__)
            yield (block.line(*path), f"{block.name}.{path[-1]} is {what}, not an IAM policy "
                                      "document (a JSON object with a Statement)")


_TYPE_NAMES = {str: "string", list: "list", tuple: "list", int: "number", float: "number",
               bool: "boolean", type(None): "null"}


def statements(tf: TerraformFile) -> list[Statement]:
    """Every readable policy statement of a file, once (cached on the file view)."""
    found: list[Statement] | None = tf.memo.get("iam")
    if found is None:
        found = tf.memo["iam"] = list(_statements(tf))
    return found


def _statements(tf: TerraformFile) -> Iterator[Statement]:
    for block in tf.blocks:
        if block.type == "resource":
            for path, document in policy_attributes(block):
                if isinstance(document, dict):
                    yield from _json_statements(block, path, document)
        elif block.type == "data" and block.labels[0] == "aws_iam_policy_document":
            yield from _document_statements(block)


def _json_statements(block: Block, path: KeyPath, document: dict[str, Any]) -> Iterator[Statement]:
    listed = document.get("Statement")
    items = [((), listed)] if isinstance(listed, dict) else \
        [((i,), s) for i, s in enumerate(listed)] if isinstance(listed, list) else []
    for suffix, raw in items:
        if not isinstance(raw, dict):
            continue
        where = path + ("Statement",) + suffix
        statement = Statement(block, where)
        effect = raw.get("Effect")
        statement.effect = effect if isinstance(effect, str) else ""
        statement.actions = _strings(raw.get("Action"))
        statement.resources = _strings(raw.get("Resource"))
        principal = raw.get("Principal")
        if isinstance(principal, dict):
            statement.principals = {k: _strings(v) for k, v in principal.items()}
            statement._principal = where + ("Principal",)
        elif isinstance(principal, str):
            statement.principals = {"*": [principal]}
        conditions = raw.get("Condition")
        if isinstance(conditions, dict):
            statement._conditions = where + ("Condition",)
            for operator, keys in conditions.items():
                if not isinstance(keys, dict):
                    continue
                for key, values in keys.items():
                    listed = () if isinstance(values, list) else None
                    statement.conditions.append(Condition(
                        operator, key, _strings(values), block, where + ("Condition", operator, key),
                        listed))
        yield statement


def _document_statements(block: Block) -> Iterator[Statement]:
    for index, body in block.blocks("statement"):
        where = ("statement", index)
        statement = Statement(block, where)
        effect = value(body, "effect", "Allow")
        statement.effect = effect if isinstance(effect, str) else ""
        statement.actions = _strings(value(body, "actions"))
        statement.resources = _strings(value(body, "resources"))
        for p_index, principal in _nested(body, "principals"):
            kind = value(principal, "type")
            if isinstance(kind, str):
                statement.principals.setdefault(kind, []).extend(
                    _strings(value(principal, "identifiers")))
                if p_index == 0:
                    statement._principal = where + ("principals", 0)
        for c_index, condition in _nested(body, "condition"):
            test, variable = value(condition, "test"), value(condition, "variable")
            if not isinstance(test, str) or not isinstance(variable, str):
                continue
            at = where + ("condition", c_index)
            if not statement.conditions:
                statement._conditions = at
            statement.conditions.append(Condition(
                test, variable, _strings(value(condition, "values")), block, at, ("values",)))
        yield statement


def _nested(body: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
    found = body.get(name)
    return [(i, b) for i, b in enumerate(found) if isinstance(b, dict)] \
        if isinstance(found, list) else []
