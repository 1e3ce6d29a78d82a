"""The error every resolver raises for a reference it cannot resolve."""


class ResolveError(Exception):
    """A reference that cannot be resolved; the message is the reason, for people."""
