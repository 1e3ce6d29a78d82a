"""Which settings govern which file: the nearest configuration file above it, and the command line.

One run can cover files under several configuration files: pre-commit passes files from all
over a repository, and a monorepo may keep one file per service. Every file is checked with
the settings of the nearest ``.platform-skills.yaml`` or ``[tool.platform-skills]`` above it,
up to the repository root, whatever the current directory. The nearest file wins whole:
nothing is inherited from a file further up; ``--config FILE`` names one file for every
path instead. The command line applies to every file:
``--select`` and ``--fail-on`` replace a file's value, ``--ignore``, ``--exclude`` and
``--policy-reports`` add to it.
"""

from __future__ import annotations

import os

from . import config
from .config import ConfigError
from .loader import SKIP_DIRS, display_path
from .model import SEVERITIES, SEVERITY_RANK
from .registry import INDEX, RULES, Selection, chosen, get_rule, matches_any, scope_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from .config import Settings
    from .model import FileError
    from .readers.policy_reports import Evidence

    Excluded = Callable[[str], bool]


class Scope:
    """The settings of the files one configuration file (or none) governs."""

    __slots__ = ("path", "ids", "selection", "options", "fail_on", "excluded")

    def __init__(self, path: str | None, ids: list[str], options: dict[str, Any],
                 fail_on: str | None, excluded: Excluded | None) -> None:
        self.path = path          # the configuration file as the CLI prints it; None: none
        self.ids = ids            # the selected rules' IDs, every scope
        self.selection = _file_selection(ids)  # the file rules among them, imported when needed
        self.options = options    # {rule_id: {option: value}}
        self.fail_on = fail_on    # a severity, or None for the command's default
        self.excluded = excluded  # excluded(path) -> bool, or None


class Scopes:
    """Finds, once per folder, the scope of each path a run meets.

    ``of(path)`` is the scope of a given path (``of_file`` of a file met on the way);
    ``excluded(path)`` is the test the directory walk applies to each entry; ``used`` lists
    the scopes that governed something, in the order met, for the report. Raises
    ConfigError for a bad setting.
    """

    def __init__(self, select_ids: Iterable[str] | None = None, ignore_ids: Iterable[str] = (),
                 fail_on: str | None = None, exclude: Iterable[str] = (), use_config: bool = True,
                 config_file: str | None = None, reports: Iterable[str] = ()) -> None:
        for pattern in list(select_ids or ()) + list(ignore_ids):
            _must_match(pattern, "")
        self._select = list(select_ids or ()) or None
        self._ignore = list(ignore_ids)
        self._fail_on = fail_on
        self._reports = list(reports)  # --policy-reports paths, for every scope
        self._cli_excluded = _either(config.excluder(exclude), _evidence_files(self._reports))
        # (paths, folder they must stay in) -> Evidence: each file read once
        self._evidence: dict[tuple[tuple[str, ...], str | None], Evidence] = {}
        self.errors: list[FileError] = []     # FileError of each report file that could not be read
        self._use_config = use_config
        # --config: one named file governs every path, in place of the nearest one.
        self._fixed = config.load(config_file) if config_file and use_config else None
        # absolute folder -> (settings, config path): config.find's cache
        self._folders: dict[str, tuple[Settings, str | None]] = {}
        self._seen: dict[str, tuple[Settings, str | None]] = {}     # folder as the walk names it -> the same
        self._scopes: dict[str | None, Scope] = {}   # config path (None: no file) -> Scope
        self._left_out: dict[str, bool] = {}  # absolute folder -> left out of the walk (left_out's cache)
        self.used: list[Scope] = []

    @property
    def file_selection(self) -> Selection:
        """Every file rule some scope may run: the command line's selection."""
        return _file_selection(i for i in INDEX if chosen(i, self._select, self._ignore))

    @property
    def excluded(self) -> Excluded | None:
        """The walk's exclusion test, or None when nothing can be excluded."""
        if not self._use_config and self._cli_excluded is None:
            return None
        return self._walk_excluded

    def of(self, path: str) -> Scope:
        """The scope of a file, or of a folder's contents when ``path`` is a folder."""
        return self._use(self._scope(*self._find(path, os.path.isdir(path))))

    def of_file(self, path: str) -> Scope:
        """The scope of ``path``, known to be a file (no file-system check)."""
        return self._use(self._scope(*self._find(path, False)))

    def left_out(self, path: str) -> bool:
        """Whether a walk would never reach file ``path``: it, or a folder above it up to the
        repository root, is excluded by the configuration governing it.

        For checkers that are handed files one by one (the Checkov adapters) rather than
        walking the tree themselves: a folder excluded from above is left out even when it
        holds a configuration file of its own, as in the CLI's walk.
        """
        path = os.path.abspath(path)
        if self.excluded is None:
            return False
        if self._walk_excluded(path):
            return True
        folder = os.path.dirname(path)
        found = self._left_out.get(folder)
        if found is None:
            parent = os.path.dirname(folder)
            top = parent == folder or os.path.exists(os.path.join(folder, ".git"))
            found = self._left_out[folder] = not top and self.left_out(folder)
        return found

    def read_all_under(self, top: str) -> None:
        """Read every configuration file in the tree under ``top`` (or above it), so a bad
        one stops a run before any file is checked; raises ConfigError."""
        self.of(top)
        for folder, folders, files in os.walk(top):
            # As the walk of a run: not into skipped or excluded folders.
            folders[:] = sorted(f for f in folders if f not in SKIP_DIRS
                                and not self._walk_excluded(os.path.join(folder, f)))
            if config.YAML_NAME in files or "pyproject.toml" in files:
                self.of(folder)

    def _use(self, scope: Scope) -> Scope:
        if scope not in self.used:
            self.used.append(scope)
        return scope

    def _walk_excluded(self, path: str) -> bool:
        excluded = self._scope(*self._find(path, False)).excluded
        return excluded is not None and excluded(path)

    def _find(self, path: str, is_folder: bool) -> tuple[Settings, str | None]:
        if not self._use_config:
            return {}, None
        if self._fixed is not None:
            return self._fixed
        folder = path if is_folder else os.path.dirname(path) or os.curdir
        found = self._seen.get(folder)  # by the folder as given: no abspath per file
        if found is None:
            found = self._seen[folder] = config.find(os.path.abspath(folder), self._folders)
        return found

    def _scope(self, settings: Settings, path: str | None) -> Scope:
        scope = self._scopes.get(path)
        if scope is None:
            scope = self._scopes[path] = self._build(settings, path)
        return scope

    def _build(self, settings: Settings, path: str | None) -> Scope:
        shown = display_path(path) if path else None
        for pattern in list(settings.get("select") or ()) + list(settings.get("ignore") or ()):
            _must_match(pattern, f"{shown}: ")
        fail_on = self._fail_on or settings.get("fail-on")
        if fail_on is not None and fail_on not in SEVERITY_RANK:
            raise ConfigError(f"{shown}: fail-on must be one of {', '.join(SEVERITIES)}, "
                              f"not {fail_on!r}")
        ids = [i for i in INDEX if chosen(i, self._select or settings.get("select"),
                                          self._ignore + list(settings.get("ignore") or ()))]
        base = os.path.dirname(path) if path else None
        own = config.excluder(settings.get("exclude"), base=base) if path else None
        options = config.rule_options(settings, get_rule)
        reports = [os.path.join(base, p) for p in settings.get("policy-reports") or ()]  # type: ignore[arg-type]
        if reports or self._reports:
            from .readers import policy_reports  # only runs given reports pay for the reader
            options[policy_reports.OPTION] = self._read_reports(self._reports, reports, base)
            own = _either(own, _evidence_files(reports))
        excluded = _either(self._cli_excluded, own)
        return Scope(shown, ids, options, fail_on, excluded)

    def _read_reports(self, given: list[str], configured: list[str], base: str | None) -> Evidence:
        """The Evidence of the command line's report paths and a configuration's (which must
        stay inside its folder); each file is read once per run however many scopes use it."""
        from .readers import policy_reports

        parts = []
        for paths, inside in ((given, None), (configured, base)):
            key = (tuple(paths), inside)
            if paths and key not in self._evidence:
                evidence, errors = policy_reports.read(paths, display_path, inside)
                self._evidence[key] = evidence
                self.errors.extend(errors)
            if paths:
                parts.append(self._evidence[key])
        return parts[0] if len(parts) == 1 else policy_reports.merged(parts)


def _file_selection(ids: Iterable[str]) -> Selection:
    return Selection(i for i in ids if scope_of(INDEX[i][1]) == "file")


def _either(first: Excluded | None, second: Excluded | None) -> Excluded | None:
    """One exclusion test from two (either may be None)."""
    if first is None or second is None:
        return first or second
    return lambda path: first(path) or second(path)


def _evidence_files(paths: Iterable[str]) -> Excluded | None:
    """An exclusion test for report files and folders: evidence, not repository content (a
    report export inside the checked tree is neither a manifest nor too large to check)."""
    if not paths:
        return None
    files = {os.path.abspath(p) for p in paths}
    folders = tuple(p.rstrip(os.sep) + os.sep for p in files)
    return lambda path: os.path.abspath(path) in files or os.path.abspath(path).startswith(folders)


def _must_match(pattern: str, where: str) -> None:
    if not any(matches_any(i, [pattern]) for i in RULES):
        raise ConfigError(f"{where}no rule matches {pattern!r} (see 'platform-skills rules')")
