"""The handbook site, built for real once per test session.

``built_site`` runs ``mkdocs build --strict`` (the venv's MkDocs, through the interpreter
running the tests) into a temporary directory, so the tests see exactly what ``make site``
publishes and never touch ``site/`` in the working tree.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
REFERENCES = ROOT / "references"
MKDOCS_YML = ROOT / "mkdocs.yml"

_TAG = re.compile(r"<[^>]+>")
_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")


@dataclass
class BuiltSite:
    path: Path
    output: str

    def page(self, url: str) -> Path:
        """The HTML file for a site URL such as ``rules/`` or ``references/kyverno/``."""
        target = self.path / url
        return target / "index.html" if url.endswith("/") or not url else target

    def html(self, url: str) -> str:
        return self.page(url).read_text(encoding="utf-8")

    def text(self, url: str) -> str:
        """The page's text: tags stripped, entities unescaped (what a reader sees)."""
        return html.unescape(_TAG.sub("", self.html(url)))

    def ids(self, url: str) -> set[str]:
        return set(_ID.findall(self.html(url)))


def build_site(out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict",
         "--config-file", str(MKDOCS_YML), "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=600,
    )


@pytest.fixture(scope="session")
def site_build(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("site")
    return build_site(out), out


@pytest.fixture(scope="session")
def built_site(site_build) -> BuiltSite:
    proc, out = site_build
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed (exit {proc.returncode}):\n"
                    f"{proc.stdout}\n{proc.stderr}", pytrace=False)
    return BuiltSite(out, proc.stdout + proc.stderr)


def reference_files() -> list[Path]:
    return sorted(REFERENCES.glob("*.md"))
