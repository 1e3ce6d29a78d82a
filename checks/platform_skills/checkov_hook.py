"""``platform-skills-checkov``: Checkov with the platform-skills checks, for pre-commit and CI.

Needs the ``checkov`` extra. Each file is checked with the same settings as in the CLI:
the nearest ``.platform-skills.yaml`` or ``[tool.platform-skills]`` (see ``scopes``).

By default only the ``CKV_PSK_*`` checks run: the hook is this project's checks inside
Checkov, not Checkov's own catalogue. Choose checks yourself with
``--check``/``--skip-check`` (on the command line, in ``CKV_CHECK``/``CKV_SKIP_CHECK`` or in a
Checkov configuration file) and the hook adds no selection of its own, so Checkov's checks
run too unless you narrow them. Other arguments are passed to Checkov after the defaults,
so ``platform-skills-checkov -o sarif`` works as usual.
"""

import os
import shutil
import sys

from .checkov import directory
from .loader import SKIP_DIRS

FRAMEWORKS = ("github_actions", "kubernetes", "yaml", "dockerfile", "terraform")
OUR_CHECKS = "CKV_PSK_*"  # Checkov matches check IDs against --check patterns with fnmatch
_SELECTING = ("-c", "--check", "--skip-check")
_SELECTING_ENV = ("CKV_CHECK", "CKV_SKIP_CHECK")
_SELECTING_KEYS = ("check", "skip-check")
# Checkov's own default for CKV_IGNORED_DIRECTORIES (directory names it never walks).
CHECKOV_IGNORED = ("node_modules", ".terraform", ".serverless")


def command(argv, environ=None):
    exe = os.path.join(os.path.dirname(sys.executable), "checkov")
    if not os.path.exists(exe):
        exe = shutil.which("checkov")
    if exe is None:
        return None
    has_target = any(a in ("-d", "--directory", "-f", "--file") for a in argv)
    target = [] if has_target else ["-d", "."]
    chosen = [] if user_selects_checks(argv, environ) else ["--check", OUR_CHECKS]
    return [exe, *target, "--external-checks-dir", directory(), "--skip-download",
            "--framework", *FRAMEWORKS, "--quiet", "--compact", *chosen, *argv]


def user_selects_checks(argv, environ=None):
    """Whether the user chose Checkov checks: arguments, environment or a config file."""
    environ = os.environ if environ is None else environ
    for arg in argv:
        if arg in _SELECTING or arg.startswith(("--check=", "--skip-check=")) or \
                (arg.startswith("-c") and not arg.startswith("--") and len(arg) > 2):
            return True
    if any(environ.get(name) for name in _SELECTING_ENV):
        return True
    return any(_config_selects(path) for path in _config_files(argv))


def _config_files(argv):
    """The configuration files Checkov would read: ``--config-file``, then ``.checkov.yaml``
    or ``.checkov.yml`` in each ``--directory``, the current directory and the home directory."""
    found, folders = [], []
    for i, arg in enumerate(argv):
        value = argv[i + 1] if i + 1 < len(argv) else None
        if arg == "--config-file" and value:
            found.append(value)
        elif arg.startswith("--config-file="):
            found.append(arg.split("=", 1)[1])
        elif arg in ("-d", "--directory") and value:
            folders.append(value)
    folders += [os.curdir, os.path.expanduser("~")]
    return found + [os.path.join(f, n) for f in folders for n in (".checkov.yaml", ".checkov.yml")]


def _config_selects(path):
    if not os.path.isfile(path):
        return False
    import yaml
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False  # Checkov reports its own configuration errors
    return isinstance(data, dict) and any(data.get(key) for key in _SELECTING_KEYS)


def environment(base=None):
    """The environment to run Checkov in, so it reads the files the CLI reads.

    Checkov skips every directory whose name starts with a dot, and composite actions
    usually live in ``.github/actions/<name>/``: its ``github_actions`` framework reads only
    ``.github/workflows/`` (and only files its own schema accepts), and its ``yaml``
    framework, which answers for everything else, never enters ``.github``. Checkov's
    documented switch ``CKV_IGNORE_HIDDEN_DIRECTORIES=false`` lets it in; the directories
    the CLI never reads (``.git``, virtualenvs, caches) are then named in
    ``CKV_IGNORED_DIRECTORIES`` instead. A value the user set is kept (the ignored list
    gains ours).
    """
    env = dict(os.environ if base is None else base)
    env.setdefault("CKV_IGNORE_HIDDEN_DIRECTORIES", "false")
    ignored = env.get("CKV_IGNORED_DIRECTORIES") or ",".join(CHECKOV_IGNORED)
    names = [n for n in ignored.split(",") if n] + sorted(SKIP_DIRS | {".venv"})
    env["CKV_IGNORED_DIRECTORIES"] = ",".join(dict.fromkeys(names))
    return env


def targets(argv):
    """The files and folders Checkov will scan: its ``-d``/``-f`` arguments, else ``.``."""
    found = []
    for index, arg in enumerate(argv):
        name, eq, inline = arg.partition("=")
        if name in ("-d", "--directory", "-f", "--file"):
            found += [inline] if eq else argv[index + 1:index + 2]
    return found or [os.curdir]


def check_settings(argv):
    """The message of the first bad platform-skills configuration under the targets, or None.

    The adapters read each file's settings as the CLI does (``scopes``); reading them all
    first turns a bad one into exit status 2 before Checkov starts, as in the CLI."""
    from .config import ConfigError
    from .scopes import Scopes

    scopes = Scopes()
    try:
        for target in targets(argv):
            if os.path.isdir(target):
                scopes.read_all_under(target)
            elif os.path.exists(target):
                scopes.of(target)
    except ConfigError as exc:
        return str(exc)
    return None


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = command(argv)
    if args is None:
        # Pre-commit users add it to the hook's additional_dependencies; the extra is for pip.
        print("platform-skills-checkov: checkov is not installed (pip install "
              "'platform-skills[checkov]'; in pre-commit the hook's additional_dependencies "
              "provide it)", file=sys.stderr)
        return 2
    problem = check_settings(argv)
    if problem:
        print(f"platform-skills-checkov: error: {problem}", file=sys.stderr)
        return 2
    os.execve(args[0], args, environment())
    return 2  # not reached


if __name__ == "__main__":
    sys.exit(main())
