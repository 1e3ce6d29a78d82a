"""Secrets and keys in workflows: static cloud keys, passwords in the file, secrets handed
over wholesale (PSK015, PSK016, PSK018)."""

import re

from ... import nodes
from ...model import rule
from ...readers.expressions import calls, located, pasted_paths
from .examples import REF, workflow

# Login actions and the input that takes a long-lived key.
_KEY_INPUTS = {
    "aws-actions/configure-aws-credentials": "aws-access-key-id",
    "azure/login": "creds",
    "google-github-actions/auth": "credentials_json",
}
_KEY_ENV = frozenset(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GOOGLE_APPLICATION_CREDENTIALS",
                      "AZURE_CLIENT_SECRET"))
_RUNTIME = ("steps", "needs", "job")  # values issued while the job runs, not stored keys
_TOJSON_SECRETS = re.compile(r"tojson\s*\(\s*secrets\s*\)")  # on lower-cased text
# Words a finding needs in the file: files without any of them are skipped unread.
_CLOUD_WORDS = (*_KEY_INPUTS.values(), *_KEY_ENV)

_AWS = ("uses: aws-actions/configure-aws-credentials@a03048d87541d1d9fcf2ecf528a4a65ba9bd7838"
        " # v5.0.0\n        with:\n")


def _issued_at_run_time(value):
    paths = pasted_paths(value)
    return bool(paths) and all(p[0] in _RUNTIME for p in paths)


@rule(
    id="PSK015", name="static-cloud-credentials", severity="high", domain="github-actions",
    targets=("workflow", "action"), reference=REF + "#oidc-instead-of-stored-cloud-keys",
    since="0.2.0",
    summary="Long-lived cloud keys handed to a login step or set in `env:`",
    rationale=(
        "An access key in repository secrets is valid until someone rotates it and works from "
        "anywhere once it leaks; any step that is handed it can copy it. In the GhostAction "
        "campaign of September 2025 one pushed workflow sent 3,325 such secrets out of 817 "
        "repositories. With OIDC the job trades a short-lived GitHub token for credentials "
        "that expire with the job, and the cloud side decides which repository, branch or "
        "environment may assume which role."),
    fix=(
        "Grant `id-token: write` to the deploying job and log in with OIDC: `role-to-assume` "
        "for `aws-actions/configure-aws-credentials`, `client-id`/`tenant-id`/`subscription-id` "
        "for `azure/login`, `workload_identity_provider` for `google-github-actions/auth`. "
        "Then deactivate and delete the stored key."),
    bad=workflow(_AWS + "          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
                 "          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n"
                 "          aws-region: eu-west-1"),
    good=workflow(_AWS + "          role-to-assume: arn:aws:iam::111122223333:role/deploy\n"
                  "          aws-region: eu-west-1",
                  permissions="permissions:\n  contents: read\n  id-token: write\n"),
    limits=(
        "A key input filled only from step or job outputs (a vault action that issues "
        "short-lived credentials) is not reported. Environment variables count only when set "
        "from `secrets.*` in an `env:` mapping; a key exported inside a script, or written to "
        "a credentials file, is not seen. zizmor has no equivalent audit."),
    precision="high",
)
def static_cloud_credentials(wf):
    text = wf.doc.text
    if not any(word in text for word in _CLOUD_WORDS):
        return
    for step in wf.steps():
        name = _KEY_INPUTS.get(step.action)
        key, value = nodes.get_pair(step.with_, name) if name else (None, None)
        if key is not None and nodes.text(value, "").strip() and \
                not _issued_at_run_time(nodes.text(value, "")):
            yield key, (f"{step.action} logs in with '{name}', a long-lived key; "
                        "use OIDC (id-token: write) instead")
    for env in wf.env_mappings():
        for name, key, value in nodes.pairs(env):
            if name in _KEY_ENV and any(
                    p[0] == "secrets" for p in pasted_paths(nodes.text(value, ""))):
                yield key, (f"{name} is set from a stored secret, a long-lived cloud key; "
                            "use OIDC (id-token: write) instead")


_CONTAINER = """\
on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    container:
      image: registry.example.com/ci/tools@sha256:0000000000000000000000000000000000000000000000000000000000000000
      credentials:
        username: ci-reader
        password: {password}
    steps:
      - run: make test
"""


def _literal(value):
    text = nodes.text(value, "").strip()
    return bool(text) and "${{" not in text


@rule(
    id="PSK016", name="hardcoded-registry-credentials", severity="high", domain="github-actions",
    targets=("workflow", "action"), reference=REF + "#registry-credentials-in-the-workflow-file",
    since="0.2.0",
    summary="Registry password written into the workflow",
    rationale=(
        "A password in a workflow file is readable by everyone who can read the repository, "
        "its forks and clones, and it stays in the git history after the line is deleted. "
        "Registry accounts used by CI can often push as well as pull."),
    fix=(
        "Read it from a secret (`password: ${{ secrets.REGISTRY_TOKEN }}`), or for GHCR use "
        "`${{ github.token }}` with `packages: read`; then rotate the password that was in "
        "the file."),
    bad=_CONTAINER.format(password="pull-only-2024"),
    good=_CONTAINER.format(password="${{ secrets.CI_REGISTRY_TOKEN }}"),
    limits=(
        "Reads `password:` under a job's or a service's `credentials` and the `password` "
        "input of `docker/login-action`; other actions' inputs and passwords inside scripts "
        "are not seen. zizmor's `hardcoded-container-credentials` covers the first two, "
        "reported at the `credentials:` line, not `docker/login-action`."),
    precision="high",
)
def hardcoded_registry_credentials(wf):
    if "password" not in wf.doc.text:
        return
    for job in wf.jobs if wf.kind == "workflow" else ():
        holders = [("the job container", nodes.get(job.node, "container"))]
        holders += [(f"service '{name}'", service)
                    for name, _, service in nodes.pairs(nodes.get(job.node, "services"))]
        for who, holder in holders:
            key, value = nodes.get_pair(nodes.get(holder, "credentials"), "password")
            if key is not None and _literal(value):
                yield key, (f"{who} of job '{job.name}' has a literal registry password; "
                            "read it from a secret")
    for step in wf.steps():
        if step.action == "docker/login-action":
            key, value = nodes.get_pair(step.with_, "password")
            if key is not None and _literal(value):
                yield key, "docker/login-action is given a literal password; read it from a secret"


_CALLER = """\
on: push
permissions:
  contents: read
jobs:
  deploy:
    uses: {uses}
    secrets: inherit
"""
_REMOTE_WORKFLOW = ("example-org/platform-workflows/.github/workflows/deploy.yml"
                    "@0000000000000000000000000000000000000000 # v1.4.0 (placeholder SHA)")


def _scalars(root):
    """Every scalar node under ``root`` that holds an expression, each node once."""
    return (node for node in nodes.walk(root) if node.id == "scalar" and "${{" in node.value)


@rule(
    id="PSK018", name="secrets-inherit", severity="medium", domain="github-actions",
    targets=("workflow", "action"), reference=REF + "#secrets-handed-over-wholesale", since="0.2.0",
    summary="`secrets: inherit` to another repository's workflow, or `toJSON(secrets)`",
    rationale=(
        "`secrets: inherit` hands every secret the caller can see to the called workflow; when "
        "that workflow lives in another repository, its next commit decides what happens to "
        "them. `toJSON(secrets)` puts every secret into one value, so a step that needed one "
        "token gets all of them, and so does every tool it starts."),
    fix=(
        "Declare the secrets the called workflow needs under `on.workflow_call.secrets` and "
        "map them explicitly in the caller; give a step only the secrets it uses, one "
        "`env:` entry each."),
    bad=_CALLER.format(uses=_REMOTE_WORKFLOW),
    good=_CALLER.format(uses="./.github/workflows/deploy.yml"),
    limits=(
        "`secrets: inherit` to a local `./` workflow is reviewed with the caller and not "
        "reported; zizmor's `secrets-inherit` reports it too, at the `uses:` line. `toJSON(secrets)` is found in "
        "any value of the file, whatever the function's spelling; other ways to enumerate "
        "secrets are not. zizmor reports `toJSON(secrets)` as `overprovisioned-secrets`."),
    precision="very-high",
)
def secrets_inherit(wf):
    for job in wf.jobs if wf.kind == "workflow" and "inherit" in wf.doc.text else ():
        key, value = nodes.get_pair(job.node, "secrets")
        if key is not None and nodes.text(value, "").strip() == "inherit" and \
                job.ref is not None and job.ref.kind == "remote":
            yield key, (f"job '{job.name}' passes every secret (secrets: inherit) to "
                        f"'{job.ref.name}' in another repository; map only the secrets it needs")
    lowered = wf.doc.text.lower()  # function and context names are case-insensitive
    if "tojson" not in lowered or not _TOJSON_SECRETS.search(lowered):
        return
    lines = wf.doc.lines
    for node in _scalars(wf.root):
        for line, tree in located(node, lines):
            if any(name == "tojson" and args == (("path", ("secrets",)),)
                   for name, args in calls(tree)):
                yield line, "toJSON(secrets) hands every secret to this value; pass only the ones it needs"
