"""The pure parts of pin: image references, version tags, comments, challenges, edits."""

import pytest

from platform_skills.pin import edits, images
from platform_skills.pin.resolve_git import GitRefs, ResolveError, most_specific_tag, parse_ls_remote, resolve
from platform_skills.pin.resolve_oci import parse_challenge
from platform_skills.readers.pins import comment_version


@pytest.mark.parametrize("text, registry, repository, tag, digest", [
    ("alpine", "docker.io", "library/alpine", None, None),
    ("alpine:3.20", "docker.io", "library/alpine", "3.20", None),
    ("docker.io/user/app:1", "docker.io", "user/app", "1", None),
    ("index.docker.io/alpine:3", "docker.io", "library/alpine", "3", None),
    ("ghcr.io/org/app:1.4.2", "ghcr.io", "org/app", "1.4.2", None),
    ("localhost:5000/app", "localhost:5000", "app", None, None),
    ("127.0.0.1:5000/team/app:v1-rc", "127.0.0.1:5000", "team/app", "v1-rc", None),
    ("ghcr.io/org/app:1@sha256:" + "0" * 64, "ghcr.io", "org/app", "1", "sha256:" + "0" * 64),
])
def test_image_references(text, registry, repository, tag, digest):
    ref = images.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)


@pytest.mark.parametrize("text", ["", "${{ env.IMAGE }}", "$IMAGE:1", "Upper/Case:1", "app:", " app:1",
                                  "app@sha256:short", "ghcr.io/org/app:bad tag"])
def test_not_image_references(text):
    assert images.parse(text) is None


def test_hosts_that_get_plain_http_are_this_machine_only():
    assert images.is_loopback("localhost:5000") and images.is_loopback("127.0.0.1:80")
    assert images.is_loopback("127.8.9.10") and images.is_loopback("[::1]:5000")
    assert not images.is_loopback("127.example.com") and not images.is_loopback("10.0.0.1:5000")
    assert images.parse("ghcr.io/org/app:1").host == "ghcr.io"
    assert images.parse("alpine:3").host == "registry-1.docker.io"


@pytest.mark.parametrize("tags, ref, best", [
    (["v4", "v4.2", "v4.2.2"], "v4", "v4.2.2"),
    (["v5", "v5.0.0", "v5.0.0-rc.1"], "v5", "v5.0.0"),
    (["v1", "v2.0.0"], "v1", "v1"),           # an unrelated release does not win over the ref
    (["latest", "v3.1.0"], "latest", "v3.1.0"),
    (["stable"], "stable", "stable"),
    (["1.2", "1.2.3"], "1.2", "1.2.3"),
])
def test_most_specific_tag(tags, ref, best):
    assert most_specific_tag(tags, ref) == best


def test_ls_remote_output_is_peeled_and_tags_win_over_branches():
    sha = {n: str(n) * 40 for n in range(1, 5)}
    refs = parse_ls_remote(f"{sha[1]}\trefs/heads/main\n{sha[2]}\trefs/tags/v1.0.0\n"
                           f"{sha[3]}\trefs/tags/v1.0.0^{{}}\n{sha[4]}\trefs/tags/main\n"
                           f"{sha[1]}\trefs/pull/1/head\n")
    assert refs.tags == {"v1.0.0": sha[3], "main": sha[4]}
    assert refs.branches == {"main": sha[1]}
    assert resolve(refs, "o/r", "v1.0.0") == (sha[3], "v1.0.0")
    assert resolve(refs, "o/r", "main") == (sha[4], "main")  # git prefers the tag
    with pytest.raises(ResolveError, match="no tag or branch named 'v2'"):
        resolve(GitRefs({}, {}), "o/r", "v2")


@pytest.mark.parametrize("comment, tag", [
    (" v4.2.2", "v4.2.2"), ("v4.2.2 # renovate: keep", "v4.2.2"), (" tag=v1.0.0", "v1.0.0"),
    (" pin@v2.1.0", "v2.1.0"), (" 0.34.2", "0.34.2"), (" v4", "v4"), (" v1.2.3-rc.1", "v1.2.3-rc.1"),
    (" main", None), ("", None), (None, None), (" see v4.2.2", None),
])
def test_version_comments(comment, tag):
    assert comment_version(comment) == tag


def test_bearer_and_basic_challenges():
    scheme, params = parse_challenge(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",'
        'scope="repository:org/app:pull"')
    assert scheme == "bearer"
    assert params == {"realm": "https://auth.example.com/token", "service": "registry.example.com",
                      "scope": "repository:org/app:pull"}
    assert parse_challenge('Basic realm="Registry Realm"') == ("basic", {"realm": "Registry Realm"})
    assert parse_challenge(None) == ("", {})


def test_a_rewrite_that_would_change_the_yaml_tree_is_refused():
    old = "a: x@v1\nb: y\n"
    fine = edits.Edit(3, 7, "x@abc", "x@abc")
    assert edits.yaml_preserved(old, edits.apply(old, [fine]), [fine])
    breaking = edits.Edit(3, 7, "x@abc\nc: d", "x@abc")
    assert not edits.yaml_preserved(old, edits.apply(old, [breaking]), [breaking])


def test_redaction_removes_credentials_in_every_shape():
    from platform_skills.pin.redact import redact, remember, remember_url

    remember_url("https://x-access-token:ghp_Remembered42@ghe.example.com")
    remember_url("https://user:p%40ss-W0rd!@ghe.example.com")
    remember("registry-Passw0rd")
    cases = {
        "cannot reach https://ghp_Remembered42@ghe.example.com/o/r": "https://***@ghe.example.com/o/r",
        "git ls-remote ssh://user:pw@host/o/r failed": "ssh://***@host/o/r",
        "Authorization: Bearer abc.def.ghi": "Authorization: ***",
        "sent Basic dXNlcjpwYXNz to it": "sent Basic *** to it",
        "GET /token?service=x&access_token=abc123&scope=y": "access_token=***&scope=y",
        "echoed ghp_Remembered42 back": "echoed *** back",
        "p@ss-W0rd! or p%40ss-W0rd%21 or p%40ss-W0rd!": "*** or *** or ***",
        "the password is registry-Passw0rd": "the password is ***",
    }
    for text, expected in cases.items():
        assert expected in redact(text), text
    # ordinary words near the shapes are left alone
    for text in ("a Bearer challenge without a realm", "the token service 127.0.0.1:5 refused (401)",
                 "Basic realm=\"Registry\""):
        assert redact(text) == text
