"""The Checkov external-checks directory (``checkov --external-checks-dir``).

Checkov executes every ``.py`` file here; ``adapters.py`` registers one Checkov check per
file rule. This ``__init__`` must stay import-free: Checkov refuses a directory without
it, and ``platform-skills checkov-dir`` imports it on the CLI path.
"""

import os


def directory():
    """Absolute path of this directory, for ``--external-checks-dir``."""
    return os.path.dirname(os.path.abspath(__file__))
