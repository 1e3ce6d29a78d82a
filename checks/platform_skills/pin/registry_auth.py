"""Registry credentials: from the environment, else from the Docker config file.

Environment (wins): ``PLATFORM_SKILLS_REGISTRY`` names the one registry (``host[:port]`` as
written in image references, ``docker.io`` for Docker Hub) that
``PLATFORM_SKILLS_REGISTRY_USERNAME`` and ``PLATFORM_SKILLS_REGISTRY_PASSWORD`` are for, so
they are never offered to another host. Docker config: ``$DOCKER_CONFIG/config.json``, else
``~/.docker/config.json``, the ``auths`` entries ``docker login`` writes (base64
``user:password`` in ``auth``, or ``username``/``password``). Credential helpers
(``credsStore``, ``credHelpers``) are programs; pin does not run them, and says so.
"""

import base64
import binascii
import json
import os
import threading

from .images import DOCKER_HUB

ENV_REGISTRY = "PLATFORM_SKILLS_REGISTRY"
ENV_USERNAME = "PLATFORM_SKILLS_REGISTRY_USERNAME"
ENV_PASSWORD = "PLATFORM_SKILLS_REGISTRY_PASSWORD"
_HUB_KEYS = {"docker.io", "index.docker.io", "registry-1.docker.io"}


def env_problem(environ):
    """Why the credential variables cannot be used, or None."""
    user, password = environ.get(ENV_USERNAME), environ.get(ENV_PASSWORD)
    if not (user or password):
        return None
    if not (user and password):
        return f"set both {ENV_USERNAME} and {ENV_PASSWORD}, or neither"
    if not environ.get(ENV_REGISTRY, "").strip():
        return f"{ENV_USERNAME} is set but {ENV_REGISTRY} does not name the registry it is for"
    return None


def _host(key):
    key = key.strip()
    if "://" in key:
        key = key.split("://", 1)[1]
    host = key.split("/", 1)[0].lower()
    return DOCKER_HUB if host in _HUB_KEYS else host


class Credentials:
    def __init__(self, environ=None):
        self._environ = os.environ if environ is None else environ
        self._lock = threading.Lock()
        self._loaded = False
        self._auths = {}
        self._helpers = {}
        self._default_helper = None
        self.problem = None  # why the Docker config could not be read, for error messages

    def lookup(self, registry):
        """``(username, password)`` for ``registry`` (as in ImageRef.registry), or None."""
        env = self._environ
        if env_problem(env) is None and env.get(ENV_USERNAME) and \
                _host(env.get(ENV_REGISTRY, "")) == _host(registry):
            return env[ENV_USERNAME], env[ENV_PASSWORD]
        self._load()
        return self._auths.get(_host(registry))

    def helper(self, registry):
        """The credential helper that holds ``registry``'s login, if any."""
        self._load()
        return self._helpers.get(_host(registry)) or self._default_helper

    @property
    def config_path(self):
        directory = self._environ.get("DOCKER_CONFIG") or os.path.join(
            os.path.expanduser("~"), ".docker")
        return os.path.join(directory, "config.json")

    def _load(self):
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            path = self.config_path
            try:
                with open(path, encoding="utf-8") as handle:
                    data = json.load(handle)
            except FileNotFoundError:
                return
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                self.problem = f"cannot read {path}: {type(exc).__name__}"
                return
            if not isinstance(data, dict):
                self.problem = f"{path} is not a JSON object"
                return
            self._read(data)

    def _read(self, data):
        for key, entry in (data.get("auths") or {}).items():
            found = _entry_credentials(entry)
            if found:
                self._auths[_host(key)] = found
        helpers = data.get("credHelpers")
        if isinstance(helpers, dict):
            self._helpers = {_host(k): v for k, v in helpers.items() if isinstance(v, str)}
        if isinstance(data.get("credsStore"), str):
            self._default_helper = data["credsStore"]


def _entry_credentials(entry):
    if not isinstance(entry, dict):
        return None
    if isinstance(entry.get("auth"), str) and entry["auth"]:
        try:
            decoded = base64.b64decode(entry["auth"], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        return (user, password) if sep and user else None
    user, password = entry.get("username"), entry.get("password")
    if isinstance(user, str) and isinstance(password, str) and user:
        return user, password
    return None
