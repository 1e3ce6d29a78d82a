"""Image digests through the OCI distribution API: ``GET /v2/<name>/manifests/<tag>``.

pin writes a digest only when it verified it: the registry's ``Docker-Content-Digest``
header must name a sha256 and equal the sha256 of the manifest body served with it, the
body's media type must be an image manifest or index, and the body must fit the 4 MiB
registries allow a manifest. A captive portal's HTML page, a proxy that drops the header, a
body cut short: each is an error for that reference, never a digest. For a multi-platform
image the manifest is the index, so the pin keeps every platform. (A GET counts as a pull
against Docker Hub's rate limit, where a HEAD would not; the body is what is verified.)

Authentication follows the registry's ``WWW-Authenticate`` challenge: ``Bearer`` (Docker
Hub, GHCR: fetch a token from the realm, anonymously or with credentials) or ``Basic``.
Registries on this machine (``localhost``, ``127.0.0.0/8``, ``::1``) are spoken to in plain
HTTP, as Docker does; every other one over HTTPS only. Each image is one network operation
under one deadline (``--timeout``), token request included.
"""

import base64
import hashlib
import json
import re
import threading
from urllib.parse import urlencode, urlsplit

from .errors import ResolveError
from .images import is_loopback
from .redact import redact, remember
from .registry_auth import ENV_REGISTRY, Credentials
from .transport import DEFAULT_TIMEOUT, Deadline, fetch

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
ACCEPT = ", ".join(MANIFEST_TYPES)
MAX_MANIFEST = 4 * 1024 * 1024  # the manifest size registries accept (distribution, Docker Hub)
MAX_TOKEN_BODY = 1024 * 1024
_SHA256 = re.compile(r"^sha256:[0-9a-f]{64}$")
_PARAM = re.compile(r'([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^",\s]+))')


def parse_challenge(header):
    """``(scheme in lower case, {param: value})`` of a ``WWW-Authenticate`` header."""
    header = (header or "").strip()
    scheme, _, rest = header.partition(" ")
    params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
              for m in _PARAM.finditer(rest)}
    return scheme.lower(), params


def _basic(credentials):
    user, password = credentials
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


class RegistryClient:
    def __init__(self, credentials=None, timeout=DEFAULT_TIMEOUT):
        self.credentials = credentials or Credentials()
        self.timeout = timeout
        self._tokens = {}
        self._lock = threading.Lock()

    def digest(self, image):
        """``sha256:<64 hex>`` of ``image``'s manifest for its tag, verified, or ResolveError."""
        name = f"{image.registry}/{image.repository}:{image.tag}"
        with Deadline(self.timeout, f"{image.host} (for {name})") as deadline:
            return self._digest(image, name, deadline)

    def _digest(self, image, name, deadline):
        scheme = "http" if is_loopback(image.host) else "https"
        url = f"{scheme}://{image.host}/v2/{image.repository}/manifests/{image.tag}"
        headers = {"Accept": ACCEPT}
        answer = fetch("GET", url, headers, deadline, MAX_MANIFEST)
        authorization = None
        if answer.status == 401:
            authorization = self._answer(image, answer.headers.get("WWW-Authenticate"), deadline)
            headers["Authorization"] = authorization
            answer = fetch("GET", url, headers, deadline, MAX_MANIFEST)
        if answer.status == 200:
            return verified_digest(answer, image.host, name)
        raise ResolveError(self._reason(image, answer.status, answer.headers, authorization))

    # -- authentication ------------------------------------------------------------------

    def _answer(self, image, header, deadline):
        """The Authorization header value that answers a 401 challenge."""
        scheme, params = parse_challenge(header)
        login = self.credentials.lookup(image.registry)
        if login:
            remember(*login)
        if scheme == "bearer":
            realm = params.get("realm")
            if not realm:
                raise ResolveError(f"{image.host} sent a Bearer challenge without a realm")
            scope = params.get("scope") or f"repository:{image.repository}:pull"
            return "Bearer " + self._token(realm, params.get("service"), scope, login, deadline)
        if scheme == "basic":
            if login is None:
                raise ResolveError(self._needs_login(image))
            return _basic(login)
        raise ResolveError(f"{image.host} asks for authentication pin does not speak "
                           f"({scheme or 'no challenge'}) (401)")

    def _token(self, realm, service, scope, login, deadline):
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ResolveError(redact(f"the token realm '{realm[:200]}' is not an HTTP(S) URL"))
        if parts.scheme == "http" and not is_loopback(parts.netloc):
            login = None  # never send a password in clear text to another machine
        key = (realm, service, scope, login)
        with self._lock:
            if key in self._tokens:
                return self._tokens[key]
        query = urlencode([(k, v) for k, v in (("service", service), ("scope", scope)) if v])
        url = realm + ("&" if parts.query else "?") + query if query else realm
        headers = {"Authorization": _basic(login)} if login else {}
        answer = fetch("GET", url, headers, deadline, MAX_TOKEN_BODY)
        status, body = answer.status, answer.body
        if status != 200:
            who = "the credentials" if login else "anonymous access"
            if status in (401, 403):
                raise ResolveError(f"the token service {parts.netloc} refused {who} ({status})")
            raise ResolveError(f"the token service {parts.netloc} answered "
                               f"{_status_text(status, answer.headers)}")
        try:
            data = json.loads(body)
            token = data.get("token") or data.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise ResolveError(f"the token service {parts.netloc} returned no token")
        remember(token)
        with self._lock:
            self._tokens[key] = token
        return token

    def _needs_login(self, image):
        return f"{image.registry} requires a login (401); {self._login_hint(image)}"

    def _login_hint(self, image):
        helper = self.credentials.helper(image.registry)
        where = (f"its login is kept by the credential helper 'docker-credential-{helper}', "
                 "which pin does not run" if helper else "no credentials found for it")
        if self.credentials.problem:
            where += f" ({self.credentials.problem})"
        return (f"{where}: set {ENV_REGISTRY}={image.registry} with {ENV_REGISTRY}_USERNAME "
                f"and _PASSWORD, or an 'auths' entry in {self.credentials.config_path}")

    def _reason(self, image, status, answer, authorization):
        name = f"{image.registry}/{image.repository}:{image.tag}"
        if status == 401:
            if authorization and authorization.startswith("Basic "):
                return f"{image.registry} refused the credentials for {name} (401)"
            if self.credentials.lookup(image.registry) is None:
                return f"{name} is private or does not exist (401); {self._login_hint(image)}"
            return f"{image.registry} refused access to {name} (401)"
        if status == 404:
            return f"no such image or tag: {name} (404)"
        return f"{image.host} answered {_status_text(status, answer)} for {name}"


def verified_digest(answer, host, name):
    """The digest of a 200 manifest answer, once the header, the body and its type agree."""
    media_type = (answer.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if media_type not in MANIFEST_TYPES:
        shown = media_type[:80] or "none"
        raise ResolveError(f"{host} answered 200 for {name} with content type {shown!r}, not an "
                           "image manifest (a proxy or captive portal?); nothing pinned")
    header = (answer.headers.get("Docker-Content-Digest") or "").strip()
    if not header:
        raise ResolveError(f"{host} sent no Docker-Content-Digest for {name}; pin writes only a "
                           "digest the registry states and the manifest confirms")
    if not _SHA256.match(header):
        raise ResolveError(f"{host} sent a Docker-Content-Digest for {name} that is not a sha256 "
                           "digest; nothing pinned")
    computed = "sha256:" + hashlib.sha256(answer.body).hexdigest()
    if computed != header:
        raise ResolveError(f"the manifest {host} served for {name} does not match its "
                           f"Docker-Content-Digest (the body hashes to {computed}); nothing pinned")
    try:
        manifest = json.loads(answer.body)
    except (ValueError, UnicodeDecodeError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("schemaVersion") != 2 or \
            manifest.get("mediaType", media_type) != media_type:
        raise ResolveError(f"{host} served for {name} a body that is not a {media_type} "
                           "manifest; nothing pinned")
    return header


def _status_text(status, answer):
    text = f"HTTP {status}"
    if status == 429:
        retry = (answer.get("Retry-After") or "").strip() if answer else ""
        text = "429 Too Many Requests (rate limited" + (f"; retry after {retry}s)" if retry.isdigit()
                                                         else ")")
    return text
