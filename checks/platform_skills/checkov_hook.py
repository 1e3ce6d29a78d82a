"""``platform-skills-checkov``: Checkov with the platform-skills checks, for pre-commit and CI.

Needs the ``checkov`` extra. Extra arguments are passed to Checkov after the defaults, so
``platform-skills-checkov -o sarif`` or ``--skip-check CKV_PSK_002`` work as usual.
"""

import os
import shutil
import sys

from .checkov import directory

FRAMEWORKS = ("github_actions", "kubernetes", "yaml", "dockerfile")


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


def main(argv=None):
    args = command(list(sys.argv[1:] if argv is None else argv))
    if args is None:
        print("platform-skills-checkov: checkov is not installed; "
              "pip install 'platform-skills[checkov]'", file=sys.stderr)
        return 2
    os.execv(args[0], args)
    return 2  # not reached


if __name__ == "__main__":
    sys.exit(main())
