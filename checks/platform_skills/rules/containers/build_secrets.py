"""Credentials passed through build arguments or image environment (PSK404)."""

from ...model import rule
from ...readers.dockerfile import arg_declarations, env_pairs
from .examples import CONTAINERFILE, REF, dockerfile

_SECRET_WORDS = ("TOKEN", "PASSWORD", "PASSWD", "SECRET", "PRIVATE_KEY", "API_KEY", "ACCESS_KEY")
_LOCATIONS = ("_FILE", "_PATH", "_URL")


def secret_like(name):
    """Whether a variable name says it holds a credential (not where one is kept)."""
    upper = name.upper()
    return any(word in upper for word in _SECRET_WORDS) and not upper.endswith(_LOCATIONS)


@rule(
    id="PSK404", name="secret-in-build-arg", severity="high", domain="containers",
    targets=("dockerfile",), reference=REF + "#build-secrets", since="0.2.0",
    example_name="Dockerfile",
    summary="An `ARG` or `ENV` named like a secret",
    rationale=(
        "Build arguments are recorded in the image history and in detailed provenance, and "
        "`ENV` values are stored in the image configuration: anyone who can pull the image can "
        "read them with `docker history` or `docker image inspect`, long after the build."),
    fix=("Pass the credential as a BuildKit secret: `RUN --mount=type=secret,id=npm_token,"
         "env=NPM_TOKEN npm ci`, and `docker buildx build --secret id=npm_token,env=NPM_TOKEN`."),
    bad=dockerfile("ARG NPM_TOKEN\nRUN npm ci\n"),
    good=dockerfile("RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci\n"),
    limits=(
        "Judged by name: `TOKEN`, `PASSWORD`, `PASSWD`, `SECRET`, `PRIVATE_KEY`, `API_KEY` or "
        "`ACCESS_KEY` anywhere in it, unless it ends in `_FILE`, `_PATH` or `_URL` (a location, "
        "not the value). A name that says nothing (`ARG CREDS`) is not found, and a "
        "non-secret that happens to match (`ENV PASSWORD_MIN_LENGTH=12`) needs a suppression. "
        "BuildKit's own `SecretsUsedInArgOrEnv` build check (`docker build --check`) also "
        "judges key names. hadolint 2.15's DL3064 reports once per instruction, at its first "
        "line, and flags `TOKEN_FILE`-style names too; this rule points at each key's own line "
        "inside a multi-line `ENV`. Checkov 3.3 has no such Dockerfile check.") + CONTAINERFILE,
    precision="medium",
)
def secret_in_build_arg(df):
    for ins in df.of("ARG", "ENV"):
        names = [n for n, _ in (arg_declarations(ins) if ins.keyword == "ARG" else env_pairs(ins))]
        for name in names:
            if secret_like(name):
                yield df.key_line(ins, name), (
                    f"{ins.keyword} {name} carries a credential into the image's history or "
                    "configuration; use RUN --mount=type=secret")
