"""Workflows the signing, scanning and provenance examples are built from."""

REF = "references/supply-chain.md"

PROVENANCE = """\
on: push
permissions:
  contents: read
jobs:
  provenance:
    permissions:
      actions: read
      id-token: write
      packages: write
    uses: slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@v2.1.0
    with:
      image: ghcr.io/example-org/app
      digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
"""

SIGN_WORKFLOW = """\
on: push
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
      - uses: sigstore/cosign-installer@faadad0cce49287aee09b3a48701e75088a2c6ad # v4.0.0
      - id: build
        uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0
        with:
          push: true
          tags: ghcr.io/example-org/app:${{ github.sha }}
      - run: cosign sign --yes ghcr.io/example-org/app@${{ steps.build.outputs.digest }}
"""
