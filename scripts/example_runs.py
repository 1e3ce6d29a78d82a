"""The real CLI, run while the site builds, on every example the site shows a result for.

Each rule's bad example is checked by ``platform-skills check``; its rule page highlights the
lines the CLI reported and prints the CLI's own text output. The home and audit pages show
the same for a demo release workflow. Nothing on those pages is typed by hand, so the site
cannot drift from what the checks report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from platform_skills.registry import all_rules


def _cli_command() -> list[str]:
    script = Path(sys.executable).with_name("platform-skills")
    if script.exists():
        return [str(script)]
    found = shutil.which("platform-skills")
    if found:
        return [found]
    return [sys.executable, "-c",
            "import sys; from platform_skills.cli import main; sys.exit(main())"]


def run_cli(files: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Write ``files`` (relative path -> text) to a temporary tree and run the CLI there.

    ``--no-config`` keeps any settings file above the temporary directory out of the run.
    Exit statuses 0 and 1 are results; anything else means the run itself failed.
    """
    with tempfile.TemporaryDirectory(prefix="psk-site-") as tmp:
        for rel, text in files.items():
            target = Path(tmp, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        command, *rest = args
        proc = subprocess.run(
            _cli_command() + [command, "--no-config", *rest],
            cwd=tmp, capture_output=True, text=True, timeout=120,
            env={**os.environ, "NO_COLOR": "1"},
        )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"platform-skills {' '.join(args)} failed (exit {proc.returncode}): "
                           f"{(proc.stderr or proc.stdout).strip()[:2000]}")
    return proc


def example_name(rule) -> str:
    """The file name a rule's bad example is checked under (``Dockerfile``, ``main.tf``, ...)."""
    return getattr(rule, "example_name", None) or f"{rule.anchor}-bad.yml"


def good_example_name(rule) -> str:
    custom = getattr(rule, "example_name", None)
    return custom or f"{rule.anchor}-good.yml"


def example_text(rule) -> tuple[str, int]:
    """A bad example as shown, and how many leading blank lines were dropped to show it.

    Pygments drops leading blank lines, so highlighted line numbers shift by that count.
    """
    lines = rule.bad.split("\n")
    dropped = 0
    while dropped < len(lines) and not lines[dropped].strip():
        dropped += 1
    return "\n".join(lines[dropped:]), dropped


@lru_cache(maxsize=1)
def example_findings() -> dict[str, list[dict]]:
    """``{rule id: [finding, ...]}``: what ``platform-skills check`` reports on each bad example.

    All examples are checked in one run through the CLI's JSON output (a public contract),
    each in a folder named for its rule so that two examples may share a file name.
    """
    rules = {r.anchor: r for r in all_rules() if r.bad and r.scope != "repository"}
    if not rules:
        return {}
    files = {f"{anchor}/{name}": text for anchor, r in rules.items()
             for name, text in {**r.example_files, example_name(r): r.bad}.items()}
    report = json.loads(run_cli(files, "check", "--format", "json", ".").stdout)
    if report.get("errors"):
        raise RuntimeError(f"rule examples could not be checked: {report['errors']}")
    found: dict[str, list[dict]] = {r.id: [] for r in rules.values()}
    for finding in report.get("findings", []):
        folder = Path(finding["path"]).parts[0]
        if folder in rules:
            found[rules[folder].id].append(finding)
    return found


def flagged_lines(rule) -> list[int]:
    """The lines of the shown bad example that the CLI reports for ``rule`` itself."""
    own = sorted({f["line"] for f in example_findings().get(rule.id, []) if f["rule"] == rule.id})
    if not own:
        raise RuntimeError(f"{rule.id}: its bad example raises no {rule.id} finding")
    shown, dropped = example_text(rule)
    count = len(shown.rstrip("\n").split("\n"))
    return [line - dropped for line in own if 0 < line - dropped <= count]


@dataclass(frozen=True)
class Transcript:
    """One CLI run as a reader would type it and see it."""

    command: str
    output: str
    status: int

    def console(self) -> str:
        """``$ command``, the output and the exit status, for a ``console`` code block.

        The status is bracketed: the console lexer would take ``(exit status 1)`` at the start
        of a line for a virtualenv prompt.
        """
        body = self.output.rstrip()
        lines = [f"$ {self.command}", *([body] if body else []), f"[exit status {self.status}]"]
        return "\n".join(lines)


def _check_example(rule) -> Transcript:
    name = example_name(rule)
    proc = run_cli({**rule.example_files, name: rule.bad}, "check", name)
    return Transcript(f"platform-skills check {name}", proc.stdout, proc.returncode)


@lru_cache(maxsize=1)
def example_transcripts() -> dict[str, Transcript]:
    """``{rule id: transcript}``: the text output of ``check`` on each bad example alone.

    One process per example (so each output is exactly what a user would see for that file),
    run a few at a time: the site build waits on them.
    """
    rules = [r for r in all_rules() if r.bad and r.scope == "file"]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return dict(zip([r.id for r in rules], pool.map(_check_example, rules), strict=True))


# A release workflow with the mistakes the checks exist for: an action pinned to a tag, a
# CVE scan that only stops CRITICAL, and a signature on a mutable tag.
DEMO_PATH = ".github/workflows/release.yml"
DEMO_WORKFLOW = """\
name: release
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: sigstore/cosign-installer@d7d6bc7722e3daa8354c50bcb52f4837da5e9b6a # v3.8.1
      - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - id: build
        uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0
        with:
          push: true
          tags: ghcr.io/example-org/app:${{ github.sha }}
      - uses: aquasecurity/trivy-action@6c175e9c4083a92bbca2f9724c8a5e33bc2d97a5 # v0.30.0
        with:
          image-ref: ghcr.io/example-org/app:${{ github.sha }}
          exit-code: "1"
          severity: CRITICAL
      - run: cosign sign --yes ghcr.io/example-org/app:${{ github.sha }}
"""


@cache
def demo_transcript(command: str) -> Transcript:
    """The real text output of ``platform-skills <command>`` on the demo workflow."""
    target = DEMO_PATH if command == "check" else "."
    proc = run_cli({DEMO_PATH: DEMO_WORKFLOW}, command, target)
    return Transcript(f"platform-skills {command} {target}", proc.stdout, proc.returncode)
