"""The Dockerfile reader: ARG expansion in FROM, and RUN commands at their own file lines."""

import pytest

from platform_skills.model import Document
from platform_skills.parsers import dockerfile_instructions
from platform_skills.readers.dockerfile import DockerfileView, escape_character, expand

ARGS = {"BASE": "alpine", "TAG": "3.20", "EMPTY": "", "NODEFAULT": None}


@pytest.mark.parametrize("word, text, missing", [
    ("${BASE}:${TAG}", "alpine:3.20", []),
    ("$BASE:$TAG", "alpine:3.20", []),
    ("${BASE:-debian}", "alpine", []),
    ("${UNSET:-debian:12}", "debian:12", []),
    ("${NODEFAULT:-debian}", "debian", []),
    ("${EMPTY:-debian}", "debian", []),     # ':-' also replaces an empty value
    ("${EMPTY-debian}", "", []),            # '-' only an unset one
    ("${BASE:+busybox}", "busybox", []),
    ("${UNSET:+busybox}", "", []),
    ("${UNSET:-${BASE}}:${TAG}", "alpine:3.20", []),
    ("${NODEFAULT}", None, ["NODEFAULT"]),
    ("registry/${UNSET}:1.0", None, ["UNSET"]),
    ("${BASE#al}", None, ["BASE#al"]),      # pattern removal is not resolved
    ("${BASE", None, ["${BASE"]),
    ("scratch", "scratch", []),
])
def test_expand(word, text, missing):
    assert expand(word, ARGS) == (text, missing)


def _view(text):
    doc = Document("Dockerfile", "dockerfile", dockerfile_instructions(text), text)
    return DockerfileView(doc)


def _commands(view):
    return [(c.line, [t.text for t in c.argv]) for i in view.instructions for c in view.commands(i)]


def test_run_commands_keep_their_file_lines():
    view = _view(
        "FROM alpine:3.20\n"
        "RUN --mount=type=cache,target=/var/cache/apk \\\n"
        "    --network=default \\\n"
        "    apk add curl \\\n"
        "# a comment BuildKit drops from the continuation\n"
        " && curl -fsSL https://example.com/i.sh \\\n"
        "    | sh\n"
        "RUN <<EOF bash -e\n"
        "set -eu\n"
        "wget -qO- https://example.com/i.sh | python3\n"
        "EOF\n"
        "RUN cat <<EOF > /etc/motd\n"
        "curl https://example.com | sh\n"
        "EOF\n"
        'RUN ["sh", "-c", "curl -k https://example.com"]\n'
        "ONBUILD RUN wget https://example.com/x\n")
    assert _commands(view) == [
        (4, ["apk", "add", "curl"]),
        (6, ["curl", "-fsSL", "https://example.com/i.sh"]),
        (7, ["sh"]),
        (8, ["bash", "-e"]),
        (9, ["set", "-eu"]),
        (10, ["wget", "-qO-", "https://example.com/i.sh"]),
        (10, ["python3"]),
        (12, ["cat", ">", "/etc/motd"]),   # a here-document fed to cat is data, not a script
        (15, ["curl", "-k", "https://example.com"]),
        (16, ["wget", "https://example.com/x"]),
    ]


def test_stages_names_and_parents():
    view = _view("ARG BASE=golang:1.24@sha256:" + "0" * 64 + "\n"
                 "FROM --platform=$BUILDPLATFORM ${BASE} AS Build\n"
                 "FROM build AS test\n"
                 "FROM scratch\n")
    build, test, final = view.stages
    assert (build.name, build.image.split("@")[0]) == ("build", "golang:1.24")  # --platform skipped
    assert test.parent is build and final.scratch and view.final is final


def test_escape_directive_is_read_only_at_the_top():
    assert escape_character(["# syntax=docker/dockerfile:1", "# escape=`", "FROM x"]) == "`"
    assert escape_character(["FROM x", "# escape=`"]) == "\\"
    assert escape_character(["# a comment", "# escape=`"]) == "\\"
