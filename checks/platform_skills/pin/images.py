"""Image references as pin resolves them: parsed by the readers' one parser
(``readers.image_refs``), plus which registries are spoken to over plain HTTP.
"""

import ipaddress

from ..readers.image_refs import DOCKER_HUB, DOCKER_HUB_API, ImageRef, parse  # noqa: F401  (pin's API)


def is_loopback(host):
    """Registries Docker talks plain HTTP to without being told: this machine."""
    name = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
