"""Image digests through the OCI distribution API: ``HEAD /v2/<name>/manifests/<tag>``.

The digest is the registry's ``Docker-Content-Digest`` header for the manifest it would
serve; for a multi-platform image that is the index, so the pin keeps every platform.
Authentication follows the registry's ``WWW-Authenticate`` challenge: ``Bearer`` (Docker
Hub, GHCR: fetch a token from the realm, anonymously or with credentials) or ``Basic``.
Registries on this machine (``localhost``, ``127.0.0.0/8``, ``::1``) are spoken to in plain
HTTP, as Docker does; every other one over HTTPS only.
"""

import base64
import hashlib
import http.client
import json
import re
import threading
import urllib.error
import urllib.request
from urllib.parse import urlencode, urljoin, urlsplit

from .images import is_loopback
from .registry_auth import ENV_REGISTRY, Credentials
from .resolve_git import ResolveError

ACCEPT = ", ".join((
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
))
USER_AGENT = "platform-skills-pin"
TIMEOUT = 30
MAX_BODY = 4 * 1024 * 1024
MAX_REDIRECTS = 5
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
    def __init__(self, credentials=None, timeout=TIMEOUT):
        self.credentials = credentials or Credentials()
        self.timeout = timeout
        self._tokens = {}
        self._lock = threading.Lock()

    def digest(self, image):
        """``sha256:<64 hex>`` of ``image``'s manifest for its tag, or ResolveError."""
        scheme = "http" if is_loopback(image.host) else "https"
        url = f"{scheme}://{image.host}/v2/{image.repository}/manifests/{image.tag}"
        headers = {"Accept": ACCEPT}
        status, answer, _ = self._fetch("HEAD", url, headers)
        authorization = None
        if status == 401:
            authorization = self._answer(image, answer.get("WWW-Authenticate"))
            headers["Authorization"] = authorization
            status, answer, _ = self._fetch("HEAD", url, headers)
        if status == 200:
            digest = (answer.get("Docker-Content-Digest") or "").strip()
            if _SHA256.match(digest):
                return digest
            status, answer, body = self._fetch("GET", url, headers)  # no usable header: hash it
            if status == 200:
                return "sha256:" + hashlib.sha256(body).hexdigest()
        raise ResolveError(self._reason(image, status, answer, authorization))

    # -- authentication ------------------------------------------------------------------

    def _answer(self, image, header):
        """The Authorization header value that answers a 401 challenge."""
        scheme, params = parse_challenge(header)
        login = self.credentials.lookup(image.registry)
        if scheme == "bearer":
            realm = params.get("realm")
            if not realm:
                raise ResolveError(f"{image.host} sent a Bearer challenge without a realm")
            scope = params.get("scope") or f"repository:{image.repository}:pull"
            return "Bearer " + self._token(realm, params.get("service"), scope, login)
        if scheme == "basic":
            if login is None:
                raise ResolveError(self._needs_login(image))
            return _basic(login)
        raise ResolveError(f"{image.host} asks for authentication pin does not speak "
                           f"({scheme or 'no challenge'}) (401)")

    def _token(self, realm, service, scope, login):
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ResolveError(f"the token realm '{realm}' is not an HTTP(S) URL")
        if parts.scheme == "http" and not is_loopback(parts.netloc):
            login = None  # never send a password in clear text to another machine
        key = (realm, service, scope, login)
        with self._lock:
            if key in self._tokens:
                return self._tokens[key]
        query = urlencode([(k, v) for k, v in (("service", service), ("scope", scope)) if v])
        url = realm + ("&" if parts.query else "?") + query if query else realm
        headers = {"Authorization": _basic(login)} if login else {}
        status, answer, body = self._fetch("GET", url, headers)
        if status != 200:
            who = "the credentials" if login else "anonymous access"
            if status in (401, 403):
                raise ResolveError(f"the token service {parts.netloc} refused {who} ({status})")
            raise ResolveError(f"the token service {parts.netloc} answered "
                               f"{_status_text(status, answer)}")
        try:
            data = json.loads(body)
            token = data.get("token") or data.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise ResolveError(f"the token service {parts.netloc} returned no token")
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

    # -- transport -----------------------------------------------------------------------

    def _fetch(self, method, url, headers):
        """``(status, headers, body)`` for any HTTP status; ResolveError when unreachable.

        Redirects are followed by hand so that credentials never travel to another host.
        """
        headers = {"User-Agent": USER_AGENT, **headers}
        for _ in range(MAX_REDIRECTS + 1):
            host = urlsplit(url).netloc
            request = urllib.request.Request(url, method=method, headers=headers)
            try:
                with _opener(host).open(request, timeout=self.timeout) as response:
                    body = response.read(MAX_BODY) if method == "GET" else b""
                    status, answer = response.status, response.headers
            except urllib.error.URLError as exc:
                raise ResolveError(f"cannot reach {host}: {_reason_text(exc.reason)}") from None
            except TimeoutError:
                raise ResolveError(f"{host} did not answer within {self.timeout}s") from None
            except (http.client.HTTPException, OSError, ValueError) as exc:
                raise ResolveError(f"connection to {host} failed: {_reason_text(exc)}") from None
            location = answer.get("Location")
            if status not in (301, 302, 303, 307, 308) or not location:
                return status, answer, body
            url = urljoin(url, location)
            if urlsplit(url).scheme not in ("http", "https"):
                raise ResolveError(f"{host} redirected to a non-HTTP URL")
            if urlsplit(url).netloc != host:
                headers = {k: v for k, v in headers.items() if k != "Authorization"}
        raise ResolveError(f"{host} redirected more than {MAX_REDIRECTS} times")


def _opener(host):
    """HTTP(S) only (never file:// or ftp://); no proxy for this machine; no raising on
    4xx/5xx, which the caller reads as answers."""
    proxies = {} if is_loopback(host) else None
    handlers = [urllib.request.ProxyHandler(proxies), urllib.request.HTTPHandler(),
                urllib.request.HTTPSHandler()]
    opener = urllib.request.OpenerDirector()
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def _status_text(status, answer):
    text = f"HTTP {status}"
    if status == 429:
        retry = (answer.get("Retry-After") or "").strip() if answer else ""
        text = "429 Too Many Requests (rate limited" + (f"; retry after {retry}s)" if retry.isdigit()
                                                         else ")")
    return text


def _reason_text(reason):
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return text[:200]
