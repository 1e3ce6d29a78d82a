"""``platform-skills rule ID``: one rule's documentation, as plain text for the terminal.

The same record the handbook page is built from: summary, facts, why, fix, examples,
options, known limits, how to suppress it and the link to its page.
"""

import textwrap

from .. import kinds
from ..model import DOMAINS
from ..plaintext import plain

WIDTH = 88
_TARGETS = {kinds.REPOSITORY: "the repository as a whole (audit)",
            kinds.SUPPRESSIONS: "suppression comments in any checked file",
            kinds.ONLINE: "version comments, checked against the action's repository"}
_RUN_BY = {"repository": "platform-skills audit",
           "online": "platform-skills pin --verify (it asks the network)",
           "file": "platform-skills check, the pre-commit hook, Checkov"}


def checkov_id(rule):
    """The rule's Checkov check ID, or None: repository and online rules have no check."""
    return rule.checkov_id if rule.scope == "file" else None


def target_titles(rule):
    return [_TARGETS.get(t) or kinds.get(t).title for t in rule.targets]


def render(rule):
    domain = dict(DOMAINS).get(rule.domain, rule.domain)
    run_by = _RUN_BY[rule.scope]
    if checkov_id(rule):
        run_by += f" ({checkov_id(rule)})"
    out = [f"{rule.id} {rule.name}", plain(rule.summary), ""]  # the title line is not wrapped
    facts = [("severity", rule.severity), ("domain", domain),
             ("reads", ", ".join(target_titles(rule))), ("run by", run_by),
             ("since", f"{rule.since} ({rule.status})")]
    out += [line for name, value in facts for line in _wrap(value, f"  {name:<9} ", " " * 12)]
    out += _section("Why", rule.rationale)
    out += _section("Fix", rule.fix)
    where = f" ({rule.example_name})" if rule.example_name else ""
    out += _example(f"Bad{where}", rule.bad)
    out += _example(f"Good{where}", rule.good)
    if rule.options:
        out += ["", "Options (in .platform-skills.yaml: rules: {" + rule.id + ": {name: value}})"]
        for option in rule.options:
            default = list(option.default) if isinstance(option.default, tuple) else option.default
            out.append(f"  {option.name}: {option.TYPES[option.type]}, default {default!r}")
            out += _wrap(plain(option.doc), "    ")
    out += _section("Known limits", rule.limits)
    out += ["", "Suppress"]
    if rule.scope == "repository":
        out += _wrap(f"A repository gap has no line to comment on: --ignore {rule.id}, or "
                     f"ignore: [{rule.id}] in the configuration.", "  ")
    else:
        out.append(f"  # platform-skills: ignore[{rule.id}] <why this exception is safe>")
        out += _wrap("on the flagged line or the line above it; to turn the rule off "
                     f"everywhere: --ignore {rule.id}.", "  ")
    out += ["", f"Handbook: {rule.help_url}"]
    return "\n".join(out)


def _section(title, markdown):
    if not markdown:
        return []
    out = ["", title]
    for paragraph in plain(markdown).split("\n\n"):
        out += _wrap(paragraph, "  ")
    return out


def _example(title, text):
    if not text or not text.strip():
        return []
    return ["", title, *("    " + line if line else "" for line in text.strip("\n").split("\n"))]


def _wrap(text, first, rest=None):
    lines = []
    for line in text.split("\n"):
        bullet = line.lstrip().startswith(("- ", "* "))
        indent = rest if rest is not None else first
        lines += textwrap.wrap(line.strip(), WIDTH, initial_indent=first if not lines else indent,
                               subsequent_indent=indent + ("  " if bullet else ""),
                               break_on_hyphens=False, break_long_words=False) or [""]
    return lines
