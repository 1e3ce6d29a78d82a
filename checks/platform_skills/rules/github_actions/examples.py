"""The one-job workflow every GitHub Actions example is built from."""

REF = "references/github-actions.md"
CHECKOUT = "uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"


def workflow(step, permissions="permissions:\n  contents: read\n"):
    """A one-job workflow around ``step``."""
    return (f"on: push\n{permissions}jobs:\n  build:\n    runs-on: ubuntu-latest\n"
            f"    steps:\n      - {step}\n")
