"""``platform-skills pin [PATH ...] [--verify | --diff]``: what the command does.

- ``pin``: rewrite every unpinned ``uses:`` to ``@<sha> # <version>`` and every tagged image
  to ``image:tag@sha256:...``, in place, atomically per file. A reference that cannot be
  resolved is reported with its file:line and reason; every other one is still pinned; the
  exit status is then 2.
- ``pin --diff``: the same edits as a unified diff on stdout; nothing is written.
- ``pin --verify``: nothing is written; each SHA pin's version comment is resolved and a
  comment naming another commit is a PSK009 finding, reported like ``check`` reports
  (same formats, exit 0 clean, 1 findings, 2 errors).

``plan()`` computes the edits without writing; the benchmark calls it.
"""

import os
import signal
import sys

from .. import loader
from ..kinds import YAML_SUFFIXES
from ..model import FileError, Finding
from ..parsers import duplicate_keys
from ..readers import suppressions
from ..readers.pins import VerifiedPin, comment_version
from ..report.style import shown_path
from . import edits, files
from .cache import DEFAULT_JOBS, RunCache
from .errors import ResolveError
from .policy import Policy, trusted_owners
from .redact import redact, remember_url
from .references import dockerfile_references, yaml_references
from .registry_auth import env_problem
from .resolve_git import DEFAULT_GITHUB_URL, ls_remote, remote_url, resolve
from .transport import DEFAULT_TIMEOUT

ENV_GITHUB_URL = "PLATFORM_SKILLS_GITHUB_URL"
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_URL_SCHEMES = ("https://", "http://", "ssh://", "git://", "file://")


class Problem:
    """A reference (or file, line 0) that could not be handled, or a note about one."""

    __slots__ = ("path", "line", "message")

    def __init__(self, path, line, message):
        self.path = path
        self.line = line
        self.message = redact(message)

    def where(self):
        path = shown_path(self.path)
        return f"{path}:{self.line}" if self.line else path


class Change:
    __slots__ = ("line", "old", "new")

    def __init__(self, line, old, new):
        self.line = line
        self.old = old
        self.new = new


class FilePlan:
    """One file's rewrite: its source, the new text and what changed where."""

    __slots__ = ("source", "text", "changes")

    def __init__(self, source, text, changes):
        self.source = source
        self.text = text
        self.changes = changes


class Plan:
    __slots__ = ("files", "errors", "notes", "remotes", "scanned")

    def __init__(self):
        self.files = []    # FilePlan for every file that changes
        self.errors = []   # Problem
        self.notes = []    # Problem: references pin leaves alone and says why
        self.remotes = 0   # distinct remotes (repositories, image tags) asked this run
        self.scanned = 0   # files read


class _Loaded:
    __slots__ = ("source", "kind", "refs", "covered")

    def __init__(self, source, kind, refs):
        self.source = source
        self.kind = kind  # "yaml" or "dockerfile"
        self.refs = refs
        text = source.text
        self.covered = {}  # line -> the suppressions covering it
        if suppressions.MARKER in text:
            for entry in suppressions.parse(text.split("\n")):
                self.covered.setdefault(entry.covers, []).append(entry)


class Resolver:
    """Git refs and image digests, each remote asked once per run, ``jobs`` at a time."""

    def __init__(self, github_url, cache, registry=None, timeout=DEFAULT_TIMEOUT):
        self.github_url = github_url
        self.cache = cache
        self.timeout = timeout
        self._registry = registry

    @property
    def registry(self):
        if self._registry is None:  # the registry client only for runs that meet an image
            from .resolve_oci import RegistryClient
            self._registry = RegistryClient(timeout=self.timeout)
        return self._registry

    def _refs_task(self, owner_repo):
        key = ("git", owner_repo.lower())
        url = remote_url(self.github_url, owner_repo)
        return key, lambda: ls_remote(url, self.timeout)

    def prefetch_refs(self, owner_repo):
        self.cache.submit(*self._refs_task(owner_repo))

    def refs(self, owner_repo):
        return self.cache.get(*self._refs_task(owner_repo))

    def _digest_task(self, image):
        registry = self.registry  # made here, in the calling thread: one client, one token cache
        return ("oci", *image.key()), lambda: registry.digest(image)

    def prefetch_digest(self, image):
        self.cache.submit(*self._digest_task(image))

    def digest(self, image):
        return self.cache.get(*self._digest_task(image))


def github_url_from(given=None, environ=None):
    """``--github-url``, else ``$PLATFORM_SKILLS_GITHUB_URL``, else github.com."""
    environ = os.environ if environ is None else environ
    url = (given or environ.get(ENV_GITHUB_URL) or DEFAULT_GITHUB_URL).rstrip("/")
    remember_url(url)  # a token in it is never printed
    return url


def load(paths, excluded=None, want_dockerfiles=True):
    """Read and parse every candidate file: ``([_Loaded], [Problem], files read, [notes])``."""
    found, missing = files.discover(paths, excluded)
    loaded, problems, notes = [], [Problem(path, 0, message) for path, message in missing], []
    scanned = 0
    for path, root, kind in found:
        if kind == "dockerfile" and not want_dockerfiles:
            continue
        try:
            source = files.read_source(path, root)
        except files.Passed as exc:
            notes.append(Problem(loader.display_path(path), 0, str(exc)))
            continue
        except files.Unreadable as exc:
            if kind == "dockerfile" or path.endswith(YAML_SUFFIXES):
                problems.append(Problem(loader.display_path(path), 0, str(exc)))
            continue
        scanned += 1
        if kind == "dockerfile":  # parsed as check parses it; no second read of the file
            doc, error = loader.document(source.path, source.text)
        else:
            doc, error = loader.load(path, root)
        if isinstance(error, FileError):
            problems.append(Problem(error.path, 0, error.message))
            continue
        if doc is None:
            continue
        if kind == "dockerfile":
            refs = dockerfile_references(doc)
        else:
            duplicates = duplicate_keys(doc.roots) if doc.kind in ("workflow", "action") else ()
            if duplicates:  # GitHub would refuse the file: which `uses:` to pin is not known
                line, message = duplicates[0]
                problems.append(Problem(source.path, line, message))
                continue
            if doc.text != source.text:
                problems.append(Problem(source.path, 0, "the file changed while pin read it"))
                continue
            refs = yaml_references(doc)
        if refs:
            loaded.append(_Loaded(source, kind, refs))
    return loaded, problems, scanned, notes


def plan(paths, github_url=None, jobs=None, trusted=(), excluded=None, registry=None,
         timeout=DEFAULT_TIMEOUT):
    """Every edit pin would make under ``paths``, computed and checked, nothing written.

    ``trusted``: the trusted-owner patterns, or a function giving them for a file's path.

    Returns a Plan; ``Plan.remotes`` is the number of distinct remotes resolved.
    """
    result = Plan()
    loaded, result.errors, result.scanned, result.notes = load(paths, excluded)
    work = []  # (loaded file, [references to pin])
    with RunCache(jobs) as cache:
        resolver = Resolver(github_url_from(github_url), cache, registry, timeout)
        for item in loaded:
            policy = Policy(trusted(item.source.path) if callable(trusted) else trusted)
            chosen = []
            for ref in item.refs:
                if ref.pinned:
                    continue
                skip, note = policy.leave_alone(ref, item.covered.get(ref.line))
                note = note or (None if skip else ref.note)
                if note:
                    result.notes.append(Problem(item.source.path, ref.line, note))
                if skip or ref.note:
                    continue
                chosen.append(ref)
                if ref.kind == "action":
                    resolver.prefetch_refs(ref.owner_repo)
                else:
                    resolver.prefetch_digest(ref.image)
            if chosen:
                work.append((item, chosen))
        for item, chosen in work:
            _plan_file(item, chosen, resolver, result)
        result.remotes = cache.asked
    result.files.sort(key=lambda f: f.source.path)
    return result


def _plan_file(item, chosen, resolver, result):
    source = item.source
    file_edits, changes = [], []
    for ref in chosen:
        try:
            if ref.kind == "action":
                sha, comment = resolve(resolver.refs(ref.owner_repo), ref.owner_repo, ref.ref)
                edit = edits.action_edit(ref, sha, comment)
                shown = f"{edit.value} # {comment}"
            else:
                edit = edits.image_edit(ref, resolver.digest(ref.image))
                shown = edit.value
        except ResolveError as exc:
            result.errors.append(Problem(source.path, ref.line,
                                         f"cannot pin '{ref.value}': {exc}"))
            continue
        file_edits.append(edit)
        changes.append(Change(ref.line, ref.value, shown))
    if not file_edits:
        return
    text = edits.apply(source.text, file_edits)
    check = edits.dockerfile_preserved if item.kind == "dockerfile" else edits.yaml_preserved
    if not check(source.text, text, file_edits):
        result.errors.append(Problem(source.path, 0, "pin could not rewrite this file without "
                                                     "changing more than the references; left alone"))
        return
    result.files.append(FilePlan(source, text, changes))


def verify(paths, github_url=None, jobs=None, excluded=None, timeout=DEFAULT_TIMEOUT):
    """PSK009 findings for every SHA pin whose comment names a tag: ``(findings, errors, files)``."""
    from ..registry import get_rule

    rule = get_rule("PSK009")
    loaded, problems, scanned, _ = load(paths, excluded, want_dockerfiles=False)
    errors = [FileError(p.path, p.message) for p in problems]
    findings = []
    with RunCache(jobs) as cache:
        resolver = Resolver(github_url_from(github_url), cache, timeout=timeout)
        commented = []
        for item in loaded:
            pins = [(ref, comment_version(ref.comment)) for ref in item.refs
                    if ref.kind == "action" and ref.pinned]
            pins = [(ref, tag) for ref, tag in pins if tag]
            for ref, _ in pins:
                resolver.prefetch_refs(ref.owner_repo)
            commented.append((item, pins))
        for item, pins in commented:
            verified = []
            for ref, tag in pins:
                try:
                    refs = resolver.refs(ref.owner_repo)
                except ResolveError as exc:
                    errors.append(FileError(item.source.path, redact(
                        f"line {ref.line}: cannot verify '{ref.value}': {exc}")))
                    continue
                verified.append(VerifiedPin(ref.line, ref.name, ref.ref, tag, refs.tags.get(tag),
                                            refs.tags_at(ref.ref)))
            for line, message in rule.check(verified):
                if not suppressions.covers(item.covered.get(line), rule.id):
                    findings.append(Finding(rule, item.source.path, line, message))
    findings.sort(key=Finding.sort_key)
    errors.sort(key=lambda e: e.path)
    return findings, errors, scanned


# -- the command line -------------------------------------------------------------------

def main(argv):
    """``platform-skills pin ...`` with ``argv`` after ``pin``; returns the exit status."""
    return run(build_parser().parse_args(argv))


def build_parser():
    import argparse

    from ..report import FORMATS

    parser = argparse.ArgumentParser(
        prog="platform-skills pin",
        description="Pin action refs to commit SHAs and image tags to digests, in place. "
                    "The one command that uses the network and writes files.")
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--verify", action="store_true",
                      help="change nothing; report SHA pins whose version comment names another "
                           "commit (PSK009)")
    mode.add_argument("--diff", action="store_true",
                      help="print the edits as a unified diff and write nothing")
    parser.add_argument("--github-url", metavar="URL", default=None,
                        help=f"where action repositories are cloned from (default: "
                             f"${ENV_GITHUB_URL}, else {DEFAULT_GITHUB_URL})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"total time each network operation (one repository's refs, one "
                             f"image's digest) may take (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help=f"resolutions run at once (default: {DEFAULT_JOBS})")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="output format of --verify")
    parser.add_argument("--exclude", action="append", metavar="GLOB",
                        help="skip paths matching this glob (repeatable)")
    parser.add_argument("--no-config", action="store_true",
                        help="ignore .platform-skills.yaml and [tool.platform-skills]")
    return parser


def run(args):
    """Run ``pin`` with parsed arguments; returns the exit status.

    SIGTERM is read as Ctrl-C: either stops every network operation at once (the run cache
    aborts them on the way out) and leaves every file whole.
    """
    previous = _on_sigterm(_interrupt)
    try:
        return _run(args)
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        _say("platform-skills pin: interrupted; no file was half-written", sys.stderr)
        return EXIT_ERROR
    finally:
        _on_sigterm(previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _on_sigterm(handler):
    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (pin called as a library): leave signals alone
        return None


def _say(text, stream=None):
    """Every line pin prints goes through here: credentials never reach a log."""
    print(redact(text), file=stream or sys.stdout)


def _usage(message):
    _say(f"platform-skills pin: error: {message}", sys.stderr)
    return EXIT_ERROR


def _run(args):
    url = github_url_from(args.github_url)
    if not url.startswith(_URL_SCHEMES):
        return _usage(f"--github-url must be a URL ({', '.join(_URL_SCHEMES)}), not {url!r}")
    if args.jobs is not None and args.jobs < 1:
        return _usage("--jobs must be at least 1")
    if not 0 < args.timeout <= 3600:
        return _usage("--timeout must be more than 0 and at most 3600 seconds")
    if args.format != "text" and not args.verify:
        return _usage("--format applies to --verify; pin and --diff print text")
    problem = env_problem(os.environ)
    if problem:
        return _usage(problem)
    # Settings come from the configuration nearest to each file, as for check.
    from ..config import ConfigError
    from ..scopes import Scopes
    try:
        scopes = Scopes(exclude=args.exclude or [], use_config=not args.no_config)
        for path in args.paths:
            scopes.of(path)  # a bad configuration stops the run before any file is read
        if args.verify:
            return _verify(args, url, scopes.excluded)
        result = plan(args.paths, url, args.jobs,
                      lambda path: trusted_owners(scopes.of(path).options), scopes.excluded,
                      timeout=args.timeout)
    except ConfigError as exc:
        return _usage(str(exc))
    return _report(result, args.diff)


def _verify(args, url, excluded):
    from ..report import Report, render

    findings, errors, scanned = verify(args.paths, url, args.jobs, excluded, args.timeout)
    color = args.format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    output = render(args.format, Report(findings, errors, scanned, color=color))
    if output:
        _say(output)
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if findings else EXIT_OK


def _report(result, diff):
    written, errors = [], list(result.errors)
    for item in result.files:
        path = item.source.path
        if diff:
            # the file's own text plus SHAs and digests: printed as is, so the patch applies
            sys.stdout.write(edits.unified_diff(path, item.source.text, item.text))
            continue
        try:
            files.write_atomic(item.source, item.text)
        except OSError as exc:
            errors.append(Problem(path, 0, f"not rewritten: {exc.strerror or exc}"))
            continue
        written.append(item)
        for change in item.changes:
            _say(f"{shown_path(path)}:{change.line}: {change.old} -> {change.new}")
    sys.stdout.flush()  # the diff or the list first, then what went wrong
    for note in sorted(result.notes, key=lambda p: (p.path, p.line)):
        _say(f"{note.where()}: note: {note.message}", sys.stderr)
    for error in sorted(errors, key=lambda p: (p.path, p.line)):
        _say(f"{error.where()}: error: {error.message}", sys.stderr)
    changed = result.files if diff else written
    count = sum(len(item.changes) for item in changed)
    verb = "would pin" if diff else "pinned"
    summary = (f"{verb} {_plural(count, 'reference')} in {_plural(len(changed), 'file')}"
               if count else "nothing to pin")
    summary += (f"; {_plural(result.scanned, 'file')} read, "
                f"{_plural(result.remotes, 'remote')} asked")
    if errors:
        summary += f", {_plural(len(errors), 'error')}"
    _say(summary, sys.stderr if diff else sys.stdout)
    return EXIT_ERROR if errors else EXIT_OK


def _plural(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"
