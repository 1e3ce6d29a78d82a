"""The user the image runs as (PSK403)."""

from ...model import rule
from .examples import CONTAINERFILE, REF, dockerfile

_ROOT = frozenset(("root", "0"))


def effective_user(df):
    """The ``USER`` instruction the final stage runs as (inherited from an earlier stage it
    is built on), or None when no ``USER`` applies."""
    stage = df.final
    while stage is not None:
        users = [i for i in stage.instructions if i.keyword == "USER" and i.args]
        if users:
            return users[-1]
        stage = stage.parent
    return None


@rule(
    id="PSK403", name="runs-as-root-image", severity="medium", domain="containers",
    targets=("dockerfile",), reference=REF + "#non-root-user", since="0.2.0",
    example_name="Dockerfile",
    summary="The final stage runs as root: no `USER`, or `USER root`/`0`",
    rationale=(
        "An image without a `USER` runs as root unless the platform overrides it. A "
        "container-escape bug that starts as root is a node compromise, and Kubernetes' "
        "`runAsNonRoot` can only refuse such an image at start-up, when the deploy is already "
        "under way."),
    fix=("End the final stage with a numeric, non-zero user: `USER 10001:10001` (create it in a "
         "build stage if the base has no such user)."),
    bad=dockerfile(user=""),
    good=dockerfile(),
    limits=(
        "Only the final stage counts, and a final stage built `FROM` an earlier stage inherits "
        "that stage's `USER`. The check reads the Dockerfile, not the base image's "
        "configuration: a base that already sets a non-root user (distroless `:nonroot`) is "
        "still flagged until the Dockerfile says `USER` itself, so that a later base swap "
        "cannot bring root back silently. `USER ${UID}` is taken as non-root. hadolint's DL3002 "
        "flags only an explicit last `USER root`; Checkov's CKV_DOCKER_3 flags a file with no "
        "`USER` in any stage and CKV_DOCKER_8 a last `USER root`.") + CONTAINERFILE,
    precision="high",
)
def runs_as_root_image(df):
    user = effective_user(df)
    if user is None:
        yield df.final.instruction.line, "the final stage sets no USER, so the image runs as root"
        return
    value = user.args[0]
    if value.split(":", 1)[0].lower() in _ROOT:
        yield user.line, f"the image runs as root: the final stage's last USER is '{value}'"
