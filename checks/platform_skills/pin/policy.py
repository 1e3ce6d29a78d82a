"""What pin leaves alone, and why.

- ``slsa-framework/slsa-github-generator`` referenced by a ``vX.Y.Z`` tag: its reusable
  workflows require release tags (PSK130);
- actions from owners the project trusts (``trusted-owners``, the setting PSK001 honours);
- any reference on a line whose suppression names a pinning rule: someone decided.

Local ``./`` actions never reach here: they are not references to pin.
"""

import re
from fnmatch import fnmatchcase

from ..rules.github_actions import SLSA_GENERATOR
from ..rules.suppressions import covers

# Suppressing one of these on a line tells pin to leave that line's reference as it is.
PINNING_RULES = ("PSK001", "PSK003", "PSK017", "PSK301", "PSK302", "PSK401", "PSK402")
_RELEASE_TAG = re.compile(r"^v\d+\.\d+\.\d+$")


def trusted_owners(config):
    """The ``trusted-owners`` patterns from a settings mapping (top level or under PSK001)."""
    patterns = list(config.get("trusted-owners", []))
    patterns += config.get("rules", {}).get("PSK001", {}).get("trusted-owners", [])
    return tuple(p.strip().lower() for p in patterns if p.strip())


class Policy:
    def __init__(self, trusted=()):
        self.trusted = tuple(trusted)

    def is_trusted(self, owner_repo):
        owner_repo = owner_repo.lower()
        owner = owner_repo.split("/", 1)[0]
        return any(fnmatchcase(owner_repo if "/" in p else owner, p) for p in self.trusted)

    def leave_alone(self, ref, suppressed):
        """``(True, note or None)`` when pin must not touch ``ref``; ``(False, None)`` otherwise.

        ``suppressed`` is the suppression entries covering the reference's line.
        """
        if any(covers(suppressed, rule_id) for rule_id in PINNING_RULES):
            return True, None
        if ref.kind != "action":
            return False, None
        name = ref.name.lower()
        if name.startswith(SLSA_GENERATOR + "/"):
            if _RELEASE_TAG.match(ref.ref):
                return True, None
            return True, (f"'{ref.name}@{ref.ref}' is left alone: reference the SLSA generator "
                          "by a vX.Y.Z release tag, not a SHA (PSK130)")
        if self.is_trusted(ref.owner_repo):
            return True, None
        return False, None
