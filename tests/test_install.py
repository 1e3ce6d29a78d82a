"""Installing the project as a user and the GitHub Action do: from a plain checkout, not editable.

The Action installs from ``requirements/action.lock`` with ``--require-hashes``; the lock is
checked here offline, and its install step is then run for real (it reaches the package
registry) into a fresh virtualenv built from a clean copy of the checkout.
"""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from support import ROOT, write_tree

LOCK = ROOT / "requirements" / "action.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)\s*\\?$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}\s*\\?$")
BAD = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
       "      - uses: actions/checkout@v4\n")


def locked():
    """``{name: (version, [hashes])}`` from the lock; each requirement with its hash lines."""
    pins, current = {}, None
    for raw in LOCK.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if HASH.match(line):
            assert current, f"hash without a requirement: {raw}"
            pins[current][1].append(line)
            continue
        match = PIN.match(line)
        assert match, f"not a name==version pin: {raw}"
        current = canonicalize_name(match.group(1))
        pins[current] = (match.group(2), [])
    return pins


def _install_step():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = [s for s in action["runs"]["steps"] if "pip" in s.get("run", "")]
    assert len(steps) == 1, "one step installs the action"
    return steps[0]["run"]


def test_lock_pins_every_dependency_with_hashes():
    pins = locked()
    assert pins and all(hashes for _, hashes in pins.values()), "every pin carries a hash"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    needed = [Requirement(r) for r in project["project"]["dependencies"]]
    needed += [Requirement(r) for r in project["build-system"]["requires"]]
    for requirement in needed:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} (pyproject.toml) is not in the lock: run make lock"
        assert requirement.specifier.contains(pins[name][0]), \
            f"locked {name}=={pins[name][0]} does not satisfy {requirement}: run make lock"
    assert "pip-tools" in str(project["project"]["optional-dependencies"]["dev"])


def test_action_installs_only_from_the_lock():
    script = _install_step()
    installs = [line for line in script.replace("\\\n", " ").splitlines() if " install " in line]
    assert len(installs) == 2
    deps, own = installs
    assert "--require-hashes" in deps and "requirements/action.lock" in deps
    assert "--only-binary :all:" in deps  # an sdist would build with unhashed tools
    assert all(flag in own for flag in ("--no-deps", "--no-build-isolation", "--no-index"))


def test_make_run_needs_only_the_runtime_and_site_dependencies():
    plan = subprocess.run(["make", "-n", "-B", "run"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60).stdout
    # The site checks .tf examples: the HCL parser comes with the runtime dependencies.
    assert "-e '.[docs]'" in plan and ".[dev]" not in plan
    lock = subprocess.run(["make", "-n", "-B", "lock"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60).stdout
    assert "pip-compile" in lock and "--generate-hashes" in lock and "requirements/action.lock" in lock


def _clean_copy(dest):
    """The checkout's tracked files, as a fresh clone has them (no venv, no build output)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if listed.returncode:
        pytest.skip("not a git checkout")
    for rel in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    return dest


def test_the_actions_install_step_gives_a_working_cli(tmp_path):
    """``pip install`` of a clean checkout (not editable) into a new virtualenv, the way
    ``action.yml`` does it: the CLI, the Checkov directory and the hook entry points work."""
    source = _clean_copy(tmp_path / "checkout")
    runner = tmp_path / "runner"
    runner.mkdir()
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path),
           "ACTION_PATH": str(source), "RUNNER_TEMP": str(runner),
           "PYTHON": sys.executable}  # what the setup-python step's python-path output gives
    env.update({k: v for k, v in os.environ.items() if k.startswith(("PIP_", "SSL_", "REQUESTS_"))})
    step = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _install_step()],
                          env=env, capture_output=True, text=True, timeout=300)
    assert step.returncode == 0, step.stdout + step.stderr
    bin_dir = runner / "platform-skills" / "bin"
    venv_cfg = (runner / "platform-skills" / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in venv_cfg
    installed = subprocess.run([str(bin_dir / "pip"), "list", "--format", "freeze"],
                               capture_output=True, text=True, env=env).stdout
    names = {canonicalize_name(line.split("==")[0]) for line in installed.split()}
    assert names - {"pip"} == set(locked()) | {"platform-skills"}
    assert "-e " not in installed and "checkout" not in installed  # a real install, not editable

    repo = write_tree(tmp_path / "repo", {".github/workflows/ci.yml": BAD})
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1"}
    check = subprocess.run([str(bin_dir / "platform-skills"), "check", "."], cwd=repo, env=clean,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 1, check.stdout + check.stderr
    assert ".github/workflows/ci.yml:6: PSK001 unpinned-action" in check.stdout
    checks_dir = Path(subprocess.run([str(bin_dir / "platform-skills"), "checkov-dir"], env=clean,
                                     capture_output=True, text=True).stdout.strip())
    assert (checks_dir / "adapters.py").is_file() and (checks_dir / "__init__.py").is_file()
    assert str(checks_dir).startswith(str(runner)) and "site-packages" in str(checks_dir)
    # The hook entry points: the Checkov one needs the checkov extra, and says so
    hook = subprocess.run([str(bin_dir / "platform-skills-checkov")], cwd=repo, env=clean,
                          capture_output=True, text=True)
    assert hook.returncode == 2 and "checkov is not installed" in hook.stderr
    rule = subprocess.run([str(bin_dir / "platform-skills"), "rule", "PSK001"], env=clean,
                          capture_output=True, text=True)
    assert rule.returncode == 0 and rule.stdout.startswith("PSK001 unpinned-action")
