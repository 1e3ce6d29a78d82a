"""The Dockerfile every container-image example is built from."""

REF = "references/containers.md"
# A placeholder digest (all zeros): the shape of a pin, not a real image.
DIGEST = "@sha256:" + "0" * 64
BASE = "debian:bookworm-slim" + DIGEST


def dockerfile(body="", base=BASE, user="USER 10001:10001\n"):
    """A one-stage Dockerfile on a pinned base that ends as a non-root user."""
    return f"FROM {base}\n{body}{user}"

# Said in every Dockerfile rule's limits: where the Checkov face cannot follow the CLI.
CONTAINERFILE = (" In Checkov, Dockerfiles reach the rule through the `dockerfile` framework, whose "
                 "runner does not pick up files named `Containerfile`; the CLI and the pre-commit "
                 "hook check them.")
