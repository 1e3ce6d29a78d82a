"""Hostile input is normal input: per-file errors, exit 2, no traceback, nothing lost."""

import os

import pytest

from support import run_json, write_tree

GOOD_WITH_FINDING = """\
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""


def _bomb(levels=9, width=9):
    lines = ["on: push", "permissions: {}", "a0: &a0 {k: lol}"]
    for i in range(1, levels + 1):
        refs = ", ".join(f"k{j}: *a{i - 1}" for j in range(width))
        lines.append(f"a{i}: &a{i} {{{refs}}}")
    lines += ["jobs:", "  build:", "    runs-on: ubuntu-latest", f"    env: *a{levels}",
              f"    steps: [*a{levels}, *a{levels}]"]
    return "\n".join(lines) + "\n"


def _many_steps(count):
    steps = "".join("      - uses: actions/checkout@v4\n" for _ in range(count))
    return GOOD_WITH_FINDING.replace("      - uses: actions/checkout@v4\n", steps)


@pytest.fixture
def hostile_repo(tmp_path):
    wf = ".github/workflows/"
    write_tree(tmp_path, {
        wf + "good.yml": GOOD_WITH_FINDING,
        wf + "malformed.yml": "on: push\njobs: [unclosed\n",
        wf + "tabs.yml": "on: push\njobs:\n\tbuild:\n\t\truns-on: x\n",
        wf + "empty.yml": "",
        wf + "whitespace.yml": "\n  \n",
        wf + "list.yml": "- on: push\n- jobs: {}\n",
        wf + "deep.yml": "x: " + "[" * 60000 + "]" * 60000 + "\n",
        wf + "bomb.yml": _bomb(),
        wf + "huge.yml": _many_steps(6000),
        "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
        "chart/templates/deploy.yaml": "kind: Deployment\nimage: {{ .Values.image }}\n  x: [\n",
        "helm-values.yaml": "kind: {{ .Values.kind }}\n  bad: [\n",
        "k8s/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                        "spec:\n  containers: [{name: c, image: nginx}]\n",
        "k8s/scalar.yaml": "just a string\n",
    })
    (tmp_path / wf / "binary.yml").write_bytes(b"on: push\x00\x01\x02jobs:\n")
    (tmp_path / wf / "latin1.yml").write_bytes("on: push\nname: caf\xe9\n".encode("latin-1"))
    os.symlink(".", tmp_path / "loop")
    os.symlink("/etc/hostname", tmp_path / wf / "outside.yml")
    os.symlink("self.yml", tmp_path / wf / "self.yml")
    return tmp_path


def test_every_bad_file_is_an_error_and_good_files_still_report(hostile_repo):
    proc, data = run_json("check", ".", cwd=hostile_repo)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2
    errors = {e["path"]: e["message"] for e in data["errors"]}
    wf = ".github/workflows/"
    expected_errors = {wf + n for n in ("malformed.yml", "tabs.yml", "list.yml", "deep.yml",
                                        "binary.yml", "latin1.yml", "outside.yml", "self.yml")}
    assert set(errors) == expected_errors, errors
    assert "line 2" in errors[wf + "malformed.yml"]
    assert "UTF-8" in errors[wf + "latin1.yml"]
    assert "binary" in errors[wf + "binary.yml"]
    assert "outside the scanned tree" in errors[wf + "outside.yml"]
    assert "mapping" in errors[wf + "list.yml"]
    found = {(f["path"], f["rule"]) for f in data["findings"]}
    assert (wf + "good.yml", "PSK001") in found
    assert ("k8s/pod.yaml", "PSK301") in found
    huge = [f for f in data["findings"] if f["path"] == wf + "huge.yml"]
    assert len(huge) == 6000 and huge[-1]["line"] == 6006
    assert not any(f["path"].startswith("loop/") for f in data["findings"])


def test_error_messages_never_echo_file_contents(tmp_path):
    secret = "hunter2-secret-value"
    write_tree(tmp_path, {".github/workflows/x.yml": f"on: push\njobs: [{secret}\n  : :\n"})
    proc, data = run_json("check", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert secret not in proc.stdout and secret not in proc.stderr


def test_explicit_files_are_checked_as_given(tmp_path):
    write_tree(tmp_path, {"ci/release.yaml": GOOD_WITH_FINDING, "notes.yml": "a: 1\n"})
    proc, data = run_json("check", "ci/release.yaml", "notes.yml", cwd=tmp_path)
    assert proc.returncode == 1
    assert [(f["path"], f["rule"], f["line"]) for f in data["findings"]] == [
        ("ci/release.yaml", "PSK001", 7)]
    assert data["summary"]["files"] == 1


def test_missing_path_is_an_error_but_others_are_checked(tmp_path):
    write_tree(tmp_path, {".github/workflows/a.yml": GOOD_WITH_FINDING})
    proc, data = run_json("check", "nope.yml", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert data["errors"] == [{"path": "nope.yml", "message": "no such file or directory"}]
    assert len(data["findings"]) == 1


def test_parallel_run_matches_serial(tmp_path):
    files = {f".github/workflows/w{i}.yml": GOOD_WITH_FINDING for i in range(450)}
    files[".github/workflows/broken.yml"] = "on: [\n"
    write_tree(tmp_path, files)
    _, serial = run_json("check", ".", "--jobs", "1", cwd=tmp_path)
    _, parallel = run_json("check", ".", "--jobs", "2", cwd=tmp_path)
    assert serial == parallel
    assert serial["summary"] == {"files": 450, "findings": 450, "errors": 1}


PUSH = """\
on: push
permissions: {}
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      packages: write
    steps:
      - run: docker push ghcr.io/example-org/app:1.0
"""


def test_parallel_audit_names_the_same_evidence_as_serial(tmp_path):
    # Every workflow but the first pushes, so any of them could be a gap's evidence: the
    # audit names the first in the walk, whichever process read it (a parallel run named a
    # file of its first batch instead, which is not the first file).
    files = {f".github/workflows/w{i:03}.yml": PUSH for i in range(1, 420)}
    files[".github/workflows/w000.yml"] = GOOD_WITH_FINDING
    write_tree(tmp_path, files)
    _, serial = run_json("audit", ".", "--jobs", "1", cwd=tmp_path)
    _, parallel = run_json("audit", ".", "--jobs", "2", cwd=tmp_path)
    assert "w001.yml:" in str(serial)
    assert serial == parallel


def _big_terraform(size):
    block = ('resource "aws_s3_bucket" "b{i}" {{\n  bucket = "example-org-{i}"\n'
             '  tags   = {{ team = "platform", index = "{i}" }}\n}}\n\n')
    parts, total, i = [], 0, 0
    while total < size:
        part = block.format(i=i)
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


def test_gitops_and_terraform_bad_input_is_a_file_error(tmp_path):
    """Invalid HCL, a 512 KiB .tf, jsonencode of a non-policy, a Chart.yaml that is a list and a
    HelmRelease whose chart is a string: each a per-file error; everything else still checked."""
    import time

    write_tree(tmp_path, {
        "infra/broken.tf": 'resource "aws_ecr_repository" "x" {\n  name = \n}\n',
        "infra/unclosed.tf": 'resource "aws_ecr_repository" "x" {\n  name = "oops\n}\n',
        "infra/huge.tf": _big_terraform(512 * 1024),  # over the HCL limit, under the file cap
        "infra/policy.tf": (
            'resource "aws_iam_role" "r" {\n  name = "r"\n'
            '  assume_role_policy = jsonencode(["sts:AssumeRole"])\n}\n\n'
            'resource "aws_iam_policy" "p" {\n  policy = jsonencode("not a policy")\n}\n\n'
            'resource "aws_iam_policy" "q" {\n  policy = jsonencode({ Version = "2012-10-17" })\n}\n\n'
            'resource "aws_iam_policy" "ref" {\n  policy = jsonencode(local.policy)\n}\n\n'
            'resource "aws_ecr_repository" "app" {\n  name = "app"\n}\n'),
        "chart/Chart.yaml": "- apiVersion: v2\n- name: chart\n",
        "chart/values.yaml": "image:\n  tag: latest\n",
        "deploy/releases.yaml": (
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: a}\n"
            "spec:\n  interval: 10m\n  chart: podinfo\n---\n"
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: b}\n"
            "spec:\n  interval: 10m\n  chart:\n    spec: podinfo\n---\n"
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: c}\n"
            "spec:\n  interval: 10m\n  chart:\n    spec:\n      chart: podinfo\n      version: '*'\n"),
    })
    started = time.monotonic()
    proc, data = run_json("check", ".", cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2
    errors = {}
    for error in data["errors"]:
        errors.setdefault(error["path"], []).append(error["message"])
    assert errors["infra/broken.tf"] == ["invalid HCL at line 2, column 10: unexpected input"]
    assert errors["infra/unclosed.tf"] == [
        "invalid HCL: a string is not closed (unbalanced quote marks)"]
    assert "infra/huge.tf" not in errors  # over the size limit: skipped with its reason
    assert {"path": "infra/huge.tf", "reason": (
        "Terraform file larger than 256 KiB, not parsed: the HCL parser slows down sharply on "
        "large files (split it, or exclude it)")} in data["skipped"]
    assert errors["infra/policy.tf"] == [
        "line 3: aws_iam_role.r.assume_role_policy is a list, not an IAM policy document "
        "(a JSON object with a Statement)",
        "line 7: aws_iam_policy.p.policy is a string, not an IAM policy document "
        "(a JSON object with a Statement)",
        "line 11: aws_iam_policy.q.policy is an object without a Statement, not an IAM policy "
        "document (a JSON object with a Statement)"]
    assert errors["chart/Chart.yaml"] == [
        "a Chart.yaml must be a mapping at the top level, found a sequence at line 1"]
    assert errors["deploy/releases.yaml"] == [
        "line 6: HelmRelease spec.chart must be a mapping (chart.spec.chart, chart.spec.version), "
        "found a string",
        "line 14: HelmRelease spec.chart.spec must be a mapping, found a string"]
    found = {(f["path"], f["rule"], f["line"]) for f in data["findings"]}
    assert found == {("infra/policy.tf", "PSK704", 18), ("chart/values.yaml", "PSK602", 2),
                     ("deploy/releases.yaml", "PSK504", 24)}
    assert elapsed < 20, f"the 512 KiB file must be refused quickly, took {elapsed:.1f}s"


def test_thousands_of_fork_checkouts_stay_linear(tmp_path):
    """PSK010 looks for what runs each checkout once per job and directory, not per checkout."""
    import time

    checkout = ("      - uses: actions/checkout@v4\n        with:\n          path: pr{i}\n"
                "          ref: ${{{{ github.event.pull_request.head.sha }}}}\n"
                "      - run: ./base/report.sh {i}\n")
    steps = "".join(checkout.format(i=i) for i in range(3000))
    write_tree(tmp_path, {".github/workflows/many.yml": (
        "on: pull_request_target\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    steps:\n" + steps + "      - run: make -C pr0 test\n")})
    started = time.perf_counter()
    proc, data = run_json("check", ".", "--no-config", "--select", "PSK010", cwd=tmp_path)
    assert time.perf_counter() - started < 30
    assert data["errors"] == []
    assert [f["line"] for f in data["findings"]] == [10]  # only pr0 is run, by the last step


def test_bad_dockerfiles_are_per_file_errors(tmp_path):
    """BuildKit's parser refuses these; each is an error for that file alone."""
    pinned = "FROM alpine:3.20@sha256:" + "0" * 64 + "\n"
    write_tree(tmp_path, {
        "long/Dockerfile": "FROM alpine:3.20\nRUN echo " + "x" * 1_000_000 + "\n",
        "heredoc/Dockerfile": "FROM alpine:3.20\nRUN <<EOF\necho never closed\n",
        "nofrom/Dockerfile": "FROM\nRUN true\n",
        "before/Containerfile": "RUN true\n" + pinned,
        "junk/Dockerfile": pinned + "\x01\x02 junk\n",
        "templated/Dockerfile.j2": "FROM {{ base }}\n{% if debug %}\nRUN true\n{% endif %}\n",
        "notes/Dockerfile.md": "# not a Dockerfile\n",
        "good/Dockerfile": pinned + "RUN curl -fsSL https://example.com/i.sh | sh\nUSER 10001\n",
    })
    (tmp_path / "binary").mkdir()
    (tmp_path / "binary" / "Dockerfile").write_bytes(b"FROM alpine\x00\x01\x02\n")
    proc, data = run_json("check", ".", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2
    errors = {e["path"]: e["message"] for e in data["errors"]}
    assert set(errors) == {"long/Dockerfile", "heredoc/Dockerfile", "nofrom/Dockerfile",
                           "before/Containerfile", "junk/Dockerfile", "binary/Dockerfile"}, errors
    assert "max allowed size" in errors["long/Dockerfile"]
    assert "unterminated heredoc" in errors["heredoc/Dockerfile"]
    assert "FROM without an image at line 1" in errors["nofrom/Dockerfile"]
    assert "RUN before the first FROM" in errors["before/Containerfile"]
    assert "unknown instruction at line 2" in errors["junk/Dockerfile"]
    assert "binary" in errors["binary/Dockerfile"]
    assert "x" * 100 not in proc.stdout
    assert [s["path"] for s in data["skipped"]] == ["templated/Dockerfile.j2"]
    assert [(f["path"], f["rule"], f["line"]) for f in data["findings"]] == [
        ("good/Dockerfile", "PSK405", 2)]
    assert data["summary"]["files"] == 1


def test_a_run_without_dockerfiles_never_imports_the_parser(tmp_path):
    import subprocess
    import sys

    write_tree(tmp_path, {".github/workflows/ci.yml": GOOD_WITH_FINDING})
    code = ("import sys; from platform_skills.cli import main; main(['check', '.', '--format', 'json']);"
            "print('dockerfile' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.strip().splitlines()[-1] == "False", proc.stdout + proc.stderr


def test_pipes_sockets_and_devices_are_skipped_never_opened(tmp_path):
    """A named pipe called like a workflow or a Dockerfile would block a reader forever."""
    import socket
    import subprocess
    import sys

    write_tree(tmp_path, {".github/workflows/good.yml": GOOD_WITH_FINDING})
    wf = tmp_path / ".github" / "workflows"
    os.mkfifo(wf / "pipe.yml")
    os.mkfifo(tmp_path / "Dockerfile")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(wf / "sock.yml"))
    try:
        for command in (["check", ".", "/dev/null"], ["audit", "."]):
            proc, data = run_json(*command, cwd=tmp_path)  # run_cli's own timeout bounds a hang
            assert "Traceback" not in proc.stderr
            skipped = {s["path"]: s["reason"] for s in data.get("skipped", [])}
            if command[0] == "check":
                assert proc.returncode == 1 and data["errors"] == []
                assert skipped == {
                    ".github/workflows/pipe.yml": "a named pipe, not a regular file; not read",
                    ".github/workflows/sock.yml": "a socket, not a regular file; not read",
                    "Dockerfile": "a named pipe, not a regular file; not read",
                    os.path.relpath("/dev/null", tmp_path):  # paths are shown relative
                        "a character device, not a regular file; not read"}
                assert [f["path"] for f in data["findings"]] == [".github/workflows/good.yml"]
        exe = os.path.join(os.path.dirname(sys.executable), "platform-skills")
        pin = subprocess.run([exe, "pin", "--diff", "--github-url", "file:///nonexistent"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=60)
        notes = [line for line in pin.stderr.splitlines() if ": note: " in line]
        assert sorted(notes) == [
            ".github/workflows/pipe.yml: note: a named pipe, not a regular file; not read",
            ".github/workflows/sock.yml: note: a socket, not a regular file; not read",
            "Dockerfile: note: a named pipe, not a regular file; not read"]
    finally:
        server.close()


def test_overlapping_paths_are_checked_once(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "FROM alpine:3.20\n",
                          ".github/workflows/a.yml": GOOD_WITH_FINDING})
    _, once = run_json("check", ".", cwd=tmp_path)
    _, overlapping = run_json("check", "./Dockerfile", "Dockerfile", ".", ".github",
                              ".github/workflows/a.yml", cwd=tmp_path)
    assert overlapping["summary"] == once["summary"] == {"files": 2, "findings": 3, "errors": 0}
    assert len(overlapping["findings"]) == len({(f["path"], f["rule"], f["line"])
                                                for f in overlapping["findings"]})


def test_control_characters_in_paths_are_escaped_in_text_output(tmp_path):
    from support import run_cli

    name = "evil\x1b[2J\rinjected: error\u202e.yml"
    write_tree(tmp_path, {f".github/workflows/{name}": GOOD_WITH_FINDING,
                          ".github/workflows/bad\nname.yml": "on: [\n"})
    for fmt in ("text", "concise"):
        proc = run_cli("check", ".", "--format", fmt, cwd=tmp_path)
        assert proc.returncode == 2
        assert "\x1b" not in proc.stdout and "\r" not in proc.stdout and "\u202e" not in proc.stdout
        assert ".github/workflows/evil\\x1b[2J\\x0dinjected: error\\u202e.yml:7:" in proc.stdout
        assert ".github/workflows/bad\\x0aname.yml: error: " in proc.stdout
    _, data = run_json("check", ".", cwd=tmp_path)  # JSON keeps the real name
    assert data["findings"][0]["path"] == f".github/workflows/{name}"


def test_duplicate_keys_are_read_as_the_consuming_tool_reads_them(tmp_path):
    """GitHub rejects a workflow with duplicate keys (an error of the file, still checked with
    the last value); in a Kubernetes manifest the last key wins, at every depth alike."""
    digest = "nginx:1.27@sha256:" + "a" * 64
    write_tree(tmp_path, {
        ".github/workflows/dup.yml": (
            "on: push\npermissions: {}\npermissions: write-all\njobs:\n  a:\n    runs-on: x\n"
            "    steps:\n      - uses: actions/checkout@" + "b" * 40 + "  # v4\n"
            "        uses: actions/checkout@v4\n"),
        "k8s/last-unpinned.yaml": (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
            f"    - name: c\n      image: {digest}\n      image: nginx:latest\n"),
        "k8s/last-pinned.yaml": (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
            f"    - name: c\n      image: nginx:latest\n      image: {digest}\n"),
    })
    proc, data = run_json("check", ".", "--select", "PSK001,PSK019,PSK301", cwd=tmp_path)
    assert proc.returncode == 2
    assert [(e["path"], e["message"]) for e in data["errors"]] == [
        (".github/workflows/dup.yml", "line 3: duplicate key 'permissions' (first at line 2): "
         "GitHub rejects a workflow or action with duplicate keys; the checks read the last one"),
        (".github/workflows/dup.yml", "line 9: duplicate key 'uses' (first at line 8): "
         "GitHub rejects a workflow or action with duplicate keys; the checks read the last one")]
    found = {(f["path"], f["rule"], f["line"]) for f in data["findings"]}
    assert (".github/workflows/dup.yml", "PSK001", 9) in found  # the last `uses:` is read
    assert ("k8s/last-unpinned.yaml", "PSK301", 8) in found
    assert not any(path == "k8s/last-pinned.yaml" for path, _, _ in found)


def _workflow_of_size(size):
    """A workflow whose every job trips several rules: the slow case for its size."""
    head = "on: pull_request_target\njobs:\n"
    job = ("  j{i}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
           "      - run: echo \"${{{{ github.event.pull_request.title }}}}\"\n"
           "      - uses: docker/build-push-action@v6\n        with: {{push: true}}\n")
    parts, total, i = [head], len(head), 0
    while True:
        part = job.format(i=i)
        if total + len(part) > size:
            break
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


def test_the_size_cap_skips_what_would_be_slow_and_checks_what_is_not(tmp_path):
    """Just under the cap: checked in about 2 s and well under 300 MB; just over: skipped
    with its reason, not read."""
    import subprocess
    import sys
    import time

    from platform_skills.loader import MAX_BYTES

    under = _workflow_of_size(MAX_BYTES)
    assert MAX_BYTES - 200 < len(under.encode()) <= MAX_BYTES
    write_tree(tmp_path, {"under/.github/workflows/big.yml": under,
                          "over/.github/workflows/big.yml": under + "#" * 200 + "\n"})
    exe = os.path.join(os.path.dirname(sys.executable), "platform-skills")
    measure = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "print(p.returncode, time.perf_counter() - t, "
               "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    proc = subprocess.run([sys.executable, "-c", measure, exe, "check", "under", "--no-config",
                           "--format", "json"], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    code, seconds, peak_kib = proc.stdout.split()
    assert code == "1"
    assert int(peak_kib) < 300 * 1024, f"{int(peak_kib) // 1024} MB"
    assert float(seconds) < 6, f"{float(seconds):.1f}s"  # ~1.5 s measured; room for a busy CI
    started = time.perf_counter()
    proc, data = run_json("check", "over", "--no-config", cwd=tmp_path)
    assert time.perf_counter() - started < 3
    assert proc.returncode == 0 and data["findings"] == [] and data["summary"]["files"] == 0
    assert data["skipped"] == [{"path": "over/.github/workflows/big.yml",
                                "reason": "larger than 1 MiB; not read (generated files this "
                                          "size are slow to check: exclude them, or split them)"}]
