"""The audit follows real release pipelines: goreleaser, ko, Makefiles, throwaway registries.

Each tree is written the way such projects ship images; the assertions are the exact gap
rows and the evidence each names.
"""

from support import run_cli, run_json, write_tree

PERMS = "permissions:\n  contents: read\n"
CHECKOUT = "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"


def workflow(steps, job_perms="      contents: write\n      packages: write\n      id-token: write\n"):
    return (f"on:\n  push:\n    tags: ['v*']\n{PERMS}jobs:\n  release:\n    runs-on: ubuntu-latest\n"
            f"    permissions:\n{job_perms}    steps:\n{CHECKOUT}{steps}")


GORELEASER_ACTION = (
    "      - uses: goreleaser/goreleaser-action@9c156ee8a17a598857849441385a2041ef570552 # v6.3.0\n"
    "        with:\n          args: release --clean\n")

GORELEASER = """\
version: 2
builds:
  - main: ./cmd/app
dockers_v2:
  - images: [ghcr.io/example-org/app]
    tags: ["{{ .Version }}"]
docker_signs:
  - artifacts: manifests
    args: ["sign", "${artifact}@${digest}", "--yes"]
sboms:
  - artifacts: archive
"""


def gaps(tree):
    proc, data = run_json("audit", ".", cwd=tree)
    assert data["errors"] == [], data["errors"]
    return {f["rule"]: f for f in data["findings"] if f["rule"].startswith("PSK9")}, proc


def test_goreleaser_publishes_signs_by_digest_and_generates_sboms(tmp_path):
    write_tree(tmp_path, {".github/workflows/release.yml": workflow(GORELEASER_ACTION),
                          ".goreleaser.yaml": GORELEASER})
    rows, _ = gaps(tmp_path)
    assert set(rows) == {"PSK902", "PSK904", "PSK905"}  # no scan, SBOM unattested, no provenance
    assert "evidence: .goreleaser.yaml:4" in rows["PSK902"]["message"]
    assert rows["PSK902"]["related"][0] == {"path": ".goreleaser.yaml", "line": 4,
                                            "note": "the image is pushed here"}


def test_goreleaser_signing_tags_is_a_signing_gap_that_says_why(tmp_path):
    config = GORELEASER.replace('"${artifact}@${digest}"', '"${artifact}"')
    write_tree(tmp_path, {".github/workflows/release.yml": workflow(GORELEASER_ACTION),
                          ".goreleaser.yaml": config})
    rows, _ = gaps(tmp_path)
    assert "PSK901" in rows
    assert "cosign signs only tags, at .goreleaser.yaml:9, which PSK101 reports" in rows["PSK901"]["message"]


def test_goreleaser_config_nothing_runs_publishes_nothing(tmp_path):
    write_tree(tmp_path, {".github/workflows/ci.yml": workflow("      - run: go test ./...\n"),
                          ".goreleaser.yaml": GORELEASER})
    rows, proc = gaps(tmp_path)
    assert rows == {} and proc.returncode == 0


MAKEFILE = """\
IMAGE ?= ghcr.io/example-org/app
DOCKER := docker

.PHONY: release image push sign e2e
release: push sign

image:
\t$(DOCKER) buildx build -t $(IMAGE):$(VERSION) .

push: image
\t$(DOCKER) buildx build --push -t $(IMAGE):$(VERSION) .

sign:
\tcosign sign --yes $(IMAGE):$(VERSION)

e2e:
\tdocker push localhost:5000/app:test
"""


def test_make_target_and_its_prerequisites_are_followed(tmp_path):
    write_tree(tmp_path, {".github/workflows/release.yml": workflow("      - run: make release\n"),
                          "Makefile": MAKEFILE})
    rows, _ = gaps(tmp_path)
    assert {"PSK901", "PSK902", "PSK903", "PSK905"} == set(rows)
    assert "evidence: Makefile:11" in rows["PSK901"]["message"]
    assert "cosign signs only tags, at Makefile:14" in rows["PSK901"]["message"]


def test_a_make_target_pushing_to_a_local_registry_is_not_publishing(tmp_path):
    write_tree(tmp_path, {".github/workflows/e2e.yml": workflow("      - run: make e2e\n"),
                          "Makefile": MAKEFILE})
    rows, _ = gaps(tmp_path)
    assert rows == {}


def test_throwaway_registries_are_test_traffic(tmp_path):
    steps = ("      - run: |\n"
             "          KO_DOCKER_REPO=ttl.sh/app-${{ github.run_id }} ko build ./cmd/app\n"
             "          crane copy ghcr.io/example-org/app:1.0 localhost:5000/app:1.0\n"
             "          skopeo copy docker://ghcr.io/example-org/app:1.0 docker://kind-registry:5000/app:1.0\n"
             "          docker push registry:5000/app:e2e\n")
    write_tree(tmp_path, {".github/workflows/e2e.yml": workflow(steps)})
    rows, _ = gaps(tmp_path)
    assert rows == {}


def test_ko_to_a_real_registry_publishes(tmp_path):
    steps = ("      - env:\n          KO_DOCKER_REPO: ghcr.io/example-org\n"
             "        run: ko build --bare ./cmd/app\n")
    write_tree(tmp_path, {".github/workflows/release.yml": workflow(steps)})
    rows, _ = gaps(tmp_path)
    assert "PSK901" in rows and "release.yml:17" in rows["PSK901"]["message"]


def test_cyclonedx_sbom_generated_and_attested_is_no_gap(tmp_path):
    steps = ("      - id: build\n        run: |\n"
             "          IMAGE=$(ko build --bare ./cmd/app)\n"
             "          cyclonedx-gomod app -json -output sbom.cdx.json\n"
             "          cosign sign --yes \"$IMAGE\"\n"
             "          cosign attest --yes --type cyclonedx --predicate sbom.cdx.json \"$IMAGE\"\n"
             "          trivy image --exit-code 1 --severity CRITICAL,HIGH \"$IMAGE\"\n"
             "        env:\n          KO_DOCKER_REPO: ghcr.io/example-org\n"
             "      - uses: actions/attest-build-provenance@a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32 # v4.1.0\n"
             "        with:\n          subject-name: ghcr.io/example-org/app\n"
             "          subject-digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\n")
    write_tree(tmp_path, {".github/workflows/release.yml": workflow(steps)})
    rows, _ = gaps(tmp_path)
    assert rows == {}


def test_bad_release_inputs_are_per_file_errors(tmp_path):
    write_tree(tmp_path, {
        ".github/workflows/release.yml": workflow("      - run: make release\n"),
        "Makefile": "release: push\npush: release\n\tdocker push ghcr.io/o/a:1\n",
        "sub/Makefile": "include Makefile\nall:\n\techo hi\n",
        ".goreleaser.yml": "- dockers\n",
        "deploy/app.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                           "spec: {containers: [{name: c, image: nginx}]}\n"})
    proc, data = run_json("audit", ".", cwd=tmp_path)
    errors = {e["path"]: e["message"] for e in data["errors"]}
    assert "depends on itself (push -> release -> push)" in errors["Makefile"] or \
        "depends on itself (release -> push -> release)" in errors["Makefile"]
    assert "includes itself" in errors["sub/Makefile"]
    assert "must be a mapping" in errors[".goreleaser.yml"]
    assert proc.returncode == 2
    assert data["summary"]["files"] >= 2  # the workflow and the manifest were still read


def test_a_local_action_running_make_on_its_callers_target_is_followed(tmp_path):
    """The shape of projects that publish every image through one composite action."""
    action = ("name: publish\ninputs:\n  target:\n    required: true\nruns:\n  using: composite\n"
              "  steps:\n    - shell: bash\n      id: ko\n      run: |\n"
              "        echo \"digest=$(make ${{ inputs.target }})\" >> \"$GITHUB_OUTPUT\"\n")
    steps = ("      - uses: ./.github/actions/publish\n        with:\n          target: publish-app\n")
    write_tree(tmp_path, {
        ".github/workflows/release.yml": workflow(steps),
        ".github/actions/publish/action.yml": action,
        "Makefile": "include build/images.mk\nREGISTRY ?= ghcr.io/example-org\n",
        "build/images.mk": ("publish-app: login\n\tKO_DOCKER_REPO=$(REGISTRY)/app ko build --bare ./cmd/app\n"
                            "login:\n\techo logged in\n"),
    })
    rows, _ = gaps(tmp_path)
    assert "PSK901" in rows
    assert "evidence: build/images.mk:2" in rows["PSK901"]["message"]


def test_prerequisites_in_another_makefile_are_followed(tmp_path):
    write_tree(tmp_path, {
        ".github/workflows/ci.yml": workflow("      - run: make sign-ci\n"),
        "test/ci.mk": "sign-ci: images\n\tcosign sign --yes --key cosign.key ghcr.io/example-org/app:ci\n",
        "Makefile": "images:\n\tko build --bare ./cmd/app\n",
    })
    rows, _ = gaps(tmp_path)
    assert "evidence: Makefile:2" in rows["PSK901"]["message"]
    assert "cosign signs only tags, at test/ci.mk:2" in rows["PSK901"]["message"]


def test_an_e2e_job_signing_a_throwaway_image_is_not_signing(tmp_path):
    e2e = workflow("      - env:\n          KO_DOCKER_REPO: registry.local:5000/demo\n"
                   "        run: |\n          image=$(ko publish --bare ./cmd/demo)\n"
                   "          cosign sign --yes \"$image\"\n")
    release = workflow("      - run: KO_DOCKER_REPO=ghcr.io/example-org ko build --bare ./cmd/app\n"
                       "      - run: KO_DOCKER_REPO=ko.local ko build ./cmd/app\n")
    write_tree(tmp_path, {".github/workflows/e2e.yml": e2e, ".github/workflows/release.yml": release})
    rows, _ = gaps(tmp_path)
    assert "PSK901" in rows and "release.yml:15" in rows["PSK901"]["message"]  # not the ko.local one


def test_publishing_in_another_repositorys_workflow_is_named_not_guessed(tmp_path):
    text = ("on: push\npermissions:\n  contents: read\njobs:\n  release:\n    permissions:\n"
            "      packages: write\n      id-token: write\n"
            "    uses: example-org/release-workflows/.github/workflows/image.yml@"
            "0000000000000000000000000000000000000000 # v1.0.0\n")
    write_tree(tmp_path, {".github/workflows/release.yml": text})
    proc = run_cli("audit", ".", cwd=tmp_path)
    assert "No workflow publishes" not in proc.stdout
    assert "publishing may happen in .github/workflows/release.yml:9" in proc.stdout
    assert "Not followed" in proc.stdout and proc.returncode == 0
    _, data = run_json("audit", ".", cwd=tmp_path)
    assert data["unseen"] == [{
        "path": ".github/workflows/release.yml", "line": 9,
        "what": "uses: example-org/release-workflows/.github/workflows/image.yml@"
                "0000000000000000000000000000000000000000",
        "why": "a reusable workflow in another repository, in a job that can push images "
               "(packages: write); its steps are not in this repository"}]


def test_sigs_k8s_bom_generates_an_sbom(tmp_path):
    steps = ("      - run: |\n          ko build --bare ./cmd/app\n"
             "          bom generate -o app.spdx -i ghcr.io/example-org/app:1.0\n"
             "        env:\n          KO_DOCKER_REPO: ghcr.io/example-org\n")
    write_tree(tmp_path, {".github/workflows/release.yml": workflow(steps)})
    rows, _ = gaps(tmp_path)
    assert "PSK903" not in rows and "PSK904" in rows


def test_go_testdata_folders_are_fixtures_not_configuration(tmp_path):
    policy = ("apiVersion: policies.kyverno.io/v1\nkind: ValidatingPolicy\nmetadata: {name: p}\n"
              "spec:\n  validations: [{expression: 'true'}]\n")
    write_tree(tmp_path, {"pkg/testdata/policy.yaml": policy, "cmd/_testdata/policy.yaml": policy,
                          "deploy/policy.yaml": policy})
    proc, data = run_json("check", ".", cwd=tmp_path)
    assert {f["path"] for f in data["findings"]} == {"deploy/policy.yaml"}
    # Named explicitly, a testdata file is still checked.
    _, data = run_json("check", "pkg/testdata/policy.yaml", cwd=tmp_path)
    assert data["findings"]


def test_a_local_action_that_is_missing_or_escapes_is_unseen_not_an_error(tmp_path):
    steps = ("      - uses: ./.github/actions/missing\n"
             "      - uses: ./../outside\n"
             "      - uses: ./__BUILDER_CHECKOUT_DIR__/.github/actions/publish\n"
             "      - run: docker push ghcr.io/example-org/app:1.0\n")
    write_tree(tmp_path / "repo", {".github/workflows/release.yml": workflow(steps)})
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "action.yml").write_text("runs:\n  using: composite\n  steps: []\n")
    proc, data = run_json("audit", ".", cwd=tmp_path / "repo")
    assert data["errors"] == []
    assert [(u["line"], u["what"]) for u in data["unseen"]] == [
        (15, "uses: ./.github/actions/missing"), (16, "uses: ./../outside"),
        (17, "uses: ./__BUILDER_CHECKOUT_DIR__/.github/actions/publish")]
    assert "outside the repository" in data["unseen"][1]["why"]
    assert {u["path"] for u in data["unseen"]} == {".github/workflows/release.yml"}
    assert {f["rule"] for f in data["findings"]} >= {"PSK901"}  # the rest of the audit still ran
    assert proc.returncode == 1


def test_a_goreleaser_snapshot_or_install_only_run_publishes_nothing(tmp_path):
    steps = ("      - run: goreleaser release --snapshot --clean\n"
             "      - uses: goreleaser/goreleaser-action@9c156ee8a17a598857849441385a2041ef570552 # v6.3.0\n"
             "        with:\n          install-only: true\n")
    write_tree(tmp_path, {".github/workflows/validate.yml": workflow(steps),
                          ".goreleaser.yaml": GORELEASER})
    rows, proc = gaps(tmp_path)
    assert rows == {} and proc.returncode == 0
