"""Where eval scenarios live, what each must hold, and what an agent may read beside it.

Two kinds of suite, found generically so a new skill needs no code here:

- ``skills/<skill>/evals/<scenario>/``: the suite is the skill; its material is the skill
  folder (without ``evals/``).
- ``evals/commands/<command>/``: one scenario per plugin command; its material is
  ``commands/<command>.md``. Command scenarios live outside ``commands/`` because Claude
  Code loads every Markdown file under a plugin's ``commands/`` as a command, subfolders
  included.

A scenario folder holds ``task.md``, ``repo/``, ``criteria.yaml``, ``solution.patch``, the
wrong patches its criteria name and, optionally, ``pending.patch``: changes applied on top of
``repo/`` and left uncommitted, for tasks about "my changes".
"""

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

PARTS = ("task.md", "repo", "criteria.yaml", "solution.patch")
# Never given to an agent under evaluation: the page that explains how it is scored (and
# shows the scorecard). Everything under an evals/ folder is withheld as well.
WITHHELD = {"docs/evals.md"}
PENDING = "pending.patch"
COMMAND_SUITE = "commands"


@dataclass(frozen=True)
class Scenario:
    suite: str      # the skill's name, or "commands"
    name: str       # the scenario folder's name (the command's name in the commands suite)
    dir: Path
    material: str   # repository-relative entry file an agent is pointed at

    @property
    def id(self):
        return f"{self.suite}/{self.name}"

    @property
    def kind(self):
        return "command" if self.suite == COMMAND_SUITE else "skill"

    def part(self, name):
        return self.dir / name

    def missing_parts(self):
        return [p for p in PARTS if not (self.dir / p).exists()
                or (p == "repo") != (self.dir / p).is_dir()]


def discover(root):
    """Every scenario under ``root``, skills first (by name), then the command scenarios."""
    root = Path(root)
    found = []
    for skill in sorted(p for p in (root / "skills").glob("*") if p.is_dir()):
        evals = skill / "evals"
        for folder in _folders(evals):
            found.append(Scenario(skill.name, folder.name, folder,
                                  f"skills/{skill.name}/SKILL.md"))
    for folder in _folders(root / "evals" / COMMAND_SUITE):
        found.append(Scenario(COMMAND_SUITE, folder.name, folder,
                              f"commands/{folder.name}.md"))
    return found


def _folders(parent):
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if p.is_dir() and not p.name.startswith("."))


# ------------------------------------------------------------------ material for an agent

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,}).*?$.*?^\s{0,3}\1\s*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def material_files(root, scenario):
    """Repository-relative files an agent gets for ``scenario``: the skill folder (or the
    command file) and, transitively, every file their relative Markdown links reach, so the
    links still resolve in the copy. Nothing under an ``evals/`` folder, nor the page that
    describes the scoring, is ever included: an agent must not see how it is graded."""
    root = Path(root).resolve()
    if scenario.kind == "skill":
        start = [p for p in (root / "skills" / scenario.suite).rglob("*") if p.is_file()]
    else:
        start = [root / scenario.material]
    seen, queue = set(), list(start)
    while queue:
        path = queue.pop()
        rel = _inside(root, path)
        if (rel is None or rel in seen or rel in WITHHELD or "evals" in Path(rel).parts
                or not path.is_file()):
            continue
        seen.add(rel)
        if path.suffix.lower() == ".md":
            queue.extend(_linked(path))
    return sorted(seen)


def _inside(root, path):
    try:
        return path.resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return None


def _linked(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    text = _CODE_SPAN.sub("", _FENCE.sub("", text))
    for target in _LINK.findall(text):
        if _SCHEME.match(target) or target.startswith("#"):
            continue
        rel = posixpath.normpath(target.split("#", 1)[0])
        dest = path.parent / rel
        if dest.is_dir():
            yield from (p for p in dest.rglob("*") if p.is_file())
        else:
            yield dest
