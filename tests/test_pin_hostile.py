"""``pin`` against hostile servers on 127.0.0.1: it writes only what it verified.

Each case is a registry or git server that answers wrongly on purpose: a captive portal's
200 page, a missing or wrong ``Docker-Content-Digest``, an oversized manifest, a wrong media
type, the dumb git protocol, malformed object ids, headers trickled one byte at a time,
redirects to another host or to ``file://``. Every test asserts that no file changed, that
pin exits 2 with one error line per reference, that no credential appears in any output,
and that the run ended within its deadline (a short ``--timeout``).
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pin_registry import OCI_INDEX, OCI_MANIFEST, Hostile, digest_of
from pin_remotes import SmartHTTP, build_remotes

from support import run_cli, write_tree

SECRET = "s3cr3t-T0KEN-value"
WORKFLOW = ".github/workflows/ci.yml"


@pytest.fixture
def server():
    front = Hostile()
    yield front
    front.stop()


@pytest.fixture
def env(tmp_path):
    """Registry credentials that must never be printed; no Docker config."""
    config = tmp_path / "docker-config"
    config.mkdir()
    out = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_SKILLS_")}
    return {**out, "DOCKER_CONFIG": str(config)}


def pin_bounded(tmp_path, *args, env, limit=6.0):
    """Run pin with a 1 s deadline per operation; the whole run must end within ``limit``."""
    started = time.monotonic()
    proc = run_cli("pin", "--timeout", "1", *args, cwd=tmp_path, env=env)
    elapsed = time.monotonic() - started
    assert elapsed < limit, f"pin took {elapsed:.1f}s"
    assert SECRET not in proc.stdout + proc.stderr
    return proc


def one_image(tmp_path, reference):
    text = f"jobs:\n  a:\n    container: {reference}\n"
    write_tree(tmp_path, {WORKFLOW: text})
    return text


def assert_refused(tmp_path, proc, text, *reasons):
    assert proc.returncode == 2, proc.stderr
    errors = proc.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"{WORKFLOW}:3: error: cannot pin "), errors
    for reason in reasons:
        assert reason in errors[0]
    assert (tmp_path / WORKFLOW).read_text() == text


MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": {},
                       "layers": []}).encode()
PORTAL = b"<html><body>Welcome to Hotel Wi-Fi. Please log in.</body></html>"


@pytest.mark.parametrize("headers, body, reason", [
    ([("Content-Type", "text/html")], PORTAL, "content type 'text/html', not an image manifest"),
    ([("Content-Type", "text/html"), ("Docker-Content-Digest", digest_of(PORTAL))], PORTAL,
     "not an image manifest"),
    ([("Content-Type", OCI_MANIFEST)], MANIFEST, "sent no Docker-Content-Digest"),
    ([("Content-Type", OCI_MANIFEST), ("Docker-Content-Digest", digest_of(b"other"))], MANIFEST,
     "does not match its Docker-Content-Digest"),
    ([("Content-Type", OCI_MANIFEST), ("Docker-Content-Digest", "sha256:abc")], MANIFEST,
     "is not a sha256 digest"),
    ([("Content-Type", "application/json"), ("Docker-Content-Digest", digest_of(MANIFEST))],
     MANIFEST, "content type 'application/json'"),
    ([("Content-Type", OCI_INDEX), ("Docker-Content-Digest", digest_of(MANIFEST))], MANIFEST,
     "is not a application/vnd.oci.image.index.v1+json manifest"),
], ids=["captive-portal", "portal-with-digest", "no-digest", "wrong-digest", "not-sha256",
        "json-type", "type-mismatch"])
def test_a_manifest_answer_that_does_not_verify_pins_nothing(tmp_path, server, env, headers,
                                                             body, reason):
    server.manifest("org/app", "1.0", 200, headers, body)
    text = one_image(tmp_path, f"{server.host}/org/app:1.0")
    proc = pin_bounded(tmp_path, env=env)
    assert_refused(tmp_path, proc, text, f"'{server.host}/org/app:1.0'", reason)


def test_the_same_manifest_with_its_digest_is_pinned(tmp_path, server, env):
    """The control for the cases above: the verified answer is written."""
    digest = digest_of(MANIFEST)
    server.manifest("org/app", "1.0", 200, [("Content-Type", OCI_MANIFEST),
                                            ("Docker-Content-Digest", digest)], MANIFEST)
    text = one_image(tmp_path, f"{server.host}/org/app:1.0")
    proc = pin_bounded(tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / WORKFLOW).read_text() == text.replace("app:1.0", f"app:1.0@{digest}")


@pytest.mark.parametrize("length", ["announced", None], ids=["content-length", "until-close"])
def test_an_oversized_manifest_is_refused_not_cut_and_hashed(tmp_path, server, env, length):
    body = b"{" + b" " * (5 * 1024 * 1024) + b"}"
    headers = [("Content-Type", OCI_MANIFEST), ("Docker-Content-Digest", digest_of(body)),
               ("Content-Length", length and str(len(body)))]
    server.manifest("org/big", "1.0", 200, headers, body)
    text = one_image(tmp_path, f"{server.host}/org/big:1.0")
    proc = pin_bounded(tmp_path, env=env)
    assert_refused(tmp_path, proc, text, "more than the 4194304 bytes pin reads")


def test_trickled_headers_are_cut_off_at_the_deadline(tmp_path, server, env):
    server.trickle.add("/v2/org/slow/manifests/1.0")
    text = one_image(tmp_path, f"{server.host}/org/slow:1.0")
    started = time.monotonic()
    proc = pin_bounded(tmp_path, env=env, limit=4.0)
    assert_refused(tmp_path, proc, text, "did not finish within 1s (--timeout)")
    assert time.monotonic() - started >= 1.0


@pytest.mark.parametrize("location, reason", [
    ("http://localhost:{port}/v2/org/app/manifests/1.0", "redirected to http://localhost:"),
    ("file:///etc/passwd", "redirected to file:"),
    ("https://{host}/v2/org/app/manifests/1.0", "redirected to https://127.0.0.1"),
])
def test_redirects_leave_neither_the_host_nor_http(tmp_path, server, env, location, reason):
    port = server.host.rpartition(":")[2]
    target = location.format(port=port, host=server.host)
    server.manifest("org/moved", "1.0", 302, [("Location", target)])
    # what the other host would serve is a perfectly good manifest: still not followed
    server.manifest("org/app", "1.0", 200, [("Content-Type", OCI_MANIFEST),
                                            ("Docker-Content-Digest", digest_of(MANIFEST))], MANIFEST)
    text = one_image(tmp_path, f"{server.host}/org/moved:1.0")
    proc = pin_bounded(tmp_path, env=env)
    assert_refused(tmp_path, proc, text, reason, "pin follows redirects only within the same host")


def test_registry_credentials_and_tokens_are_never_printed(tmp_path, server, env):
    challenge = f'Bearer realm="http://{server.host}/token?access_token={SECRET}",service="x"'
    server.manifest("org/app", "1.0", 401, [("WWW-Authenticate", challenge)])
    server.answers[f"/token?access_token={SECRET}&service=x&scope=repository%3Aorg%2Fapp%3Apull"] = (
        500, [], b"")
    logged_in = {**env, "PLATFORM_SKILLS_REGISTRY": server.host,
                 "PLATFORM_SKILLS_REGISTRY_USERNAME": "ci-user",
                 "PLATFORM_SKILLS_REGISTRY_PASSWORD": SECRET}
    text = one_image(tmp_path, f"{server.host}/org/app:1.0")
    proc = pin_bounded(tmp_path, env=logged_in)
    assert_refused(tmp_path, proc, text, "the token service", "HTTP 500")
    assert any("/token" in path for _, path, _ in server.requests)  # the token was asked for


# -- git -------------------------------------------------------------------------------------

STEP = "jobs:\n  a:\n    steps:\n      - uses: {}\n"


@pytest.fixture(scope="module")
def remotes(tmp_path_factory):
    base = tmp_path_factory.mktemp("remotes")
    return base, build_remotes(base)


def pkt(text):
    data = text.encode()
    return f"{len(data) + 4:04x}".encode() + data


def advertisement(*lines, capabilities="report-status"):
    first, *rest = lines
    body = [pkt("# service=git-upload-pack\n"), b"0000", pkt(f"{first}\0{capabilities}\n")]
    body += [pkt(line + "\n") for line in rest]
    return b"".join(body) + b"0000"


GOOD = "8f5b9e9c4a3d2b1a0f9e8d7c6b5a4f3e2d1c0b9a"
SMART = [("Content-Type", "application/x-git-upload-pack-advertisement")]


def git_workflow(tmp_path):
    text = STEP.format("acme/act@v4")
    write_tree(tmp_path, {".github/workflows/ci.yml": text})
    return text


def git_refused(tmp_path, proc, text, *reasons):
    assert proc.returncode == 2, proc.stderr
    errors = proc.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith(
        f"{WORKFLOW}:4: error: cannot pin 'acme/act@v4': "), errors
    for reason in reasons:
        assert reason in errors[0], errors[0]
    assert (tmp_path / WORKFLOW).read_text() == text


@pytest.mark.parametrize("headers, body, reason", [
    ([("Content-Type", "text/plain")], f"{'0' * 40}\trefs/tags/v4\n".encode(),
     "does not speak git's smart HTTP protocol"),
    ([("Content-Type", "text/html")], PORTAL, "does not speak git's smart HTTP protocol"),
    (SMART, advertisement(f"{'0' * 40} refs/tags/v4"), "the null object id"),
    (SMART, advertisement(f"{'z' * 40} refs/tags/v4"), "malformed object id"),
    (SMART, advertisement(f"{GOOD} refs/heads/main", f"{GOOD[:39]} refs/tags/v4"),
     "malformed object id"),
    (SMART, advertisement(f"{GOOD} refs/tags/v4", capabilities="object-format=sha256"),
     "malformed object id"),
    (SMART, pkt("# service=git-upload-pack\n") + b"0000zzzz", "malformed git protocol answer"),
    (SMART, pkt("# service=git-upload-pack\n") + b"0000" + pkt("ERR access denied\n"),
     "refused: access denied"),
], ids=["dumb", "portal", "null-oid", "non-hex", "short-oid", "sha256-length", "bad-pkt", "err"])
def test_git_answers_that_are_not_smart_and_well_formed_pin_nothing(tmp_path, server, env,
                                                                     headers, body, reason):
    server.answers["/acme/act/info/refs?service=git-upload-pack"] = (200, headers, body)
    text = git_workflow(tmp_path)
    url = f"http://git:{SECRET}@{server.host}"
    proc = pin_bounded(tmp_path, "--github-url", url, env=env)
    git_refused(tmp_path, proc, text, reason)
    # the token went to that host as basic authentication, as git sends it
    sent = server.requests[-1][2].get("Authorization", "")
    assert sent.startswith("Basic ") and SECRET not in proc.stderr


def test_a_well_formed_smart_answer_is_pinned(tmp_path, server, env):
    """The control for the git cases above."""
    body = advertisement(f"{GOOD} refs/heads/main", f"{GOOD} refs/tags/v4")
    server.answers["/acme/act/info/refs?service=git-upload-pack"] = (200, SMART, body)
    text = git_workflow(tmp_path)
    proc = pin_bounded(tmp_path, "--github-url", f"http://{server.host}", env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / WORKFLOW).read_text() == text.replace("@v4", f"@{GOOD} # v4")


def test_git_redirects_trickles_and_tokens_in_the_environment(tmp_path, server, env):
    server.answers["/acme/act/info/refs?service=git-upload-pack"] = (
        301, [("Location", f"http://localhost:{server.host.rpartition(':')[2]}/acme/act/info/refs")], b"")
    text = git_workflow(tmp_path)
    with_token = {**env, "PLATFORM_SKILLS_GITHUB_URL": f"http://{SECRET}@{server.host}"}
    proc = pin_bounded(tmp_path, env=with_token)
    git_refused(tmp_path, proc, text, "redirected to http://localhost:")
    server.trickle.add("/acme/act/info/refs?service=git-upload-pack")
    proc = pin_bounded(tmp_path, env=with_token, limit=4.0)
    git_refused(tmp_path, proc, text, "did not finish within 1s", "http://***@127.0.0.1")


def test_a_token_in_a_url_git_itself_reads_is_not_printed(tmp_path, env):
    text = git_workflow(tmp_path)
    proc = pin_bounded(tmp_path, "--github-url", f"ssh://git:{SECRET}@127.0.0.1:1/", env=env,
                       limit=10.0)
    git_refused(tmp_path, proc, text, "git ls-remote ssh://***@127.0.0.1:1/acme/act failed")


def test_the_smart_protocol_of_real_git_pins_as_file_urls_do(tmp_path, remotes, env):
    base, shas = remotes
    http = SmartHTTP(base)
    try:
        text = STEP.format("actions/checkout@v4") + "      - uses: example/tool@v1.0.0\n"
        write_tree(tmp_path, {WORKFLOW: text})
        proc = pin_bounded(tmp_path, "--github-url", http.url, env=env, limit=20.0)
    finally:
        http.stop()
    assert proc.returncode == 0, proc.stderr
    co, tool = shas["actions/checkout"]["C2"], shas["example/tool"]["C1"]
    assert (tmp_path / WORKFLOW).read_text() == text.replace(
        "checkout@v4\n", f"checkout@{co} # v4.2.2\n").replace("tool@v1.0.0\n", f"tool@{tool} # v1.0.0\n")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_pin_at_once_and_every_file_stays_whole(tmp_path, server, env, signum):
    server.trickle.add("/v2/org/slow/manifests/1.0")
    text = one_image(tmp_path, f"{server.host}/org/slow:1.0")
    exe = Path(sys.executable).with_name("platform-skills")
    process = subprocess.Popen([str(exe), "pin", "--timeout", "60"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not any("/org/slow/" in path for _, path, _ in server.requests):
        assert time.monotonic() < deadline, "pin never asked the registry"
        time.sleep(0.05)
    sent = time.monotonic()
    process.send_signal(signum)
    out, err = process.communicate(timeout=5)
    assert time.monotonic() - sent < 3
    assert process.returncode == 2
    assert "interrupted; no file was half-written" in err
    assert (tmp_path / WORKFLOW).read_text() == text


def test_the_unverified_digest_never_reaches_a_dockerfile_either(tmp_path, server, env):
    server.manifest("org/app", "1.0", 200, [("Content-Type", "text/html")], PORTAL)
    text = f"FROM {server.host}/org/app:1.0\n"
    write_tree(tmp_path, {"Dockerfile": text})
    proc = pin_bounded(tmp_path, env=env)
    assert proc.returncode == 2
    assert (tmp_path / "Dockerfile").read_text() == text
    assert hashlib.sha256(PORTAL).hexdigest() not in proc.stdout + proc.stderr
