"""Real bare git repositories for the pin tests, served through ``file://``.

``actions/checkout`` (stored as ``actions/checkout.git``) has three commits:

- C1: ``v4.1.0`` (annotated);
- C2: ``v4.2.2`` (annotated), ``v4.2`` and the moving major ``v4`` (lightweight), branch ``release-4``;
- C3: ``v5.0.0``, ``v5.0.0-rc.1``, ``v5`` (lightweight), branch ``main``.

``example/tool`` (stored without ``.git``) has C1 tagged ``v1.0.0`` (annotated, also the head
of ``main``) and C2, the head of branch ``feature``, with no tag.
"""

import os
import subprocess

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "pin tests", "GIT_AUTHOR_EMAIL": "pin@example.com",
           "GIT_COMMITTER_NAME": "pin tests", "GIT_COMMITTER_EMAIL": "pin@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(*args, cwd):
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=GIT_ENV,
                          check=True)
    return proc.stdout.strip()


def _remote(base, owner_repo, stored_as, history):
    """Build ``history`` (list of (tags, annotated tags, branches) per commit) and push it."""
    work = base / "_work" / owner_repo
    work.mkdir(parents=True)
    git("init", "-q", "-b", "scratch", cwd=work)
    shas = {}
    for number, (tags, annotated, branches) in enumerate(history, 1):
        (work / "file").write_text(f"{owner_repo} commit {number}\n")
        git("add", "file", cwd=work)
        git("commit", "-q", "-m", f"commit {number}", cwd=work)
        sha = git("rev-parse", "HEAD", cwd=work)
        shas[f"C{number}"] = sha
        for tag in tags:
            git("tag", tag, cwd=work)
        for tag in annotated:
            git("tag", "-a", tag, "-m", f"release {tag}", cwd=work)
        for branch in branches:
            git("branch", "-f", branch, cwd=work)
    bare = base / stored_as
    bare.parent.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "--bare", str(bare), cwd=base)
    git("push", "-q", str(bare), "--tags", *(f"{b}:{b}" for b in _branches(history)), cwd=work)
    return shas


def _branches(history):
    return [branch for _, _, branches in history for branch in branches]


def build_remotes(base):
    """Create the remotes under ``base``; returns ``{owner/repo: {"C1": sha, ...}}``."""
    checkout = _remote(base, "actions/checkout", "actions/checkout.git", [
        ((), ("v4.1.0",), ()),
        (("v4.2", "v4"), ("v4.2.2",), ("release-4",)),
        (("v5.0.0", "v5.0.0-rc.1", "v5"), (), ("main",)),
    ])
    tool = _remote(base, "example/tool", "example/tool", [
        ((), ("v1.0.0",), ("main",)),
        ((), (), ("feature",)),
    ])
    return {"actions/checkout": checkout, "example/tool": tool}


class SmartHTTP:
    """The remotes under ``base`` served over HTTP by git's own CGI, ``git http-backend``
    (smart protocol), from a server on 127.0.0.1: the answer real git servers give."""

    def __init__(self, base):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        backend = subprocess.run(["git", "--exec-path"], capture_output=True, text=True,
                                 check=True).stdout.strip() + "/git-http-backend"
        self.requests = []
        front = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlsplit(self.path)
                front.requests.append((self.path, self.headers.get("Authorization", "")))
                repo, _, rest = url.path.partition("/info/")
                if not os.path.isdir(f"{base}{repo}"):  # GitHub's spelling without .git
                    repo += ".git"
                env = {**GIT_ENV, "GIT_PROJECT_ROOT": str(base), "GIT_HTTP_EXPORT_ALL": "1",
                       "REQUEST_METHOD": "GET", "PATH_INFO": f"{repo}/info/{rest}",
                       "QUERY_STRING": url.query,
                       "GIT_PROTOCOL": self.headers.get("Git-Protocol", "")}
                out = subprocess.run([backend], env=env, capture_output=True, check=True).stdout
                head, _, body = out.partition(b"\r\n\r\n")
                status, headers = 200, []
                for line in head.decode().split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.lower() == "status":
                        status = int(value.split()[0])
                    else:
                        headers.append((name, value.strip()))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
