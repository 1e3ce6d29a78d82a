"""The audit follows real release pipelines: goreleaser, ko, Makefiles, throwaway registries.

Each tree is written the way such projects ship images; the assertions are the exact gap
rows and the evidence each names.
"""

import pytest

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
    # The pipeline rows; PSK908 (pins kept fresh) is housekeeping, tested in test_pins_fresh.py.
    return {f["rule"]: f for f in data["findings"]
            if f["rule"].startswith("PSK9") and f["rule"] != "PSK908"}, proc


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


# --- [0.3] Following the pipeline: push forms, scripts, Make, what cannot be followed ------

DIGEST = "sha256:" + "0" * 64


def unseen(tree):
    proc, data = run_json("audit", ".", cwd=tree)
    assert data["errors"] == [] and proc.returncode != 2, data["errors"]
    return [(u["path"], u["line"], u["what"]) for u in data["unseen"]], data


def test_buildx_output_forms_imagetools_manifest_and_kaniko_publish(tmp_path):
    forms = [
        "docker buildx build --output=type=registry -t ghcr.io/example-org/app:1 .",
        "docker buildx build -o type=image,name=ghcr.io/example-org/app:1,push=true .",
        "docker buildx imagetools create -t ghcr.io/example-org/app:1 ghcr.io/example-org/app@" + DIGEST,
        "docker manifest push ghcr.io/example-org/app:1",
        "/kaniko/executor --context . --destination ghcr.io/example-org/app:1",
    ]
    for i, form in enumerate(forms):
        tree = write_tree(tmp_path / str(i), {".github/workflows/r.yml": workflow(f"      - run: {form}\n")})
        rows, _ = gaps(tree)
        assert "evidence: .github/workflows/r.yml:15" in rows["PSK901"]["message"], form


def test_registry_exports_to_throwaway_or_without_push_do_not_publish(tmp_path):
    forms = [
        "docker buildx build -o type=image,name=ghcr.io/example-org/app:1 .",  # no push=true
        "docker buildx build --output type=registry -t localhost:5000/app:e2e .",
        "/kaniko/executor --context . --destination ttl.sh/app:1h",
        "/kaniko/executor --context . --destination ghcr.io/example-org/app:1 --no-push",
    ]
    for i, form in enumerate(forms):
        tree = write_tree(tmp_path / str(i), {".github/workflows/r.yml": workflow(f"      - run: {form}\n")})
        rows, _ = gaps(tree)
        assert rows == {}, form


SIGN_SCRIPT = """\
#!/usr/bin/env bash
set -euo pipefail
IMAGE=ghcr.io/example-org/app
docker buildx build --push -t "${IMAGE}:${VERSION}" .
DIGEST=$(crane digest "${IMAGE}:${VERSION}")
cosign sign --yes -key cosign.key "${IMAGE}@${DIGEST}"
syft "${IMAGE}@${DIGEST}" -o spdx-json > sbom.json
"""


def test_a_script_run_from_a_step_is_followed_with_its_working_directory(tmp_path):
    steps = "      - working-directory: release\n        run: ./sign-images.sh\n"
    write_tree(tmp_path, {".github/workflows/r.yml": workflow(steps), "release/sign-images.sh": SIGN_SCRIPT})
    rows, _ = gaps(tmp_path)
    assert set(rows) == {"PSK902", "PSK904", "PSK905"}  # signed by digest, SBOM made
    assert "evidence: release/sign-images.sh:4" in rows["PSK902"]["message"]


def test_scripts_running_scripts_are_followed_and_a_tag_is_reported_at_the_script_line(tmp_path):
    write_tree(tmp_path, {
        ".github/workflows/r.yml": workflow("      - run: bash hack/release.sh\n"),
        "hack/release.sh": "set -e\nsource \"$(dirname \"$0\")/lib.sh\"\n. hack/push.sh\n",
        "hack/lib.sh": "REG=ghcr.io/example-org\n",
        "hack/push.sh": ("docker push ghcr.io/example-org/app:1\n"
                         "cosign sign --yes --key=k.pem ghcr.io/example-org/app:1\n"),
    })
    rows, _ = gaps(tmp_path)
    assert "evidence: hack/push.sh:1" in rows["PSK901"]["message"]
    assert "cosign signs only tags, at hack/push.sh:2, which PSK101 reports" in rows["PSK901"]["message"]
    _, checked = run_json("check", ".", cwd=tmp_path)
    assert [(f["rule"], f["path"], f["line"]) for f in checked["findings"] if f["rule"] == "PSK101"] == [
        ("PSK101", "hack/push.sh", 2)]
    assert unseen(tmp_path)[0] == []


def test_a_script_not_in_the_repository_is_unseen_and_may_publish(tmp_path):
    steps = "      - run: ./scripts/publish-images.sh\n"
    write_tree(tmp_path, {".github/workflows/r.yml": workflow(steps)})
    found, _ = unseen(tmp_path)
    assert found == [(".github/workflows/r.yml", 15, "runs ./scripts/publish-images.sh")]
    proc = run_cli("audit", ".", cwd=tmp_path)
    assert "publishing may happen in .github/workflows/r.yml:15" in proc.stdout
    assert "Not followed" in proc.stdout


def test_make_with_call_built_targets_and_sub_makes_is_followed_not_an_error(tmp_path):
    makefile = (
        "IMAGES := app worker\n"
        "push-target = push-$(1)\n"
        "define sign\n\tcosign sign --yes $(REG)/$(1)@$${DIGEST}\nendef\n"
        "REG := ghcr.io/example-org\n"
        "$(call push-target,app) $(call push-target,worker): push-%: build-%\n"
        "\tdocker push $(REG)/$*:1\n"
        "$(addprefix build-,$(IMAGES)):\n\tdocker build -t $(REG)/app .\n"
        "release: $(addprefix push-,$(IMAGES))\n\t$(MAKE) -C deploy sign-all\n"
        "docs:\n\tmake -C ./docs docs\n"
        "$(shell ls targets):\n\techo unknown\n")
    write_tree(tmp_path, {
        ".github/workflows/r.yml": workflow("      - run: make release\n"),
        "Makefile": makefile,
        "deploy/Makefile": "sign-all:\n\t./sign.sh\n",
        "deploy/sign.sh": "cosign sign --yes \"ghcr.io/example-org/app@${DIGEST}\"\n",
    })
    rows, proc = gaps(tmp_path)
    assert proc.returncode != 2
    assert "PSK901" not in rows  # the sign in deploy/sign.sh, reached through $(MAKE) -C, counts
    assert "evidence: Makefile:8" in rows["PSK902"]["message"]


def test_unexpanded_sub_make_in_a_followed_recipe_is_unseen(tmp_path):
    write_tree(tmp_path, {
        ".github/workflows/r.yml": workflow("      - run: make release\n"),
        "Makefile": "release:\n\tdocker push ghcr.io/example-org/app:1\n\t$(MAKE) $(shell cat next)\n"})
    found, _ = unseen(tmp_path)
    assert found == [("Makefile", 3, "$(MAKE) $(shell cat next)")]


def test_remote_action_in_a_job_that_logs_in_is_unseen_known_and_setup_actions_are_not(tmp_path):
    steps = ("      - run: curl -sSfL https://example.org/install.sh | sh -s -- -b $HOME/bin v1\n"
             "      - uses: CycloneDX/gh-gomod-generate-sbom@efc74245d6802c8cefd925620515442756c70d8f # v2\n"
             "      - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0\n"
             "      - uses: docker/setup-buildx-action@b5ca514318bd6ebac0fb2aedd5d36ec1b5c232a2 # v3.10.0\n"
             "      - uses: example-org/publish-action@0000000000000000000000000000000000000000 # v1\n"
             "      - uses: sigstore/cosign-installer@d58896d6a1865668819e1d91763c7751a165e159 # v3.9.2\n")
    write_tree(tmp_path, {".github/workflows/r.yml": workflow(steps, job_perms="      contents: read\n")})
    found, _ = unseen(tmp_path)
    assert found == [(".github/workflows/r.yml", 17,  # one permission line: steps start at 13
                      "uses: example-org/publish-action@0000000000000000000000000000000000000000")]


def test_a_job_that_cannot_push_calling_a_remote_action_is_not_unseen(tmp_path):
    steps = "      - uses: example-org/lint-action@0000000000000000000000000000000000000000 # v1\n"
    write_tree(tmp_path, {".github/workflows/r.yml": workflow(steps, job_perms="      contents: read\n")})
    found, _ = unseen(tmp_path)
    assert found == []
    assert "No workflow publishes" in run_cli("audit", ".", cwd=tmp_path).stdout


PUSH = "      - run: docker push ghcr.io/example-org/app:1\n"


def test_only_provenance_of_the_image_counts(tmp_path):
    generic = ("  provenance:\n    permissions:\n      actions: read\n      id-token: write\n"
               "      contents: write\n    uses: slsa-framework/slsa-github-generator/.github/workflows/"
               "generator_generic_slsa3.yml@v2.1.0\n    with:\n      base64-subjects: abc\n")
    files = ("      - uses: actions/attest-build-provenance@a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32 # v4.1.0\n"
             "        with:\n          subject-path: dist/*\n")
    image = ("      - uses: actions/attest@a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32 # v4.1.0\n"
             "        with:\n          subject-name: ghcr.io/example-org/app\n"
             f"          subject-digest: {DIGEST}\n          push-to-registry: true\n")
    cases = {"generic": (workflow(PUSH) + generic, True), "files": (workflow(PUSH + files), True),
             "image": (workflow(PUSH + image), False),
             "cosign": (workflow(PUSH + "      - run: cosign attest --yes --type slsaprovenance "
                                 f"--predicate p.json ghcr.io/example-org/app@{DIGEST}\n"), False)}
    for name, (text, gap) in cases.items():
        tree = write_tree(tmp_path / name, {".github/workflows/r.yml": text})
        rows, _ = gaps(tree)
        assert ("PSK905" in rows) is gap, name


def test_cosign_value_flags_are_never_read_as_the_image(tmp_path):
    steps = ("      - run: |\n"
             f"          cosign sign -key cosign.key ghcr.io/example-org/app@{DIGEST}\n"
             f"          cosign sign --certificate-identity me -a k=v ghcr.io/example-org/app@{DIGEST}\n"
             "          cosign sign --key=cosign.key ghcr.io/example-org/app:1\n")
    write_tree(tmp_path, {".github/workflows/r.yml": workflow(steps)})
    _, data = run_json("check", ".", cwd=tmp_path)
    psk101 = [(f["line"], f["message"]) for f in data["findings"] if f["rule"] == "PSK101"]
    assert len(psk101) == 1 and psk101[0][0] == 18 and "ghcr.io/example-org/app:1" in psk101[0][1]


def test_goreleaser_docker_signs_args_decide_tag_or_digest(tmp_path):
    base = GORELEASER.replace('    args: ["sign", "${artifact}@${digest}", "--yes"]\n', "{args}")
    cases = {'    args: ["sign", "--key=cosign.key", "${artifact}", "--yes"]\n': True,
             '    args: ["sign", "-key", "cosign.key", "${artifact}@${digest}"]\n': False,
             "": False}  # omitted args: goreleaser signs ${artifact}@${digest}
    for i, (args, flagged) in enumerate(cases.items()):
        tree = write_tree(tmp_path / str(i), {".goreleaser.yaml": base.replace("{args}", args)})
        _, data = run_json("check", ".", cwd=tree)
        assert any(f["rule"] == "PSK101" for f in data["findings"]) is flagged, args


def test_a_push_to_a_throwaway_registry_is_not_publishing_for_psk013(tmp_path):
    cache = ("      - uses: actions/cache@5a3ec84eff668545956fd18022155c47e93e2684 # v4.2.3\n"
             "        with:\n          path: ~/.cache\n          key: k\n")
    e2e = workflow(cache + "      - run: docker push localhost:5000/app:e2e\n")
    release = workflow(cache + PUSH)
    write_tree(tmp_path, {".github/workflows/e2e.yml": e2e, ".github/workflows/release.yml": release})
    _, data = run_json("check", ".", cwd=tmp_path)
    assert {f["path"] for f in data["findings"] if f["rule"] == "PSK013"} == {".github/workflows/release.yml"}


# One case per entry of the known-publishers table: each is read by what it is, never unseen.
KNOWN_CASES = {
    "docker/build-push-action": ("      - uses: docker/build-push-action@v6\n        with:\n"
                                 "          push: true\n          sbom: true\n", {"PSK901", "PSK904", "PSK905"}),
    "docker/bake-action": ("      - uses: docker/bake-action@v6\n        with:\n          push: true\n",
                           {"PSK901", "PSK903", "PSK905"}),
    "goreleaser/goreleaser-action": (GORELEASER_ACTION, {"PSK902", "PSK904", "PSK905"}),
    # ko uploads an SPDX SBOM unless --sbom=none: generated, not attested
    "ko-build/setup-ko": ("      - uses: ko-build/setup-ko@v0.9\n      - run: ko build --bare ./cmd/app\n",
                          {"PSK901", "PSK904", "PSK905"}),
    "slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml": (
        "CONTAINER", {"PSK901", "PSK902", "PSK903"}),
    "slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml": (
        "GENERIC", {"PSK901", "PSK902", "PSK903", "PSK905"}),
    "actions/attest": ("      - uses: actions/attest@v4\n        with:\n          subject-name: ghcr.io/o/a\n"
                       f"          subject-digest: {DIGEST}\n", {"PSK901", "PSK903"}),
    "actions/attest-build-provenance": (
        "      - uses: actions/attest-build-provenance@v3\n        with:\n"
        "          push-to-registry: true\n          subject-name: ghcr.io/o/a\n"
        f"          subject-digest: {DIGEST}\n", {"PSK901", "PSK903"}),
    "actions/attest-sbom": ("      - uses: anchore/sbom-action@v0\n      - uses: actions/attest-sbom@v2\n",
                            {"PSK901", "PSK905"}),
    "sigstore/cosign-installer": ("      - uses: sigstore/cosign-installer@v3\n"
                                  f"      - run: cosign sign --yes ghcr.io/o/a@{DIGEST}\n",
                                  {"PSK903", "PSK905"}),
    "anchore/sbom-action": ("      - uses: anchore/sbom-action@v0\n", {"PSK901", "PSK904", "PSK905"}),
}


def test_every_known_publisher_has_a_case():
    from platform_skills.readers.known_actions import KNOWN_PUBLISHERS
    assert set(KNOWN_CASES) == set(KNOWN_PUBLISHERS)


@pytest.mark.parametrize("name", sorted(KNOWN_CASES))
def test_a_known_publisher_is_read_by_what_it_is(tmp_path, name):
    steps, expected = KNOWN_CASES[name]
    push = "      - run: docker push ghcr.io/example-org/app:1\n"
    files = {".goreleaser.yaml": GORELEASER}
    if steps in ("CONTAINER", "GENERIC"):
        text = workflow(push) + (f"  provenance:\n    permissions:\n      id-token: write\n"
                                 f"      packages: write\n    uses: {name}@v2.1.0\n")
    else:
        text = workflow(steps if name.startswith(("docker/", "ko-", "goreleaser")) else push + steps)
    files[".github/workflows/r.yml"] = text
    write_tree(tmp_path, files)
    found, data = unseen(tmp_path)
    assert found == []
    rows = {f["rule"] for f in data["findings"] if f["rule"] in ("PSK901", "PSK902", "PSK903",
                                                                  "PSK904", "PSK905")}
    assert rows == expected | {"PSK902"}  # no case scans for CVEs


def test_ko_sboms_and_digest_refs_written_by_ko_are_followed_through_make_and_a_script(tmp_path):
    """The shape of a project whose CI builds with ko into a refs file and signs what it lists."""
    write_tree(tmp_path, {
        ".github/workflows/r.yml": workflow("      - run: make sign-images\n"),
        "Makefile": ("sign-images: images\n\t./scripts/sign.sh\n"
                     "images:\n\tKO_DOCKER_REPO=ghcr.io/example-org ko build --image-refs refs.txt ./cmd/app\n"),
        "scripts/sign.sh": "COSIGN=./bin/cosign\n$COSIGN sign --yes -a run=1 $(cat refs.txt)\n",
    })
    rows, _ = gaps(tmp_path)
    assert set(rows) == {"PSK902", "PSK904", "PSK905"}  # signed by digest; ko's SBOM unattested
    # the same when the step, not the recipe, names the registry
    write_tree(tmp_path, {
        ".github/workflows/r.yml": workflow("      - env:\n          KO_DOCKER_REPO: ghcr.io/example-org\n"
                                            "        run: make sign-images\n"),
        "Makefile": ("sign-images: images\n\t./scripts/sign.sh\n"
                     "images:\n\tko build --image-refs refs.txt ./cmd/app\n")})
    rows, _ = gaps(tmp_path)
    assert set(rows) == {"PSK902", "PSK904", "PSK905"}
    write_tree(tmp_path, {"Makefile": "sign-images: images\n\t./scripts/sign.sh\n"
                          "images:\n\tKO_DOCKER_REPO=ghcr.io/example-org ko build --sbom=none ./cmd/app\n"})
    rows, _ = gaps(tmp_path)
    assert {"PSK901", "PSK903"} <= set(rows)  # nothing says refs.txt holds digests; no SBOM


def test_scripts_are_followed_five_levels_deep_and_deeper_is_unseen(tmp_path):
    files = {".github/workflows/r.yml": workflow("      - run: ./s1.sh\n")}
    for i in range(1, 7):
        files[f"s{i}.sh"] = f"./s{i + 1}.sh\n" if i < 6 else "docker push ghcr.io/example-org/app:1\n"
    write_tree(tmp_path, files)
    found, data = unseen(tmp_path)
    assert found == [("s5.sh", 1, "runs s6.sh")]
    assert not any(f["rule"] == "PSK901" for f in data["findings"])  # the push sits too deep
    files["s5.sh"] = "docker push ghcr.io/example-org/app:1\n"
    write_tree(tmp_path, files)
    rows, _ = gaps(tmp_path)
    assert "evidence: s5.sh:1" in rows["PSK901"]["message"]


def test_ko_in_a_script_publishes_to_the_repository_the_calling_step_sets(tmp_path):
    """An e2e job sets KO_DOCKER_REPO=ko.local on setup-ko and runs a script that ko-resolves:
    test traffic, whose SBOM is no SBOM of a published image."""
    def steps(repo):
        return ("      - uses: ko-build/setup-ko@v0.9\n        env:\n"
                f"          KO_DOCKER_REPO: {repo}\n      - run: ./hack/upload-test-images.sh\n")
    script = "for d in test/*; do\n  ko resolve -RBf \"$d\" > /dev/null\ndone\n"
    write_tree(tmp_path / "e2e", {".github/workflows/e2e.yml": workflow(steps("ko.local")),
                                  "hack/upload-test-images.sh": script})
    rows, _ = gaps(tmp_path / "e2e")
    assert rows == {}
    write_tree(tmp_path / "real", {".github/workflows/r.yml": workflow(steps("ghcr.io/example-org")),
                                   "hack/upload-test-images.sh": script})
    rows, _ = gaps(tmp_path / "real")
    assert "evidence: hack/upload-test-images.sh:2" in rows["PSK901"]["message"]
    assert "PSK903" not in rows and "PSK904" in rows  # ko's own SBOM, not attested


def test_a_scan_in_a_followed_script_is_judged_not_an_internal_error(tmp_path):
    """A release script that runs trivy without --exit-code: the audit reads it as a scan
    that cannot fail the build (the gap stays, with the script as evidence), never as an
    internal error."""
    write_tree(tmp_path, {
        ".github/workflows/release.yml": (
            "on: push\npermissions:\n  contents: read\njobs:\n  release:\n"
            "    runs-on: ubuntu-latest\n    permissions:\n      packages: write\n    steps:\n"
            "      - run: ./scripts/release.sh\n"),
        "scripts/release.sh": ("#!/bin/sh\nset -eu\ntrivy image ghcr.io/example-org/app:1.0\n"
                               "docker push ghcr.io/example-org/app:1.0\n")})
    proc, data = run_json("audit", ".", cwd=tmp_path)
    assert data["errors"] == [], data["errors"]
    gate = next(f for f in data["findings"] if f["rule"] == "PSK902")
    assert "scripts/release.sh:4" in gate["message"]  # the push the script makes
