"""Test helpers: the annotated corpus, scratch repositories, real CLI runs."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
SNAPSHOT = "expected-{id}.txt"  # a rule's text-output snapshot beside its fixtures
_NOT_FIXTURES = re.compile(r"^(expected-psk\d{3}\.txt|RULES|README\.md)$")
_EXPECT = re.compile(r"#.*?\bexpect(?:([+-]\d+))?:\s*((?:PSK\d{3}[, ]*)+)")


def expected_findings(tree):
    """``{(relative path, rule, line)}`` from ``# expect[+N|-N]: ID[, ID]`` markers in ``tree``."""
    expected = set()
    for path in sorted(p for p in tree.rglob("*") if p.is_file() and not _NOT_FIXTURES.match(p.name)):
        rel = path.relative_to(tree).as_posix()
        for number, text in enumerate(path.read_text().splitlines(), 1):
            for match in _EXPECT.finditer(text):
                line = number + int(match.group(1) or 0)
                for rule_id in match.group(2).replace(",", " ").split():
                    expected.add((rel, rule_id, line))
    return expected


def run_cli(*args, cwd=None, env=None):
    """Run the installed console script for real; returns CompletedProcess."""
    exe = Path(sys.executable).with_name("platform-skills")
    return subprocess.run([str(exe), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def run_main(*args, cwd=None):
    """The CLI's ``main`` in this process (no interpreter start-up), from ``cwd``: for tests
    about the engine's answers rather than the console script. Returns CompletedProcess."""
    import contextlib
    import io
    import os

    from platform_skills.cli import main

    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    os.chdir(cwd or before)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in args])
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(["platform-skills", *args], code, out.getvalue(), err.getvalue())


def run_json(*args, cwd=None, in_process=False):
    proc = (run_main if in_process else run_cli)(*args, "--format", "json", cwd=cwd)
    try:
        return proc, json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"not JSON (rc={proc.returncode}): {proc.stdout!r} {proc.stderr!r}") from exc


def example_tree(rule, text):
    """``{relative path: text}`` of a rule's example (``text``: its bad or good one) as a
    repository holds it, with the files it needs beside it."""
    if rule.example_name:
        name = rule.example_name
    elif "manifest" in rule.targets or "apiVersion:" in text:
        name = "example.yaml"
    else:
        name = ".github/workflows/example.yml"
    return {**rule.example_files, name: text}


def write_tree(root, files):
    """Create ``{relative path: text}`` under ``root``."""
    for rel, text in files.items():
        path = Path(root) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Path(root)
