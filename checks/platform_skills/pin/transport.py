"""Network operations with a total deadline, and the one way to stop them all at once.

A socket timeout bounds each wait, not the whole: a server that trickles one header byte
every few seconds never trips it. Each network operation of pin (one image's digest, one
repository's refs, every request and process that takes) therefore runs under a
``Deadline``: a timer that, when the budget is spent, shuts the operation's sockets down and
kills its processes, which unblocks whatever was reading them. ``abort_all`` does the same
for every operation under way; pin calls it on SIGINT/SIGTERM, so an interrupted run ends at
once instead of waiting for its slowest server.

HTTP goes through ``fetch``: http(s) only, redirects followed by hand within one origin
(never to another host, never from HTTPS down to HTTP, never to ``file://``), bodies read up
to a limit, and every message passed through ``redact``.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

from .errors import ResolveError
from .images import is_loopback
from .redact import redact

DEFAULT_TIMEOUT = 30.0
MAX_REDIRECTS = 5
USER_AGENT = "platform-skills-pin"

_active = set()
_active_lock = threading.Lock()
_aborted = threading.Event()


class Deadline:
    """The time budget of one network operation; ``with Deadline(30, "what"):``."""

    def __init__(self, seconds, what):
        self.seconds = seconds
        self.what = what
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._connections = set()
        self._processes = set()
        self._timer = threading.Timer(max(seconds, 0), self.expire)
        self._timer.daemon = True

    def __enter__(self):
        if _aborted.is_set():
            raise ResolveError("pin was interrupted")
        with _active_lock:
            _active.add(self)
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        with _active_lock:
            _active.discard(self)

    def remaining(self):
        """Seconds left; ResolveError when none are."""
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            raise self.error()
        return left

    def error(self):
        if _aborted.is_set():
            return ResolveError("pin was interrupted")
        return ResolveError(f"{redact(self.what)} did not finish within {self.seconds:g}s "
                            "(--timeout)")

    def watch(self, connection):
        with self._lock:
            self._connections.add(connection)
            expired = self.expired
        if expired:
            _close(connection)

    def watch_process(self, process):
        with self._lock:
            self._processes.add(process)
            expired = self.expired
        if expired:
            _kill(process)

    def expire(self):
        """Cut every connection and process of this operation (from the timer, or on abort)."""
        with self._lock:
            self.expired = True
            connections, processes = list(self._connections), list(self._processes)
        for connection in connections:
            _close(connection)
        for process in processes:
            _kill(process)


def abort_all():
    """Stop every network operation under way (pin was interrupted); new ones refuse to start."""
    _aborted.set()
    with _active_lock:
        deadlines = list(_active)
    for deadline in deadlines:
        deadline.expire()


def _close(connection):
    sock = getattr(connection, "sock", None)
    if sock is not None:
        # the plain socket method: an SSL socket's own would unwrap it under the reader
        with contextlib.suppress(OSError, ValueError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _kill(process):
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)  # git and its remote helper, together


# -- HTTP ------------------------------------------------------------------------------------

class Response:
    __slots__ = ("status", "headers", "body", "url")

    def __init__(self, status, headers, body, url):
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url


def fetch(method, url, headers, deadline, max_body):
    """``Response`` for any HTTP status; ResolveError when unreachable, too slow, too large,
    or redirected where pin does not follow. ``max_body``: bytes read at most (more is an
    error, never a cut body); HEAD reads none."""
    headers = {"User-Agent": USER_AGENT, **headers}
    origin = _origin(url)
    for _ in range(MAX_REDIRECTS + 1):
        host = urlsplit(url).netloc
        try:
            status, answer, body = _once(method, url, headers, deadline, max_body)
        except ResolveError:
            raise
        except Exception as exc:
            if deadline.expired:
                raise deadline.error() from None
            raise ResolveError(f"cannot reach {redact(host)}: {_reason_text(exc)}") from None
        if deadline.expired:  # a cut connection can look like a short, complete answer
            raise deadline.error()
        location = answer.get("Location")
        if status not in (301, 302, 303, 307, 308) or not location:
            return Response(status, answer, body, url)
        target = urljoin(url, location.strip())
        if _origin(target) != origin:
            raise ResolveError(redact(f"{host} redirected to {_where(target)}; pin follows "
                                      "redirects only within the same host and scheme"))
        url = target
    raise ResolveError(f"{redact(host)} redirected more than {MAX_REDIRECTS} times")


def _where(url):
    """Where a redirect points, without its path: ``https://host:port`` or ``file:``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") \
        else f"{parts.scheme}:"


def _origin(url):
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def _once(method, url, headers, deadline, max_body):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ResolveError(f"not an HTTP(S) URL: {redact(url)}")
    request = urllib.request.Request(url, method=method, headers=headers)
    with _opener(parts.netloc, deadline).open(request, timeout=deadline.remaining()) as response:
        status, answer = response.status, response.headers
        if method == "HEAD":
            return status, answer, b""
        length = answer.get("Content-Length", "").strip()
        if length.isdigit() and int(length) > max_body:
            raise ResolveError(f"{redact(parts.netloc)} announced {int(length)} bytes, more than "
                           f"the {max_body} bytes pin reads")
        body = response.read(max_body + 1)
        if len(body) > max_body:
            raise ResolveError(f"{redact(parts.netloc)} answered with more than the {max_body} bytes "
                           "pin reads")
        return status, answer, body


def _opener(host, deadline):
    """HTTP(S) only (never file:// or ftp://); no proxy for this machine; redirects and
    4xx/5xx returned to the caller, which reads them as answers."""
    proxies = {} if is_loopback(host) else None
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(proxies), _HTTPHandler(deadline),
                    _HTTPSHandler(deadline)):
        opener.add_handler(handler)
    return opener


def _watched(base, deadline):
    """``base`` (an HTTP(S) connection class) under ``deadline``: watched from the start, so
    a TLS handshake is cut too, and checked again once connected, in case the budget ran
    out while there was no socket to cut."""
    class Watched(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            deadline.watch(self)

        def connect(self):
            super().connect()
            if deadline.expired:
                _close(self)
    return Watched


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline):
        super().__init__()
        self._deadline = deadline

    def http_open(self, req):
        return self.do_open(_watched(http.client.HTTPConnection, self._deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline):
        super().__init__()
        self._deadline = deadline

    def https_open(self, req):
        return self.do_open(_watched(http.client.HTTPSConnection, self._deadline), req,
                            context=self._context)


def _reason_text(exc):
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return redact(text)[:200]


# -- processes -------------------------------------------------------------------------------

def run_process(command, deadline, env):
    """``(returncode, stdout, stderr)`` of ``command`` (text), killed with its children when
    the deadline passes. Its own session: a terminal's Ctrl-C reaches pin, which stops it."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, text=True, errors="replace",
                               start_new_session=True)
    deadline.watch_process(process)
    try:
        out, err = process.communicate(timeout=deadline.remaining() + 5)
    except subprocess.TimeoutExpired:
        _kill(process)
        out, err = process.communicate()
    except BaseException:
        _kill(process)
        process.wait()
        raise
    if deadline.expired:
        raise deadline.error()
    return process.returncode, out, err
