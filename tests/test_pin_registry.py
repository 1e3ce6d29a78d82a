"""``platform-skills pin`` on container images, against the real CNCF distribution registry.

Everything listens on 127.0.0.1 only. The Bearer-token challenge and 429 answers come from a
small protocol-true front (pin_registry.TokenRegistry): the registry cannot produce them
without a token server.
"""

import base64
import json
import os

import pytest
from pin_registry import (
    Registry,
    TokenRegistry,
    free_port,
    htpasswd_file,
    oci_layout,
    push,
    require,
    served_digest,
)

from support import run_cli, write_tree


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    require("docker-registry", "skopeo")
    work = tmp_path_factory.mktemp("registry")
    server = Registry(work)
    images = {}
    for name, tag, platforms in [("team/app", "1.0", None), ("team/app", "2.0", None),
                                 ("tools/lint", "0.3", None),
                                 ("base/python", "3.12", ("amd64", "arm64"))]:
        layout = oci_layout(work / f"{name.replace('/', '-')}-{tag}", tag,
                            f"{name}:{tag}".encode(), platforms)
        push(layout, tag, f"{server.host}/{name}:{tag}")
        images[f"{name}:{tag}"] = served_digest(f"{server.host}/{name}:{tag}")
    yield server.host, images
    server.stop()


@pytest.fixture(scope="module")
def locked(tmp_path_factory):
    """A registry behind htpasswd basic auth, holding private/app:1.0."""
    require("docker-registry", "skopeo", "htpasswd")
    work = tmp_path_factory.mktemp("locked")
    server = Registry(work, htpasswd=htpasswd_file(work / "htpasswd", "ci", "s3cret"))
    push(oci_layout(work / "layout", "1.0", b"private"), "1.0", f"{server.host}/private/app:1.0",
         creds="ci:s3cret")
    yield server.host, served_digest(f"{server.host}/private/app:1.0", creds="ci:s3cret")
    server.stop()


@pytest.fixture
def env(tmp_path):
    """No credentials but the ones a test sets: an empty Docker config directory."""
    empty = tmp_path / "docker-config"
    empty.mkdir()
    out = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_SKILLS_REGISTRY")}
    out["DOCKER_CONFIG"] = str(empty)
    return out


def pin(*args, cwd, env):
    return run_cli("pin", *args, cwd=cwd, env=env)


def test_pins_every_kind_of_image_reference_to_the_served_digest(tmp_path, registry, env):
    host, digest = registry
    app1, app2 = digest["team/app:1.0"], digest["team/app:2.0"]
    lint, python = digest["tools/lint:0.3"], digest["base/python:3.12"]
    files = {
        ".github/workflows/ci.yml": f"""\
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    container: {host}/team/app:1.0
    services:
      db:
        image: "{host}/team/app:2.0"
    steps:
      - uses: docker://{host}/tools/lint:0.3 # linter
""",
        "lint/action.yml": f"name: lint\nruns:\n  using: docker\n  image: 'docker://{host}/tools/lint:0.3'\n",
        "deploy/app.yaml": f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: {host}/base/python:3.12
      containers:
        - name: app
          image: {host}/team/app:1.0  # the release
        - name: pinned
          image: {host}/team/app:2.0@{app2}
""",
        "Dockerfile": f"""\
# syntax=docker/dockerfile:1
ARG BASE={host}/team/app:1.0
FROM --platform=$BUILDPLATFORM {host}/base/python:3.12 AS build
FROM ${{BASE}} AS from-arg
FROM build AS test
FROM scratch AS empty
from \\
    {host}/team/app:2.0
""",
    }
    write_tree(tmp_path, files)
    proc = pin(cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    expected = {
        ".github/workflows/ci.yml": files[".github/workflows/ci.yml"]
        .replace("app:1.0\n", f"app:1.0@{app1}\n").replace('app:2.0"', f'app:2.0@{app2}"')
        .replace("lint:0.3 #", f"lint:0.3@{lint} #"),
        "lint/action.yml": files["lint/action.yml"].replace("lint:0.3'", f"lint:0.3@{lint}'"),
        "deploy/app.yaml": files["deploy/app.yaml"]
        .replace("python:3.12\n", f"python:3.12@{python}\n").replace("app:1.0  #", f"app:1.0@{app1}  #"),
        "Dockerfile": files["Dockerfile"]
        .replace("python:3.12 AS", f"python:3.12@{python} AS").replace("app:2.0\n", f"app:2.0@{app2}\n"),
    }
    assert {rel: (tmp_path / rel).read_text() for rel in files} == expected
    assert proc.stderr.strip() == "Dockerfile:4: note: FROM ${BASE} is built from an ARG; pin leaves it alone"
    assert proc.stdout.splitlines()[-1] == "pinned 8 references in 4 files; 4 files read, 4 remotes asked"
    assert "Dockerfile:8: " in proc.stdout  # the line the image is on, inside a continued FROM
    # a multi-platform image is pinned by its index, so every platform stays available
    index = json.loads(run_skopeo_raw(f"{host}/base/python:3.12"))
    assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
    again = pin(cwd=tmp_path, env=env)
    assert again.returncode == 0 and again.stdout.startswith("nothing to pin")
    assert {rel: (tmp_path / rel).read_text() for rel in files} == expected


def run_skopeo_raw(reference):
    import subprocess
    return subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{reference}"],
                          check=True, capture_output=True, timeout=60).stdout


def test_a_missing_tag_or_registry_is_named_and_the_rest_still_pinned(tmp_path, registry, env):
    host, digest = registry
    closed = f"127.0.0.1:{free_port()}"
    text = f"""\
jobs:
  a:
    container: {host}/team/app:9.9
    services:
      cache:
        image: {closed}/team/app:1.0
      db:
        image: {host}/team/app:1.0
"""
    write_tree(tmp_path, {".github/workflows/ci.yml": text})
    proc = pin(cwd=tmp_path, env=env)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f".github/workflows/ci.yml:3: error: cannot pin '{host}/team/app:9.9': "
        f"no such image or tag: {host}/team/app:9.9 (404)",
        f".github/workflows/ci.yml:6: error: cannot pin '{closed}/team/app:1.0': "
        f"cannot reach {closed}: Connection refused",
    ]
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == text.replace(
        f"{host}/team/app:1.0\n", f"{host}/team/app:1.0@{digest['team/app:1.0']}\n")


CONTAINER = "jobs:\n  a:\n    container: {}\n"


def test_basic_auth_with_credentials_from_the_environment(tmp_path, locked, env):
    host, digest = locked
    write_tree(tmp_path, {".github/workflows/ci.yml": CONTAINER.format(f"{host}/private/app:1.0")})
    anonymous = pin(cwd=tmp_path, env=env)
    assert anonymous.returncode == 2
    assert f"cannot pin '{host}/private/app:1.0': {host} requires a login (401); no credentials " \
           f"found for it: set PLATFORM_SKILLS_REGISTRY={host}" in anonymous.stderr
    elsewhere = {**env, "PLATFORM_SKILLS_REGISTRY": "registry.example.com",
                 "PLATFORM_SKILLS_REGISTRY_USERNAME": "ci", "PLATFORM_SKILLS_REGISTRY_PASSWORD": "s3cret"}
    assert pin(cwd=tmp_path, env=elsewhere).returncode == 2  # never offered to another host
    wrong = {**elsewhere, "PLATFORM_SKILLS_REGISTRY": host, "PLATFORM_SKILLS_REGISTRY_PASSWORD": "nope"}
    refused = pin(cwd=tmp_path, env=wrong)
    assert refused.returncode == 2
    assert f"{host} refused the credentials for {host}/private/app:1.0 (401)" in refused.stderr
    right = {**wrong, "PLATFORM_SKILLS_REGISTRY_PASSWORD": "s3cret"}
    proc = pin(cwd=tmp_path, env=right)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == CONTAINER.format(
        f"{host}/private/app:1.0@{digest}")


def test_basic_auth_with_credentials_from_the_docker_config_file(tmp_path, locked, env):
    host, digest = locked
    write_tree(tmp_path, {".github/workflows/ci.yml": CONTAINER.format(f"{host}/private/app:1.0")})
    config = os.path.join(env["DOCKER_CONFIG"], "config.json")
    with open(config, "w") as handle:
        json.dump({"credsStore": "desktop"}, handle)
    helper = pin(cwd=tmp_path, env=env)
    assert helper.returncode == 2
    assert "credential helper 'docker-credential-desktop', which pin does not run" in helper.stderr
    with open(config, "w") as handle:
        json.dump({"auths": {f"http://{host}": {"auth": base64.b64encode(b"ci:s3cret").decode()}}}, handle)
    proc = pin(cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == CONTAINER.format(
        f"{host}/private/app:1.0@{digest}")


def test_half_set_credentials_are_a_usage_error(tmp_path, env):
    write_tree(tmp_path, {".github/workflows/ci.yml": CONTAINER.format("127.0.0.1:1/x:1")})
    proc = pin(cwd=tmp_path, env={**env, "PLATFORM_SKILLS_REGISTRY_USERNAME": "ci"})
    assert proc.returncode == 2
    assert "set both PLATFORM_SKILLS_REGISTRY_USERNAME and PLATFORM_SKILLS_REGISTRY_PASSWORD" in proc.stderr


@pytest.fixture
def front():
    server = TokenRegistry()
    yield server
    server.stop()


def test_anonymous_bearer_token_flow_asks_for_one_token_per_scope(tmp_path, front, env):
    one, two = front.add("org/app", "1.0", "one"), front.add("org/app", "2.0", "two")
    front.add("org/nodigest", "1.0", "plain")
    text = (f"jobs:\n  a:\n    container: {front.host}/org/app:1.0\n    services:\n"
            f"      b:\n        image: {front.host}/org/app:2.0\n"
            f"      c:\n        image: {front.host}/org/nodigest:1.0\n")
    write_tree(tmp_path, {".github/workflows/ci.yml": text})
    proc = pin("--jobs", "1", cwd=tmp_path, env=env)
    assert proc.returncode == 2  # a manifest without Docker-Content-Digest is never hashed into a pin
    assert proc.stderr.splitlines() == [
        f".github/workflows/ci.yml:8: error: cannot pin '{front.host}/org/nodigest:1.0': {front.host} "
        f"sent no Docker-Content-Digest for {front.host}/org/nodigest:1.0; pin writes only a digest "
        "the registry states and the manifest confirms"]
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == text.replace(
        "app:1.0\n", f"app:1.0@{one}\n").replace("app:2.0\n", f"app:2.0@{two}\n")
    tokens = front.token_requests()
    assert [(query, auth) for _, _, query, auth in tokens] == [
        ("service=pin-tests&scope=repository%3Aorg%2Fapp%3Apull", ""),
        ("service=pin-tests&scope=repository%3Aorg%2Fnodigest%3Apull", "")]
    manifests = [(method, auth) for method, path, _, auth in front.requests if "/manifests/" in path]
    assert ("GET", "Bearer token-for-repository:org/app:pull") in manifests  # the body is verified


def test_bearer_token_with_credentials_and_rate_limiting(tmp_path, front, env):
    digest = front.add("org/private", "1.0", "secret")
    text = (f"jobs:\n  a:\n    container: {front.host}/org/private:1.0\n    services:\n"
            f"      b:\n        image: {front.host}/org/limited:1.0\n")
    write_tree(tmp_path, {".github/workflows/ci.yml": text})
    anonymous = pin(cwd=tmp_path, env=env)
    assert anonymous.returncode == 2
    errors = anonymous.stderr.splitlines()
    assert errors == [
        f".github/workflows/ci.yml:3: error: cannot pin '{front.host}/org/private:1.0': "
        f"the token service {front.host} refused anonymous access (401)",
        f".github/workflows/ci.yml:6: error: cannot pin '{front.host}/org/limited:1.0': "
        f"{front.host} answered 429 Too Many Requests (rate limited; retry after 30s) "
        f"for {front.host}/org/limited:1.0",
    ]
    logged_in = {**env, "PLATFORM_SKILLS_REGISTRY": front.host,
                 "PLATFORM_SKILLS_REGISTRY_USERNAME": "user", "PLATFORM_SKILLS_REGISTRY_PASSWORD": "secret"}
    proc = pin(cwd=tmp_path, env=logged_in)
    assert proc.returncode == 2  # the rate-limited image still fails
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == text.replace(
        "private:1.0\n", f"private:1.0@{digest}\n")
