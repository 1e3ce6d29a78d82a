"""``platform-skills-checkov``: Checkov with the platform-skills checks, for pre-commit and CI.

Needs the ``checkov`` extra. Extra arguments are passed to Checkov after the defaults, so
``platform-skills-checkov -o sarif`` or ``--skip-check CKV_PSK_002`` work as usual.
"""

import os
import shutil
import sys

from .checkov import directory
from .loader import SKIP_DIRS

FRAMEWORKS = ("github_actions", "kubernetes", "yaml")
# Checkov's own default for CKV_IGNORED_DIRECTORIES (directory names it never walks).
CHECKOV_IGNORED = ("node_modules", ".terraform", ".serverless")


def command(argv):
    exe = os.path.join(os.path.dirname(sys.executable), "checkov")
    if not os.path.exists(exe):
        exe = shutil.which("checkov")
    if exe is None:
        return None
    has_target = any(a in ("-d", "--directory", "-f", "--file") for a in argv)
    target = [] if has_target else ["-d", "."]
    return [exe, *target, "--external-checks-dir", directory(), "--skip-download",
            "--framework", *FRAMEWORKS, "--quiet", "--compact", *argv]


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


def main(argv=None):
    args = command(list(sys.argv[1:] if argv is None else argv))
    if args is None:
        print("platform-skills-checkov: checkov is not installed; "
              "pip install 'platform-skills[checkov]'", file=sys.stderr)
        return 2
    os.execve(args[0], args, environment())
    return 2  # not reached


if __name__ == "__main__":
    sys.exit(main())
