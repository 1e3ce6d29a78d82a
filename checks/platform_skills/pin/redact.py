"""The one place pin's words pass through before anyone reads them: credentials removed.

pin handles secrets: a token in ``--github-url`` (GitHub Enterprise users put one there),
registry passwords, bearer tokens, and whatever a hostile server echoes back. Every message,
error and log line is passed through ``redact`` before it is printed, so a CI log never keeps
one. Two nets, because either alone can miss:

- shapes: the userinfo of any URL, ``Authorization``-style headers, ``Basic``/``Bearer``
  credentials, and secret-looking query or form parameters (``token=``, ``password=``, ...);
- values: every credential pin itself was given is remembered (``remember``) and blotted out
  wherever it appears, also percent-encoded, whatever shape surrounds it.
"""

import re
import threading
from urllib.parse import quote, unquote

MASK = "***"
_MIN_SECRET = 4  # shorter values ("ci", "x") would blot out ordinary words

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@]*@")
_HEADER = re.compile(r"(?i)\b((?:proxy-)?authorization|x-registry-auth|private-token|cookie|"
                     r"set-cookie)(\s*[:=]\s*)[^\r\n,;]+")
# a credential after its scheme: 8+ characters that do not read as a word (a digit or a
# sign in them, or capitals after the first letter, as base64 has): "Basic realm" stays
_SCHEME = re.compile(r"(?i)\b(basic|bearer)(\s+)([A-Za-z0-9._~+/:=-]{8,})")
_PARAM = re.compile(r"(?i)\b((?:access_|refresh_|id_|auth_|private_)?token|password|passwd|secret|"
                    r"client_secret|api_?key|sig|signature|x-amz-signature|x-goog-signature)"
                    r"(\s*[=:]\s*\"?)[^&\s\"',;]+")

_secrets = set()
_lock = threading.Lock()


def remember(*values):
    """Treat these values as secrets from now on (every spelling pin may print them in)."""
    with _lock:
        for value in values:
            if isinstance(value, str) and len(value) >= _MIN_SECRET:
                plain = unquote(value)
                _secrets.update(v for v in (value, plain, quote(value, safe=""),
                                            quote(plain, safe="")) if len(v) >= _MIN_SECRET)


def remember_url(url):
    """Remember the userinfo of ``url`` (a token or ``user:password``), then the URL is safe
    to keep: every message that names it goes through ``redact``."""
    match = _USERINFO.match(url or "")
    if match:
        userinfo = url[len(match.group(1)):match.end() - 1]
        user, _, password = userinfo.partition(":")
        remember(userinfo, user, password)


def redact(text):
    """``text`` without any credential pin knows of or can recognise."""
    if not text:
        return text
    text = str(text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    text = _HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _SCHEME.sub(_scheme_credential, text)
    return _PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


def _scheme_credential(match):
    value = match.group(3)
    word = value.isalpha() and not any(c.isupper() for c in value[1:])
    return match.group(0) if word else f"{match.group(1)}{match.group(2)}{MASK}"
