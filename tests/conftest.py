"""Fixtures shared by the tests in this folder (helpers live in support.py)."""

import re

import pytest

from support import ROOT


@pytest.fixture(autouse=True)
def _no_color(monkeypatch):
    """CLI output in assertions is plain text, whatever the developer's terminal says."""
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory):
    """The working tree as a hook repository tagged with the README's rev, and one store."""
    from hook_repo import HookRepo

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rev = re.search(r"^\s*rev:\s*(v\d+\.\d+\.\d+)", readme, re.M)
    return HookRepo(tmp_path_factory.mktemp("hooks"), rev.group(1) if rev else "v0.0.0")
