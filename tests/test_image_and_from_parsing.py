"""One parser for image references and one for ``FROM`` lines, shared by the rules and pin:
where the two used to disagree, the case decided here holds for both."""

import pytest

from platform_skills.loader import document
from platform_skills.pin.command import load
from platform_skills.pin.references import dockerfile_references
from platform_skills.readers.dockerfile import DockerfileView
from platform_skills.readers.image_refs import parse, split
from platform_skills.readers.patterns import split_image
from platform_skills.rules.containers.base_images import base_image_latest_or_untagged, base_image_not_digest

SHA256 = "sha256:" + "a" * 64
SHA512 = "sha512:" + "b" * 128


@pytest.mark.parametrize("text, tag, pinned", [
    ("alpine", None, False),
    ("alpine:3.20", "3.20", False),
    ("localhost:5000/app", None, False),          # a registry port is not a tag
    ("registry.example:5000/team/app:v1", "v1", False),
    ("ghcr.io/org/app:1@" + SHA256, "1", True),
    ("ghcr.io/org/app@" + SHA512, None, True),     # decided: sha512 is a digest (OCI registers it)
    ("ghcr.io/org/app:1@sha256:" + "a" * 63, "1", False),  # decided: a short digest pins nothing
    ("ghcr.io/org/app:1@md5:" + "c" * 32, "1", False),     # decided: only sha256 and sha512
])
def test_rules_and_pin_read_the_same_tag_and_digest(text, tag, pinned):
    assert split_image(text) == (tag, pinned)
    ref = parse(text)
    if pinned or "@" not in text:
        assert (ref.tag, ref.digest is not None) == (tag, pinned)
    else:
        assert ref is None  # pin leaves a reference it cannot read alone, with a note


def test_a_reference_built_from_variables_still_splits_for_the_rules():
    ref = split("${REGISTRY}/app:${TAG}")
    assert (ref.repository, ref.tag) == ("${REGISTRY}/app", "${TAG}")  # no dot: not a host
    assert parse("${REGISTRY}/app:${TAG}") is None


def _dockerfile(text):
    doc, problem = document("Dockerfile", text)
    assert problem is None
    return doc


def test_from_an_arg_naming_an_earlier_stage_is_a_stage_for_pin_and_the_rules():
    # decided: the reader resolves ARG defaults, so pin now passes this FROM as the rules do
    # (it used to note it as an image built from an ARG)
    text = ("ARG BASE=build\nFROM golang:1.23@" + SHA256 + " AS build\n"
            "FROM ${BASE} AS test\nFROM ${OTHER}\n")
    doc = _dockerfile(text)
    view = DockerfileView(doc)
    assert [s.parent is not None for s in view.stages] == [False, True, False]
    refs = dockerfile_references(doc)
    assert [(r.line, r.value, r.note is not None) for r in refs] == [
        (2, "golang:1.23@" + SHA256, False), (4, "${OTHER}", True)]
    assert [line for line, _ in base_image_not_digest.check(view)] == [4]
    assert list(base_image_latest_or_untagged.check(view)) == []


def test_sha512_base_images_are_pinned_for_both():
    doc = _dockerfile(f"FROM python:3.13@{SHA512}\nFROM python:3.13@md5:{'c' * 32}\n")
    refs = dockerfile_references(doc)
    assert [r.pinned for r in refs] == [True, False]
    assert "not an image reference pin understands" in refs[1].note
    assert [line for line, _ in base_image_not_digest.check(DockerfileView(doc))] == [2]


def test_pin_refuses_the_dockerfiles_check_refuses(tmp_path):
    # decided: pin parses Dockerfiles with check's parser, so a file BuildKit would refuse is an
    # error in both (pin used to read only its FROM lines and go on)
    bad = "FROM alpine:3.20\nFROB something\n"
    (tmp_path / "Dockerfile").write_text(bad)
    _, problem = document("Dockerfile", bad)
    _, problems, _, _ = load([str(tmp_path)])
    assert [p.message for p in problems] == [problem.message]
    assert "unknown instruction 'FROB' at line 2" in problem.message
