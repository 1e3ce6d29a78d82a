"""Verified downloads in Dockerfiles and workflows (PSK405-PSK407)."""

import re

from ...model import rule
from ...readers.downloads import env_settings, mentioned, scripts
from ...readers.shell import WRAPPERS, basename
from .examples import CONTAINERFILE, REF, dockerfile

_INTERPRETERS = frozenset(("sh", "bash", "zsh", "dash", "ash", "ksh", "mksh", "python", "python2",
                           "python3", "perl", "node", "nodejs"))
_VERSIONED = re.compile(r"^(python3|node)\.?\d+(\.\d+)*$")
_FETCHERS = frozenset(("curl", "wget"))
_SUBSTITUTED = re.compile(r"(?:\$\(|`)\s*(?:\S*/)?(curl|wget)\b")
# curl's short options that take a value: in a cluster (``-fsSLo file``) everything after
# one of these is its value, not more options.
_CURL_VALUE_OPTIONS = frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz")
_FALSE = frozenset(("false", "0", "no", "off"))


def _interpreter(command):
    """The shell or interpreter a command runs, directly or through a wrapper such as
    ``sudo -E bash``; None for anything else."""
    words = [basename(t.text) for t in command.argv]
    if words and words[0] in WRAPPERS:
        words = [w for w in words[1:] if not w.startswith("-") and "=" not in w][:1]
    if words and (words[0] in _INTERPRETERS or _VERSIONED.match(words[0])):
        return words[0]
    return None


def _fetcher(command):
    first = command.program
    if first in WRAPPERS and len(command.argv) > 1:
        first = next((basename(t.text) for t in command.argv[1:] if not t.text.startswith("-")), "")
    return first if first in _FETCHERS else None


def pipes_to_interpreter(commands):
    """``(line, fetcher, interpreter)`` for each download whose output a shell or interpreter
    runs: ``curl … | sh``, ``sh -c "$(curl …)"``, ``bash <(curl …)``."""
    for i, command in enumerate(commands):
        fetcher = _fetcher(command)
        if fetcher and command.then == "|":
            j = i + 1
            while j < len(commands):
                interpreter = _interpreter(commands[j])
                if interpreter:
                    yield command.line, fetcher, interpreter
                    break
                if commands[j].then != "|":
                    break
                j += 1
        elif _interpreter(command):
            for token in command.argv[1:]:
                match = _SUBSTITUTED.search(token.text)
                if match:
                    yield token.line, match.group(1), _interpreter(command)
                    break
            else:  # ``bash <(curl …)``: the splitter ends the command at ``(``
                after = commands[i + 1] if i + 1 < len(commands) else None
                if command.then == "(" and command.argv[-1].text == "<" and after is not None \
                        and _fetcher(after):
                    yield after.line, _fetcher(after), _interpreter(command)


@rule(
    id="PSK405", name="pipe-to-shell", severity="high", domain="containers",
    requires=mentioned,
    targets=("dockerfile", "workflow", "action"), reference=REF + "#verified-downloads",
    since="0.2.0", example_name="Dockerfile",
    summary="`curl`/`wget` output piped into a shell or interpreter",
    rationale=(
        "`curl https://… | sh` runs whatever the server returns at that moment, with the "
        "build's privileges and credentials, and keeps no record of what ran. A compromised "
        "download host, a hijacked domain or a truncated response becomes part of the image or "
        "of the CI run."),
    fix=("Install from a signed package repository, copy the tool from its image pinned by "
         "digest, or download a pinned version and check it against a committed SHA-256 "
         "(`sha256sum -c`) before running it."),
    bad=dockerfile("RUN curl -fsSL https://downloads.example.com/install.sh | sh\n"),
    good=dockerfile("RUN curl -fsSLo /tmp/tool.tgz https://downloads.example.com/tool-1.2.3.tgz \\\n"
                    " && echo \"" + "0" * 64 + "  /tmp/tool.tgz\" | sha256sum -c - \\\n"
                    " && tar -xzf /tmp/tool.tgz -C /usr/local/bin tool\n"),
    limits=(
        "Flags a pipe from `curl`/`wget` into `sh`, `bash`, `zsh`, `dash`, `ash`, `ksh`, "
        "`python`, `perl` or `node` (also through `sudo`, `env` and further pipe stages), and the "
        "same download run as `sh -c \"$(curl …)\"` or `bash <(curl …)`. Downloading to a file "
        "and running it (`curl -o x && sh x`) is not a pipe and is not flagged, though it is "
        "the same risk without a checksum in between. In a Dockerfile, `RUN` here-documents "
        "are read as shell scripts when the `RUN` runs them with a shell; a here-document fed "
        "to another program (`python3 <<EOF`) is not. hadolint 2.15 has no such rule (its "
        "DL4006 asks for `set -o pipefail` before any pipe, and it fails to parse a `RUN` "
        "that follows a here-document `RUN`); Checkov 3.3 has none either.") + CONTAINERFILE,
    precision="high",
)
def pipe_to_shell(view):
    for commands in scripts(view):
        for line, fetcher, interpreter in pipes_to_interpreter(commands):
            yield line, (f"{fetcher} output is run by {interpreter} without a checksum: the "
                         "script is whatever the server sends")


def _curl_insecure(args):
    for token in args:
        text = token.text
        if text == "--insecure":
            return token
        if text.startswith("-") and not text.startswith("--"):
            for letter in text[1:]:
                if letter == "k":
                    return token
                if letter in _CURL_VALUE_OPTIONS:
                    break
    return None


def _flag(args, *names):
    return next((t for t in args if t.text.split("=", 1)[0] in names), None)


def _invocation(command, *programs):
    for program in programs:
        args = command.invocation(program)
        if args is not None:
            return program, args
    return None, None


def _pip_args(command):
    """Arguments after ``pip`` however it is started: ``pip3``, ``python -m pip``, ``uv pip``."""
    texts = [basename(t.text) for t in command.argv]
    for i, word in enumerate(texts):
        if re.match(r"^pip(\d+(\.\d+)*)?$", word):
            return command.argv[i + 1:]
    return None


def switches(command):
    """``(token, description)`` for each integrity check a command turns off."""
    _, args = _invocation(command, "curl")
    if args is not None:
        token = _curl_insecure(args)
        if token is not None:
            yield token, "curl -k/--insecure turns off TLS certificate verification"
    _, args = _invocation(command, "wget")
    if args is not None:
        token = _flag(args, "--no-check-certificate")
        if token is not None:
            yield token, "wget --no-check-certificate turns off TLS certificate verification"
    args = _pip_args(command)
    if args is not None:
        token = _flag(args, "--trusted-host") or next(
            (t for t in args if t.text.endswith(".trusted-host")), None)
        if token is not None:
            yield token, "pip --trusted-host accepts that index without a valid certificate"
    _, args = _invocation(command, "apk")
    if args is not None:
        token = _flag(args, "--allow-untrusted")
        if token is not None:
            yield token, "apk --allow-untrusted installs packages without a trusted signature"
    program, args = _invocation(command, "apt-get", "apt", "aptitude")
    if args is not None:
        token = _flag(args, "--allow-unauthenticated", "--force-yes") or next(
            (t for t in args if t.text.lower().endswith("allowunauthenticated=true")), None)
        if token is not None:
            yield token, f"{program} {token.text.split('=', 1)[0]} installs unauthenticated packages"
    _, args = _invocation(command, "rpm")
    if args is not None:
        token = _flag(args, "--nosignature", "--nodigest")
        if token is not None:
            yield token, f"rpm {token.text} skips package signature or digest checks"
    program, args = _invocation(command, "yum", "dnf", "tdnf", "microdnf")
    if args is not None:
        token = _flag(args, "--nogpgcheck") or next(
            (t for t in args if re.search(r"sslverify['\"]?=['\"]?(0|false|no)\b", t.text, re.I)),
            None)
        if token is not None:
            yield token, f"{program} {token.text} turns off package signature or TLS checks"
    program, args = _invocation(command, "npm", "yarn")
    if args is not None:
        words = [t.text for t in args]
        for i, word in enumerate(words):
            key, _, inline = word.partition("=")
            if key == "strict-ssl" and "set" in words[:i]:
                value = inline or (words[i + 1] if i + 1 < len(words) else "")
                if value.lower() == "false":
                    yield args[i], f"{program} config set strict-ssl false turns off TLS verification"
                    break
    _, args = _invocation(command, "git")
    if args is not None:
        words = [t.text.lower() for t in args]
        for i, word in enumerate(words):
            key, _, inline = word.partition("=")
            if key == "http.sslverify":
                value = inline or (words[i + 1] if i + 1 < len(words) else "")
                if value in _FALSE:
                    yield args[i], "git http.sslVerify=false turns off TLS certificate verification"
                    break
    for token in command.tokens:
        name, eq, value = token.text.partition("=")
        if eq:
            problem = environment_switch(name, value)
            if problem:
                yield token, problem


def environment_switch(name, value):
    """What setting an environment variable to ``value`` turns off, or None."""
    value = value.strip().strip("\"'")
    if name == "GIT_SSL_NO_VERIFY":
        return "GIT_SSL_NO_VERIFY turns off TLS certificate verification for git (any value does)"
    if name == "NODE_TLS_REJECT_UNAUTHORIZED" and value == "0":
        return "NODE_TLS_REJECT_UNAUTHORIZED=0 turns off TLS certificate verification for Node.js"
    if name == "PIP_TRUSTED_HOST" and value:
        return "PIP_TRUSTED_HOST accepts that index without a valid certificate"
    if name.upper() == "NPM_CONFIG_STRICT_SSL" and value.lower() == "false":
        return "NPM_CONFIG_STRICT_SSL=false turns off TLS verification for npm"
    if name == "PYTHONHTTPSVERIFY" and value == "0":
        return "PYTHONHTTPSVERIFY=0 turns off TLS certificate verification for Python"
    return None


@rule(
    id="PSK406", name="integrity-check-disabled", severity="high", domain="containers",
    requires=mentioned,
    targets=("dockerfile", "workflow", "action"), reference=REF + "#verified-downloads",
    since="0.2.0", example_name="Dockerfile",
    summary="TLS or package-signature verification switched off",
    rationale=(
        "TLS certificates and package signatures are what make downloading from the internet "
        "safe enough. Switches such as `curl -k`, `pip --trusted-host` or `apk "
        "--allow-untrusted` are usually added once to get past a proxy, then copied everywhere, "
        "where they accept any attacker in the network path."),
    fix=("Trust the certificate instead of disabling the check: add the internal CA to the "
         "image's trust store (`update-ca-certificates`), point the tool at it (`PIP_CERT`, "
         "`NODE_EXTRA_CA_CERTS`, `GIT_SSL_CAINFO`), and import repository signing keys."),
    bad=dockerfile("RUN curl -k -fsSLo /tmp/ca.pem https://pki.internal.example/ca.pem\n"),
    good=dockerfile("RUN curl -fsSLo /tmp/ca.pem https://pki.internal.example/ca.pem\n"),
    limits=(
        "Reads `RUN` and `ENV` in Dockerfiles and `run:`/`env:` in workflows and composite "
        "actions: `curl -k`/`--insecure` (also inside a short-option cluster such as `-fsSLk`), "
        "`wget --no-check-certificate`, `pip --trusted-host` and `pip config set "
        "global.trusted-host`, `apk --allow-untrusted`, `apt-get`/`apt` "
        "`--allow-unauthenticated`, `--force-yes` or `APT::Get::AllowUnauthenticated=true`, "
        "`rpm --nosignature`/`--nodigest`, `yum`/`dnf`/`tdnf`/`microdnf --nogpgcheck` or "
        "`--setopt=sslverify=0`, `npm`/`yarn config set strict-ssl false`, `git` "
        "`http.sslVerify=false`, and the variables `GIT_SSL_NO_VERIFY` (any value), "
        "`NODE_TLS_REJECT_UNAUTHORIZED=0`, `PIP_TRUSTED_HOST`, `NPM_CONFIG_STRICT_SSL=false` "
        "and `PYTHONHTTPSVERIFY=0`. Checkov 3.3's CKV2_DOCKER_2 to CKV2_DOCKER_16 graph checks "
        "match most of these with regular expressions over whole instructions, in Dockerfiles "
        "only and at the instruction's first line; their curl pattern also fires on a value "
        "that holds a `k` (`-fsSLokubectl`), and they miss `APT::Get::AllowUnauthenticated`, "
        "`pip config set global.trusted-host` and `git -c http.sslVerify=false`. hadolint has "
        "no such rule. Configuration files (`.curlrc`, `pip.conf`, `.npmrc`) are not read.") + CONTAINERFILE,
    precision="high",
)
def integrity_check_disabled(view):
    for commands in scripts(view):
        for command in commands:
            for token, problem in switches(command):
                yield token.line, problem
    for name, value, line in env_settings(view):
        problem = environment_switch(name, value)
        if problem:
            yield line, problem


_REMOTE = re.compile(r"^https?://", re.I)
_GIT_COMMIT = re.compile(r"\.git#[0-9a-f]{40}(:.*)?$|#[0-9a-f]{40}$", re.I)


@rule(
    id="PSK407", name="remote-add-without-checksum", severity="medium", domain="containers",
    targets=("dockerfile",), reference=REF + "#verified-downloads", since="0.2.0",
    example_name="Dockerfile",
    summary="`ADD http(s)://…` without `--checksum=sha256:…`",
    rationale=(
        "`ADD` with a URL downloads at build time and trusts whatever the server returns. "
        "Without `--checksum` a changed or tampered file goes into the image silently; with it "
        "BuildKit fails the build on a mismatch."),
    fix=("Add the expected digest: `ADD --checksum=sha256:<64 hex> https://…/tool.tgz /tmp/` "
         "(Dockerfile syntax 1.6 and later), or `COPY --from=` the tool's image pinned by digest."),
    bad=dockerfile("ADD https://downloads.example.com/tool-1.2.3.tgz /tmp/tool.tgz\n"),
    good=dockerfile("ADD --checksum=sha256:" + "0" * 64 +
                    " https://downloads.example.com/tool-1.2.3.tgz /tmp/tool.tgz\n"),
    limits=(
        "A `--checksum` whose value is a variable (`--checksum=${TOOL_SHA256}`) counts. A git "
        "source pinned to a 40-hex commit (`ADD https://github.com/org/repo.git#<sha>`) is "
        "already content-addressed and passes. hadolint's DL3020 asks for `COPY` instead of "
        "`ADD` for local files and Checkov's CKV_DOCKER_4 flags every `ADD`; neither looks at "
        "`--checksum`.") + CONTAINERFILE,
    precision="high",
)
def remote_add_without_checksum(df):
    for ins in df.of("ADD"):
        checksum = ins.flag("checksum")
        if checksum:
            continue
        sources = [a for a in ins.args[:-1] if _REMOTE.match(a) and not _GIT_COMMIT.search(a)]
        if sources:
            yield ins.line, f"ADD downloads '{sources[0]}' without --checksum"
