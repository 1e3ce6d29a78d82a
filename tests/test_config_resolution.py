"""Configuration is found from each path checked, not from the current directory."""

import pytest

from support import run_cli, run_json, write_tree

# PSK004 (medium) at line 3, PSK001 (medium) at line 6
WORKFLOW = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n")
# A restricted-profile Pod whose only finding is PSK301 (medium) at line 8
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
       "    - name: web\n      image: nginx:latest\n"
       "      resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}\n"
       "      securityContext:\n        allowPrivilegeEscalation: false\n"
       "        readOnlyRootFilesystem: true\n        capabilities: {drop: [ALL]}\n"
       "  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n")


def _repo(root, files):
    write_tree(root, files)
    (root / ".git").mkdir()
    return root


def _found(data):
    return sorted((f["path"], f["rule"]) for f in data["findings"])


@pytest.fixture
def consumer(tmp_path):
    """A repository in a folder below the directory the command runs from."""
    _repo(tmp_path / "consumer", {
        ".platform-skills.yaml": "ignore: [PSK004]\nexclude: [./k8s/*]\n",
        ".github/workflows/ci.yml": WORKFLOW,
        "k8s/pod.yaml": POD,
        "deploy/pod.yaml": POD,
    })
    return tmp_path


def test_configuration_is_found_from_the_path_not_the_current_directory(consumer):
    proc, data = run_json("check", "consumer", cwd=consumer)
    assert _found(data) == [("consumer/.github/workflows/ci.yml", "PSK001"),
                            ("consumer/deploy/pod.yaml", "PSK301")]
    text = run_cli("check", "consumer", cwd=consumer).stdout
    assert text.splitlines()[-1] == "config: consumer/.platform-skills.yaml"
    # the same answer from inside the repository, and for the files named one by one
    inside = consumer / "consumer"
    _, same = run_json("check", ".", cwd=inside)
    assert len(same["findings"]) == len(data["findings"])
    _, named = run_json("check", "consumer/k8s/pod.yaml", "consumer/deploy/pod.yaml", cwd=consumer)
    assert _found(named) == [("consumer/deploy/pod.yaml", "PSK301")]


@pytest.mark.parametrize("pattern", ["k8s/*", "./k8s/*", "k8s", "k8s/", "./k8s", "k8s/**"])
def test_exclude_is_relative_to_the_configuration_file(tmp_path, pattern):
    _repo(tmp_path / "repo", {".platform-skills.yaml": f"exclude: [{pattern!r}]\n",
                              "k8s/pod.yaml": POD, "k8s/deep/pod.yaml": POD,
                              "apps/k8s/pod.yaml": POD})
    for cwd, target, prefix in ((tmp_path, "repo", "repo/"), (tmp_path / "repo", ".", ""),
                                (tmp_path / "repo" / "k8s", "..", "../")):
        _, data = run_json("check", target, cwd=cwd)
        # only the top-level k8s/ is excluded, not another folder of that name deeper down
        assert [f["path"] for f in data["findings"]] == [f"{prefix}apps/k8s/pod.yaml"], (cwd, pattern)


def test_command_line_exclude_is_relative_to_the_current_directory(tmp_path):
    write_tree(tmp_path, {"k8s/pod.yaml": POD, "apps/pod.yaml": POD})
    for pattern in ("k8s/*", "./k8s/*", "k8s"):
        _, data = run_json("check", ".", "--exclude", pattern, cwd=tmp_path)
        assert [f["path"] for f in data["findings"]] == ["apps/pod.yaml"], pattern
        _, data = run_json("check", "./k8s/pod.yaml", "apps/pod.yaml", "--exclude", pattern, cwd=tmp_path)
        assert [f["path"] for f in data["findings"]] == ["apps/pod.yaml"], pattern


def test_files_of_two_configurations_in_one_run(tmp_path):
    """As pre-commit runs it: files from all over a monorepo, each under its own settings."""
    _repo(tmp_path, {
        ".platform-skills.yaml": "fail-on: high\n",
        ".github/workflows/ci.yml": WORKFLOW,
        "services/api/pyproject.toml": '[tool.platform-skills]\nignore = ["PSK3"]\nfail-on = "low"\n',
        "services/api/deploy/pod.yaml": POD,
        "services/web/.platform-skills.yaml": "select: [PSK001]\n",
        "services/web/.github/workflows/ci.yml": WORKFLOW,
        "services/web/deploy/pod.yaml": POD,
    })
    files = [".github/workflows/ci.yml", "services/api/deploy/pod.yaml",
             "services/web/.github/workflows/ci.yml", "services/web/deploy/pod.yaml"]
    proc, data = run_json("check", *files, cwd=tmp_path)
    assert _found(data) == [(".github/workflows/ci.yml", "PSK001"), (".github/workflows/ci.yml", "PSK004"),
                            ("services/web/.github/workflows/ci.yml", "PSK001")]
    # The nearest file wins whole: services/web's select does not inherit the root's fail-on,
    # so its medium PSK001 fails the run while the root's medium findings alone would not.
    assert proc.returncode == 1
    proc, _ = run_json("check", files[0], files[1], cwd=tmp_path)
    assert proc.returncode == 0  # root: fail-on high, medium findings; api: nothing found
    # a directory walk applies the nested files to their own subtrees, as pre-commit does
    _, walked = run_json("check", ".", cwd=tmp_path)
    assert _found(walked) == _found(data)
    lines = run_cli("check", *files, cwd=tmp_path).stdout.splitlines()
    assert lines[-1] == ("config: .platform-skills.yaml, services/api/pyproject.toml, "
                         "services/web/.platform-skills.yaml")
    # the command line applies to every file: --fail-on replaces each file's value
    assert run_cli("check", files[0], files[1], "--fail-on", "medium", cwd=tmp_path).returncode == 1


def test_search_stops_at_the_repository_root(tmp_path):
    write_tree(tmp_path, {".platform-skills.yaml": "ignore: [PSK0]\n"})
    _repo(tmp_path / "repo", {".github/workflows/ci.yml": WORKFLOW})
    proc, data = run_json("check", "repo", cwd=tmp_path)
    assert {f["rule"] for f in data["findings"]} == {"PSK001", "PSK004"}
    assert "config:" not in run_cli("check", "repo", cwd=tmp_path).stdout


def test_two_configuration_files_at_one_level_is_an_error_naming_both(tmp_path):
    _repo(tmp_path / "repo", {".platform-skills.yaml": "ignore: [PSK001]\n",
                              "pyproject.toml": '[tool.platform-skills]\nignore = ["PSK004"]\n',
                              ".github/workflows/ci.yml": WORKFLOW})
    proc = run_cli("check", "repo", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "repo/.platform-skills.yaml" in proc.stderr and "repo/pyproject.toml" in proc.stderr
    assert "Traceback" not in proc.stderr
    # a pyproject.toml without the table is no configuration at all
    (tmp_path / "repo" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert run_cli("check", "repo", cwd=tmp_path).returncode == 1


def test_a_bad_configuration_below_a_checked_folder_stops_the_run(tmp_path):
    _repo(tmp_path, {".github/workflows/ci.yml": WORKFLOW,
                     "svc/.platform-skills.yaml": "fail-on: severe\n", "svc/pod.yaml": POD})
    proc = run_cli("check", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("platform-skills: error: svc/.platform-skills.yaml: fail-on")
    assert "Traceback" not in proc.stderr
    proc = run_cli("check", ".", "--no-config", cwd=tmp_path)
    assert proc.returncode == 1


def test_audit_reads_the_configuration_of_the_audited_repository(tmp_path):
    release = WORKFLOW.replace("    steps:\n", "    permissions:\n      packages: write\n    steps:\n") + \
        "      - run: docker push ghcr.io/example-org/app:1.0\n"
    _repo(tmp_path / "repo", {".github/workflows/release.yml": release})
    proc, data = run_json("audit", "repo", cwd=tmp_path)
    assert "PSK901" in {f["rule"] for f in data["findings"]} and proc.returncode == 1
    (tmp_path / "repo" / ".platform-skills.yaml").write_text("ignore: [PSK9, PSK001]\n")
    proc, data = run_json("audit", "repo", cwd=tmp_path)
    assert data["findings"] == [] and proc.returncode == 0
    text = run_cli("audit", "repo", cwd=tmp_path).stdout
    assert text.splitlines()[-1] == "config: repo/.platform-skills.yaml"


def test_pin_reads_the_same_configuration(tmp_path):
    """pin's excludes follow the same rule (nothing here needs the network: nothing to pin)."""
    local = "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: ./local-action\n"
    _repo(tmp_path / "repo", {"pyproject.toml": '[tool.platform-skills]\nexclude = ["./vendor"]\n',
                              ".github/workflows/ci.yml": local,
                              "vendor/.github/workflows/ci.yml": WORKFLOW})
    proc = run_cli("pin", "--diff", "repo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "nothing to pin; 1 file read, 0 remotes asked" in proc.stdout + proc.stderr
    (tmp_path / "repo" / "pyproject.toml").write_text("[tool.platform-skills]\nexclude = 7\n")
    proc = run_cli("pin", "--diff", "repo", cwd=tmp_path)
    assert proc.returncode == 2 and "repo/pyproject.toml" in proc.stderr
