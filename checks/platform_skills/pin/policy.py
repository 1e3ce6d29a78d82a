"""What pin leaves alone, and why.

- ``slsa-framework/slsa-github-generator`` referenced by a ``vX.Y.Z`` tag: its reusable
  workflows require release tags (PSK130);
- actions from owners the project trusts (``trusted-owners``, the setting PSK001 honours);
- any reference on a line whose suppression names a pinning rule: someone decided.

Local ``./`` actions never reach here: they are not references to pin.
"""

from ..readers.patterns import SEMVER_TAG, SLSA_GENERATOR, trusted
from ..readers.suppressions import covers

# Suppressing one of these on a line tells pin to leave that line's reference as it is.
PINNING_RULES = ("PSK001", "PSK003", "PSK017", "PSK301", "PSK302", "PSK401", "PSK402")


def trusted_owners(options):
    """The ``trusted-owners`` patterns PSK001 is configured with (``{rule_id: {option: value}}``)."""
    return tuple(p.strip().lower() for p in options.get("PSK001", {}).get("trusted-owners", ())
                 if p.strip())


class Policy:
    def __init__(self, trusted=()):
        self.trusted = tuple(trusted)

    def is_trusted(self, owner_repo):
        return trusted(owner_repo, self.trusted)

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
            if SEMVER_TAG.match(ref.ref):
                return True, None
            return True, (f"'{ref.name}@{ref.ref}' is left alone: reference the SLSA generator "
                          "by a vX.Y.Z release tag, not a SHA (PSK130)")
        if self.is_trusted(ref.owner_repo):
            return True, None
        return False, None
