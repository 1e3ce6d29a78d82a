"""SLSA provenance in workflows (PSK130)."""

from ... import nodes
from ...model import AnyCase, rule
from ...readers.patterns import SHA, SLSA_GENERATOR
from .examples import PROVENANCE, REF


@rule(
    id="PSK130", name="slsa-generator-sha-without-compile", severity="high", domain="supply-chain",
    requires=AnyCase(SLSA_GENERATOR),
    targets=("workflow",), reference=REF + "#provenance",
    summary="slsa-github-generator pinned by SHA without `compile-generator: true`",
    rationale=(
        "The generator's reusable workflows download their builder binary from the release "
        "that matches the ref they were called with. Called by a commit SHA there is no such "
        "release and the provenance job fails with \"Invalid ref\", unless it is told to "
        "compile the builder from source."),
    fix=(
        "Reference the reusable workflow by its release tag (`@v2.1.0`), or keep the SHA and "
        "add `with: compile-generator: true`."),
    bad=PROVENANCE.replace("@v2.1.0", "@f7dd8c54c2067bafc12ca7a55595d5ee9b75204a # v2.1.0"),
    good=PROVENANCE,
    precision="high",
    limits=("Reads jobs that call "
            "`slsa-framework/slsa-github-generator/.github/workflows/...` by a full commit "
            "SHA; a `compile-generator` set from an expression is taken as true. A fork or "
            "mirror of the generator under another name is not recognised."),
)
def slsa_generator_sha_without_compile(wf):
    for job in wf.jobs:
        value = nodes.text(job.uses, "")
        name, _, ref = value.partition("@")
        if not name.lower().startswith(SLSA_GENERATOR + "/.github/workflows/"):
            continue
        compile_generator = nodes.get(nodes.get(job.node, "with"), "compile-generator")
        if not SHA.match(ref.strip()) or nodes.is_true(compile_generator) \
                or "${{" in nodes.text(compile_generator, ""):
            continue
        yield nodes.line(job.uses), ("slsa-github-generator called by SHA without "
                                     "compile-generator: true fails with 'Invalid ref'")
