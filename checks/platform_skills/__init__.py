"""platform-skills: supply-chain rules for GitHub Actions, Kyverno and Kubernetes."""


def version():
    """The installed package version (pyproject.toml is its single source)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _version
    try:
        return _version("platform-skills")
    except PackageNotFoundError:
        return "0+unknown"
