"""Signing images in workflows: by digest, with an OIDC token, after the push (PSK101-PSK104)."""

from ... import nodes
from ...model import rule
from ...readers import pipeline
from ...readers.workflow import Workflow
from .examples import REF, SIGN_WORKFLOW


@rule(
    id="PSK101", name="cosign-by-tag", severity="high", domain="supply-chain",
    targets=("workflow", "action", "goreleaser", "makefile", "script"),
    reference=REF + "#keyless-signing",
    summary="`cosign sign`/`attest` on a tag instead of a digest",
    rationale=(
        "A signature binds to the manifest digest that the tag pointed at when cosign "
        "resolved it. If the tag moves between the push and the signing (a parallel build, a "
        "re-run), you sign someone else's image. Verifiers and admission controllers check "
        "digests, so sign exactly the digest the build produced."),
    fix=(
        "Sign `image@${{ steps.<build>.outputs.digest }}` (the digest output of "
        "`docker/build-push-action`), or `\"${IMAGE}@${DIGEST}\"` in a script."),
    bad=SIGN_WORKFLOW.replace("app@${{ steps.build.outputs.digest }}", "app:${{ github.sha }}"),
    good=SIGN_WORKFLOW,
    precision="medium",
    limits=(
        "Reads workflows, composite actions, goreleaser `docker_signs`/`signs` args (`${artifact}` "
        "alone is a tag; omitted args sign `${artifact}@${digest}`), Make recipes and shell "
        "scripts; every cosign flag that takes a value is skipped with it, single- or double-dash. "
        "A value the rule cannot trace is treated as a tag: the output of a script or of "
        "`make <target>` (whose recipe may well print a digest), `$(cat FILE)`, an input of a "
        "composite action, a step output of another action, a variable set in another file. "
        "When such a value is a digest reference, write `image@${DIGEST}` explicitly, which also "
        "tells the reader what is signed. "
        "zizmor has no equivalent audit; Checkov's CKV_GHA_5 only looks for `cosign sign` "
        "after a build."),
)
def cosign_by_tag(view):
    if not isinstance(view, Workflow):
        yield from _by_tag_outside_workflows(view)
        return
    for job in view.jobs:
        exports = outputs = None
        for call in pipeline.cosign_calls_in(job):
            if not pipeline.image_refs_by_tag(call, None):
                continue  # digest-qualified as written: no need to trace variables
            if exports is None:
                exports = pipeline.github_env_exports(job)
                outputs = pipeline.step_outputs(job)
            assigned = pipeline.script_assignments(call.step, call.command,
                                                   exports.get(call.step.index))
            refs = pipeline.image_refs_by_tag(call, assigned, outputs)
            if refs:
                yield call.line, (f"cosign {call.verb} targets '{refs[0]}', which is not "
                                  "digest-qualified; use image@sha256:<digest>")


def _by_tag_outside_workflows(view):
    """PSK101 in a Makefile, a followed script or a goreleaser configuration (their readers
    imported only when such a file turns up)."""
    from ...readers.following import ScriptView
    from ...readers.makefile import Makefile

    if isinstance(view, Makefile):
        yield from _by_tag_in_recipes(view)
    elif isinstance(view, ScriptView):
        yield from _by_tag_in_script(view)
    else:  # a goreleaser configuration
        for line, verb, image in pipeline.goreleaser_signs(view):
            if not pipeline.digest_qualified(image):
                yield line, (f"goreleaser runs cosign {verb} on '{image}', which is a tag; "
                             "use ${artifact}@${digest}")


def _by_tag_in_recipes(makefile):
    for name in makefile.targets:
        for command in makefile.commands(name):
            args = command.invocation("cosign")
            if args and args[0].text in ("sign", "attest"):
                for token in pipeline.cosign_images(args[1:]):
                    if not pipeline.digest_qualified(token.text):
                        yield command.line, (f"cosign {args[0].text} in target '{name}' targets "
                                             f"'{token.text}', which is not digest-qualified")
                        break


def _by_tag_in_script(script):
    assigned = {}
    for command in script.commands:
        exporting = command.program in ("export", "declare", "readonly", "local")
        for token in (command.argv[1:] if exporting else [] if command.argv else command.tokens):
            name, eq, value = token.text.partition("=")
            if eq:
                assigned[name] = script.expand(value, assigned)
        args = command.invocation("cosign")
        if args and args[0].text in ("sign", "attest"):
            for token in pipeline.cosign_images(args[1:]):
                if not pipeline.digest_qualified(script.expand(token.text, assigned)):
                    yield command.line, (f"cosign {args[0].text} targets '{token.text}', which "
                                         "is not digest-qualified; use image@sha256:<digest>")
                    break


@rule(
    id="PSK102", name="keyless-without-id-token", severity="high", domain="supply-chain",
    requires=("cosign",),
    targets=("workflow",), reference=REF + "#keyless-signing",
    summary="Keyless cosign without `id-token: write`",
    rationale=(
        "Keyless signing trades the job's OIDC token for a short-lived Fulcio certificate. "
        "Without `id-token: write` the job cannot request that token and cosign fails, or, "
        "worse, falls back to an interactive flow that hangs the job until it times out. "
        "Job-level `permissions:` replace the workflow's, so the grant must be where the job "
        "reads it."),
    fix="Grant `id-token: write` (and `packages: write` to push signatures) on the signing job.",
    bad=SIGN_WORKFLOW.replace("      id-token: write\n", ""),
    good=SIGN_WORKFLOW,
    precision="high",
    limits=("Keyless means a `cosign sign` or `attest` without `--key`, `--sk` or "
            "`--identity-token` and without `SIGSTORE_ID_TOKEN` set. Reads cosign in the "
            "job's `run:` steps as the supply-chain readers find it; a reusable workflow "
            "(`on: workflow_call`) that grants no permissions itself is reported even when "
            "its caller grants `id-token: write`."),
)
def keyless_without_id_token(wf):
    for job in wf.jobs:
        if job.grants("id-token"):
            continue
        for call in pipeline.cosign_calls_in(job):
            if call.keyless:
                yield call.line, (f"keyless cosign {call.verb} in job '{job.name}', whose token "
                                  "cannot request an OIDC token: grant id-token: write")


@rule(
    id="PSK103", name="cosign-experimental", severity="low", domain="supply-chain",
    requires=("COSIGN_EXPERIMENTAL",),
    targets=("workflow", "action"), reference=REF + "#troubleshooting",
    summary="`COSIGN_EXPERIMENTAL` leftover",
    rationale=(
        "`COSIGN_EXPERIMENTAL=1` switched on keyless signing in cosign 1.x. Since cosign 2.0 "
        "keyless is the default and signing no longer needs it; cosign 3 reads it only to allow "
        "`--registry-referrers-mode=oci-1-1`. Set for signing, it signals copy-pasted, "
        "unreviewed code and confuses the next reader."),
    fix=("Delete the variable; keep `--yes` on `cosign sign` for non-interactive runs. If a "
         "step really uses `--registry-referrers-mode=oci-1-1`, keep it on that step only, with "
         "a suppression that says so."),
    bad=SIGN_WORKFLOW.replace("    steps:\n", "    env:\n      COSIGN_EXPERIMENTAL: \"1\"\n"
                               "    steps:\n", 1),
    good=SIGN_WORKFLOW,
    precision="high",
    limits=("Reads `env:` mappings (workflow, job, step) and `COSIGN_EXPERIMENTAL=` "
            "assignments or `export`s in `run:` scripts; the variable set in a script outside "
            "the workflow or in the repository's Actions variables is not seen."),
)
def cosign_experimental(wf):
    for env in wf.env_mappings():
        key, _ = nodes.get_pair(env, "COSIGN_EXPERIMENTAL")
        if key is not None:
            yield nodes.line(key), "COSIGN_EXPERIMENTAL is a cosign v1 leftover"
    for step in wf.steps():
        for command in step.commands:
            exporting = command.program == "export"
            for token in command.tokens:
                name = token.text.split("=", 1)[0]
                if name == "COSIGN_EXPERIMENTAL" and ("=" in token.text or exporting):
                    yield token.line, "COSIGN_EXPERIMENTAL is a cosign v1 leftover"
                    break


@rule(
    id="PSK104", name="sign-before-push", severity="medium", domain="supply-chain",
    requires=("cosign",),
    targets=("workflow", "action"), reference=REF + "#keyless-signing",
    summary="`cosign sign` runs before the image is pushed",
    rationale=(
        "cosign stores the signature next to the image in the registry and signs a digest that "
        "must already exist there. Signing before the push fails, or signs an image that was "
        "built earlier and is about to be replaced."),
    fix="Move the signing step after the push and sign the digest the push step outputs.",
    bad="""\
on: push
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      packages: write
      id-token: write
    steps:
      - run: |
          docker build -t ghcr.io/example-org/app:1.0 .
          cosign sign --yes "ghcr.io/example-org/app@${DIGEST}"
          docker push ghcr.io/example-org/app:1.0
""",
    good="""\
on: push
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      packages: write
      id-token: write
    steps:
      - run: |
          docker build -t ghcr.io/example-org/app:1.0 .
          docker push ghcr.io/example-org/app:1.0
          DIGEST="$(crane digest ghcr.io/example-org/app:1.0)"
          cosign sign --yes "ghcr.io/example-org/app@${DIGEST}"
""",
    precision="medium",
    limits=("Order is judged inside one job, by step and by command within a step; a job "
            "whose image is pushed in another job, or by a script or action the reader does "
            "not follow, is not judged. Pushes are those the supply-chain readers recognise "
            "(as in PSK013)."),
)
def sign_before_push(wf):
    for job in wf.jobs:
        if not any(call.verb == "sign" for call in pipeline.cosign_calls_in(job)):
            continue  # no signing: the pushes need not be found
        events = []
        for step in job.steps:
            events.extend(((step.index, i), "push", line) for i, line in pipeline.pushes(step))
        first_push = min((pos for pos, _, _ in events), default=None)
        if first_push is None:
            continue
        for call in pipeline.cosign_calls_in(job):
            if call.verb != "sign":
                continue
            pos = (call.step.index, call.step.commands.index(call.command))
            if pos < first_push:
                yield call.line, "cosign sign runs before the step that pushes the image"
