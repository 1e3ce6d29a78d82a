"""A real OCI registry for the pin tests: the CNCF distribution registry on 127.0.0.1.

Images are built here as OCI image layouts (a config blob, one layer, a manifest, and for a
multi-platform image an index) and pushed with ``skopeo copy``. The digest a test expects
is read back with ``skopeo inspect --raw``: the sha256 of the manifest bytes the registry
serves, found by a client that is not the one under test.
"""

import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import time
import urllib.error
import urllib.request

import pytest

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def require(*tools):
    """The tools' paths; skip when one is missing outside CI, fail inside it."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed (run 'make registry-deps')"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the registry tests: {reason}")
        pytest.skip(reason)
    return [shutil.which(tool) for tool in tools]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Registry:
    """``docker-registry serve`` on a free loopback port with its own storage root."""

    def __init__(self, workdir, htpasswd=None):
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        auth = (f"auth:\n  htpasswd:\n    realm: pin-tests\n    path: {htpasswd}\n"
                if htpasswd else "")
        config = workdir / "registry.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: error\n  accesslog:\n    disabled: true\n"
            f"storage:\n  filesystem:\n    rootdirectory: {workdir / 'storage'}\n"
            f"http:\n  addr: {self.host}\n" + auth)
        self._log = open(workdir / "registry.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(["docker-registry", "serve", str(config)],
                                        stdout=self._log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"docker-registry exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1).close()
                return
            except urllib.error.HTTPError:
                return  # 401 from an auth-enabled registry: it is up
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("docker-registry did not start within 15s")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def htpasswd_file(path, user, password):
    """A bcrypt htpasswd file (the only hash the registry accepts), written by htpasswd."""
    line = subprocess.run(["htpasswd", "-Bbn", user, password], capture_output=True, text=True,
                          check=True).stdout.strip()
    path.write_text(line + "\n")
    return path


def _blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest).write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def _image(layout, payload, architecture="amd64"):
    """Write a one-layer image's blobs; returns its manifest descriptor."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("payload.txt")
        info.size, info.mtime = len(payload), 0
        tar.addfile(info, io.BytesIO(payload))
    layer = _blob(layout, buffer.getvalue())
    config = _blob(layout, json.dumps({
        "architecture": architecture, "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}).encode())
    manifest = _blob(layout, json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **layer}]}).encode())
    return {"mediaType": OCI_MANIFEST, **manifest,
            "platform": {"architecture": architecture, "os": "linux"}}


def oci_layout(layout, tag, payload, platforms=None):
    """An OCI image layout holding ``tag``: one image, or an index over ``platforms``."""
    (layout / "blobs" / "sha256").mkdir(parents=True)
    (layout / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    if platforms:
        manifests = [_image(layout, payload + arch.encode(), arch) for arch in platforms]
        top = {"mediaType": OCI_INDEX, **_blob(layout, json.dumps({
            "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}).encode())}
    else:
        top = {k: v for k, v in _image(layout, payload).items() if k != "platform"}
    top["annotations"] = {"org.opencontainers.image.ref.name": tag}
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [top]}))
    return layout


def push(layout, tag, destination, creds=None):
    """``skopeo copy`` the layout's ``tag`` to ``docker://destination`` (plain HTTP)."""
    command = ["skopeo", "--insecure-policy", "copy", "-q", "--dest-tls-verify=false"]
    if creds:
        command += ["--dest-creds", creds]
    if json.loads((layout / "index.json").read_text())["manifests"][0]["mediaType"] == OCI_INDEX:
        command.append("--all")
    subprocess.run(command + [f"oci:{layout}:{tag}", f"docker://{destination}"], check=True,
                   capture_output=True, timeout=60)


def served_digest(reference, creds=None):
    """sha256 of the manifest bytes the registry serves for ``reference``, via skopeo."""
    command = ["skopeo", "inspect", "--raw", "--tls-verify=false"]
    if creds:
        command += ["--creds", creds]
    raw = subprocess.run(command + [f"docker://{reference}"], check=True, capture_output=True,
                         timeout=60).stdout
    return "sha256:" + hashlib.sha256(raw).hexdigest()


class TokenRegistry:
    """A small registry front that speaks the parts the distribution registry cannot without
    a token server: the ``Bearer`` challenge of Docker Hub and GHCR, and 429 rate limiting.

    - ``org/app``: anonymous pull tokens from ``/token``;
    - ``org/private``: tokens only for ``user:secret`` (HTTP basic on the token request);
    - ``org/limited``: always ``429 Too Many Requests`` with ``Retry-After: 30``;
    - ``org/nodigest``: a manifest served without ``Docker-Content-Digest``.

    Loopback only; every request it sees is recorded in ``requests``.
    """

    def __init__(self):
        import base64
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlsplit

        self.requests = []
        self.manifests = {}  # (repository, tag) -> manifest bytes
        front = self
        secret = "Basic " + base64.b64encode(b"user:secret").decode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._answer(body=True)

            def do_HEAD(self):
                self._answer(body=False)

            def _send(self, status, headers=(), payload=b"", body=True):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if body:
                    self.wfile.write(payload)

            def _answer(self, body):
                url = urlsplit(self.path)
                auth = self.headers.get("Authorization", "")
                front.requests.append((self.command, url.path, url.query, auth))
                if url.path == "/token":
                    scope = parse_qs(url.query).get("scope", [""])[0]
                    if scope == "repository:org/private:pull" and auth != secret:
                        return self._send(401, [("WWW-Authenticate", 'Basic realm="token"')], body=body)
                    token = json.dumps({"token": f"token-for-{scope}"}).encode()
                    return self._send(200, [("Content-Type", "application/json")], token, body)
                parts = url.path.split("/")  # /v2/org/<repo>/manifests/<tag>
                if len(parts) != 6 or parts[1] != "v2" or parts[4] != "manifests":
                    return self._send(404, body=body)
                repository, tag = f"{parts[2]}/{parts[3]}", parts[5]
                if repository == "org/limited":
                    return self._send(429, [("Retry-After", "30")], b'{"errors":[]}', body)
                scope = f"repository:{repository}:pull"
                if auth != f"Bearer token-for-{scope}":
                    challenge = (f'Bearer realm="http://{front.host}/token",'
                                 f'service="pin-tests",scope="{scope}"')
                    return self._send(401, [("WWW-Authenticate", challenge)], b'{"errors":[]}', body)
                manifest = front.manifests.get((repository, tag))
                if manifest is None:
                    return self._send(404, [], b'{"errors":[]}', body)
                headers = [("Content-Type", OCI_MANIFEST)]
                if repository != "org/nodigest":
                    headers.append(("Docker-Content-Digest", digest_of(manifest)))
                return self._send(200, headers, manifest, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, repository, tag, payload):
        manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                               "payload": payload}).encode()
        self.manifests[(repository, tag)] = manifest
        return digest_of(manifest)

    def token_requests(self):
        return [r for r in self.requests if r[1] == "/token"]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Hostile:
    """A scripted HTTP server on 127.0.0.1 for the hostile cases: ``answers[path]`` is
    ``(status, [(header, value)], body)`` (a ``Content-Length`` of None: none is sent and the
    body ends when the connection closes); every request is recorded in ``requests`` as
    ``(method, path, headers)``. ``trickle`` paths get a status line and then one header byte
    every ``trickle_every`` seconds, for as long as the client listens."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.answers = {}
        self.trickle = set()
        self.trickle_every = 0.5
        self.requests = []
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                front.requests.append((self.command, self.path, dict(self.headers)))
                try:
                    if self.path in front.trickle:
                        return self._trickle()
                    status, headers, body = front.answers.get(self.path, (404, [], b"not here"))
                    self.send_response(status)
                    for name, value in headers:
                        if value is not None:
                            self.send_header(name, value)
                    if not any(name.lower() == "content-length" for name, _ in headers):
                        self.send_header("Content-Length", str(len(body)))
                    elif dict(headers).get("Content-Length", "") is None:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client hung up, as it should on an oversized body

            do_HEAD = do_GET

            def _trickle(self):
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                self.wfile.flush()
                while True:
                    time.sleep(front.trickle_every)
                    self.wfile.write(b"X")
                    self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def manifest(self, repository, tag, status=200, headers=(), body=b""):
        self.answers[f"/v2/{repository}/manifests/{tag}"] = (status, list(headers), body)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
