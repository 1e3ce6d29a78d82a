"""Fixtures shared by the tests in this folder (helpers live in support.py)."""

import pytest


@pytest.fixture(autouse=True)
def _no_color(monkeypatch):
    """CLI output in assertions is plain text, whatever the developer's terminal says."""
    monkeypatch.setenv("NO_COLOR", "1")
