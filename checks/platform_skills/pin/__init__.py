"""``platform-skills pin``: the one part of the project that goes to the network and writes files.

Tags become commit SHAs (git protocol) and image tags gain their digests (OCI distribution
API). Only the ``pin`` command imports this package, lazily; ``check`` and ``audit`` never
load it, so they stay offline.
"""
