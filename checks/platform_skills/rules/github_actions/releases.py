"""Release jobs that trust state others can write: caches and stored credentials (PSK013, PSK014)."""

import re
from bisect import bisect_left

from ... import nodes
from ...fixes import Fix, add_pair, plain_node, replace_scalar
from ...model import AnyCase, rule
from ...readers.caches import cache_restores
from ...readers.publishing import job_publishing, uploads
from .examples import CHECKOUT, REF

_RELEASE = f"""\
on:
  push:
    tags: ["v*"]
permissions:
  contents: write
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - {CHECKOUT}
        with:
          persist-credentials: false
      - uses: actions/setup-python@e797f83bcb11b83ae66e0230d6156d7c80228e7c # v6.0.0
        with:
          python-version: "3.12"
          cache: pip
      - run: python -m build
      - env:
          GH_TOKEN: ${{{{ github.token }}}}
          TAG: ${{{{ github.ref_name }}}}
        run: gh release create "$TAG" dist/*
"""


def _first_at_or_after(places, indexes, index):
    """The first ``(step, where, what)`` of ``places`` (in step order, their step indexes
    in ``indexes``) at or after step ``index``."""
    at = bisect_left(indexes, index)
    return places[at] if at < len(places) else None


def _who(job):
    return f"job '{job.name}'" if job.workflow.kind == "workflow" else "the composite action"


@rule(
    id="PSK013", name="cache-in-release", severity="high", domain="github-actions",
    targets=("workflow", "action"), reference=REF + "#cache-poisoning-in-release-jobs",
    since="0.2.0",
    summary="A job that publishes and restores a cache",
    rationale=(
        "The Actions cache is shared by the whole repository: anything that runs in the "
        "default branch's context, `pull_request_target` jobs included, can write an entry "
        "that a later release restores. What the attacker put there (a patched dependency, a "
        "modified build tool) is then built into the artifact you sign and publish, with "
        "valid provenance. The Ultralytics releases of December 2024 were poisoned this way."),
    fix=(
        "Build releases from a clean runner: drop `cache:` from `setup-*` actions, the "
        "`actions/cache` step and `cache-from: type=gha` in jobs that publish. If the build "
        "is too slow without a cache, build in one job and publish in another, with lock "
        "files or hashes so a poisoned download fails."),
    bad=_RELEASE,
    good=_RELEASE.replace("          cache: pip\n", ""),
    limits=(
        "\"Publishes\" means an image push (as the supply-chain rules see it), `gh release "
        "create|upload`, `softprops/action-gh-release`, `pypa/gh-action-pypi-publish`, "
        "`npm|pnpm|yarn publish`, `twine upload` and `goreleaser release` (not "
        "`--snapshot`, not `goreleaser-action` with `install-only`), in the same job and at "
        "or after the cache step; publishing inside a script file (`pnpm release`, "
        "`script/release`), a local action or a called workflow is not seen. Caches: "
        "`actions/cache[/restore]`, `Swatinem/rust-cache`, `setup-*` actions with a "
        "`cache:` input, `actions/setup-go` (which caches unless `cache: false`), "
        "`ruby/setup-ruby` `bundler-cache`, `astral-sh/setup-uv` `enable-cache`, and "
        "`docker/build-push-action` `cache-from: type=gha` (zizmor does not report the "
        "last one). `actions/setup-node` from v5 also caches npm projects whose "
        "`package.json` names a package manager; that depends on a file we do not read and "
        "is not reported. A cache switched on by an expression counts as on. zizmor's "
        "`cache-poisoning` also reads `if:` conditions and expressions that turn the cache "
        "off for tag builds, and reports every cache in a workflow triggered by releases or "
        "tags, publishing or not, and after the publishing step; we report jobs that "
        "publish after restoring the cache, whatever the trigger, composite actions "
        "included."),
    precision="high",
)
def cache_in_release(wf):
    for job in wf.jobs:
        restoring = [(step, restores) for step in job.steps
                     for restores in (cache_restores(step),) if restores]
        if not restoring:
            continue  # cheaper to ask first: most jobs restore no cache
        published = job_publishing(job)
        if not published:
            continue
        indexes = [p[0].index for p in published]
        for step, restores in restoring:
            if step.index > indexes[-1]:
                break
            _, at, what = _first_at_or_after(published, indexes, step.index)
            for where, restored in restores:
                yield where, (f"{_who(job)}: {restored}, then publishes ({what}); a "
                              "poisoned cache ends up in the release"), \
                    [(at, f"publishes: {what}")]


_WORKSPACE = ("${{ github.workspace }}", "${{github.workspace}}", "$GITHUB_WORKSPACE",
              "${GITHUB_WORKSPACE}")
# upload-pages-artifact uploads _site/ when no path is given.
_DEFAULT_UPLOAD = {"actions/upload-pages-artifact": "_site/"}


def _workspace_path(text):
    """A path relative to the workspace, ``/``-separated, without ``./`` or a trailing
    ``/`` (``""`` is the workspace itself); None when it is elsewhere or computed."""
    text = text.strip().strip("'\"")
    for prefix in _WORKSPACE:
        if text == prefix or text.startswith(prefix + "/"):
            text = text[len(prefix):].lstrip("/") or "."
            break
    if text.startswith("/") or "${{" in text or "$" in text or text.startswith("~"):
        return None
    parts = [p for p in text.split("/") if p not in ("", ".")]
    return None if ".." in parts else "/".join(parts)


def _can_carry(step, checkout_dir):
    """Whether an upload step's ``path:`` can include ``.git`` of a checkout at
    ``checkout_dir``: the workspace root, a pattern starting with ``*`` there, or the
    checkout's directory (or one above it); ``!`` lines excluding ``.git`` undo it."""
    if checkout_dir is None:
        return False
    text = nodes.text(step.input("path"), _DEFAULT_UPLOAD.get(step.action, ""))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    excluded = [_workspace_path(line[1:]) for line in lines if line.startswith("!")]
    if any(x is not None and x.split("/")[-1] == ".git" or x in ("**/.git/**", ".git/**")
           for x in excluded):
        return False
    for line in lines:
        if line.startswith("!"):
            continue
        path = _workspace_path(line)
        if path is None:
            continue
        if path == "" or path.startswith("*") or path == checkout_dir or \
                checkout_dir.startswith(path + "/"):
            return True
    return False


@rule(
    id="PSK014", name="checkout-persists-credentials", severity="medium", domain="github-actions",
    requires=AnyCase("actions/checkout"),
    targets=("workflow", "action"), reference=REF + "#checkout-credentials", since="0.2.0",
    summary="`actions/checkout` keeps its credential in a job that uploads artifacts or publishes",
    rationale=(
        "`actions/checkout` stores the token it used for later git commands unless "
        "`persist-credentials: false`. Every later step can read it: an artifact of the "
        "workspace ships it to whoever downloads the artifact (the ArtiPACKED leaks of 2024), "
        "and in a release job a compromised build tool can push commits or move tags with it."),
    fix=(
        "Set `persist-credentials: false` on the checkout and hand the token only to the step "
        "that needs it (`GH_TOKEN: ${{ github.token }}`). A job that must `git push` gets its "
        "own small job without other actions."),
    bad=_RELEASE.replace("        with:\n          persist-credentials: false\n", "").replace(
        "          cache: pip\n", ""),
    good=_RELEASE.replace("          cache: pip\n", ""),
    limits=(
        "Only jobs that publish (as PSK013 defines it) or upload artifacts "
        "(`actions/upload-artifact`, `actions/upload-pages-artifact`) after the checkout, and "
        "an upload only when its `path:` can include the checkout's `.git`: the workspace "
        "(`.`, `./`, `${{ github.workspace }}`), a pattern starting with `*` or `**` at the "
        "workspace root, or the checkout's own `path:` directory (or a folder above it); "
        "a `!` line excluding `.git` undoes it. Uploading `bin/`, `site/` or `coverage.out` "
        "cannot carry the token; a path computed by an expression is not judged. "
        "`upload-artifact` 4.4 and later also leave hidden files such as `.git` out unless "
        "`include-hidden-files: true`; the rule does not read the action's version. "
        "zizmor's `artipacked` reports every checkout that persists credentials. A "
        "`persist-credentials` set by an expression is taken as the author's decision and "
        "not reported; an explicit `persist-credentials: true` is (zizmor accepts it as a "
        "decision). Checkout v6 stores the credential outside `.git/config`, which stops "
        "the artifact leak but not a later step from reading it, so it is still reported. "
        "`check --fix` does not add `persist-credentials: false` where a later step of the "
        "job runs `git push`, `fetch`, `pull`, `ls-remote` or `submodule` (in a private "
        "repository they need the stored credential), or uses an action that pushes commits."),
    fixable=True,
    precision="high",
)
def checkout_persists_credentials(wf):
    for job in wf.jobs:
        if not any(step.action == "actions/checkout" for step in job.steps):
            continue  # nothing to report, whatever the job publishes
        published = list(job_publishing(job))
        uploaded = [(s, where, what) for s in job.steps for where, what in uploads(s)]
        if not published and not uploaded:
            continue
        for step in job.steps:
            if step.action != "actions/checkout":
                continue
            persist = nodes.text(step.input("persist-credentials"), "true").strip().lower()
            if persist == "false" or "${{" in persist:
                continue
            checkout_dir = _workspace_path(nodes.text(step.input("path"), ""))
            targets = published + [t for t in uploaded if _can_carry(t[0], checkout_dir)]
            targets.sort(key=lambda t: t[0].index)
            indexes = [t[0].index for t in targets]
            later = _first_at_or_after(targets, indexes, step.index + 1)
            if later:
                _, where, what = later
                yield step.uses, (f"checkout in {_who(job)} leaves its token on disk "
                                  f"(no persist-credentials: false) and a later step {what}"), \
                    [(where, what)], Fix(_no_persisted_credentials, step)


# A later step that talks to the remote through git needs the stored credential (in a
# private repository, even to fetch): taking it away would break the job, so no fix there.
_REMOTE_GIT = re.compile(r"\bgit\b[^\n;|&]*?\s(?:push|fetch|pull|ls-remote|submodule)\b")
_PUSHING_ACTIONS = ("stefanzweifel/git-auto-commit-action", "endbug/add-and-commit",
                    "ad-m/github-push-action")


def _no_persisted_credentials(text, step):
    """``persist-credentials: false`` on the checkout: the value replaced when it is set,
    else a first line in ``with:``, else a ``with:`` after the ``uses:`` line. Not where a
    later step of the job runs git against the remote."""
    if not plain_node(text, step.node, step.with_):
        return None
    for later in (s for s in step.job.steps if s.index > step.index):
        if later.action in _PUSHING_ACTIONS or nodes.is_scalar(later.run) and \
                _REMOTE_GIT.search(later.run.value):
            return None
    key, value = nodes.get_pair(step.with_, "persist-credentials")
    if key is not None:
        return replace_scalar(text, value, "false")
    if step.with_ is not None:
        return add_pair(text, step.with_, [(0, "persist-credentials: false")])
    return add_pair(text, step.node, [(0, "with:"), (1, "persist-credentials: false")],
                    after=("uses",))
