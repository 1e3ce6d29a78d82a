"""``make test`` names the system packages it is about to install before apt-get runs.

A stand-in ``apt-get`` on a PATH without the real tools records the calls, so nothing is
installed; the targets are the Makefile's own, run by make.
"""

import shutil
import subprocess

from support import ROOT


def _bin(tmp_path, *, apt):
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("sh", "id", "cat"):
        (folder / tool).symlink_to(shutil.which(tool))
    if apt:
        fake = folder / "apt-get"
        fake.write_text('#!/bin/sh\necho "APT-GET $*"\necho "$*" >> "$HOME/apt.log"\n')
        fake.chmod(0o755)
    return folder


def _make(tmp_path, target, folder):
    return subprocess.run([shutil.which("make"), "--no-print-directory", "-C", str(ROOT), target],
                          env={"PATH": str(folder), "HOME": str(tmp_path)}, capture_output=True,
                          text=True, timeout=60)


def test_missing_packages_are_named_before_apt_runs(tmp_path):
    folder = _bin(tmp_path, apt=True)
    for target, packages in (("registry-deps", "docker-registry skopeo apache2-utils"),
                             ("browser-deps", "chromium")):
        proc = _make(tmp_path, target, folder)
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        said = next(i for i, line in enumerate(lines) if line.startswith("make test: installing"))
        assert packages in lines[said] and "Debian or Ubuntu" in lines[said]
        assert "root or sudo" in lines[said]
        apt = [i for i, line in enumerate(lines) if line.startswith("APT-GET")]
        assert apt and min(apt) > said  # told first, installed after
        calls = (tmp_path / "apt.log").read_text().splitlines()
        assert calls[-1].endswith("install -y -qq " + packages), calls


def test_without_apt_it_stops_and_says_so(tmp_path):
    proc = _make(tmp_path, "browser-deps", _bin(tmp_path, apt=False))
    assert proc.returncode != 0
    assert "installing chromium" in proc.stdout and "no apt-get here" in proc.stderr
