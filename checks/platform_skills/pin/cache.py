"""Answers for one run: every distinct question is asked once, up to ``jobs`` at a time.

Resolving is network-bound (a git listing, an HTTP round trip or two), so threads overlap
the waiting. A question asked again, or asked while its first asking is still under way,
shares that first answer.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from .errors import ResolveError

DEFAULT_JOBS = 8


class RunCache:
    def __init__(self, jobs=None):
        self._pool = ThreadPoolExecutor(max_workers=max(1, jobs or DEFAULT_JOBS),
                                        thread_name_prefix="pin")
        self._futures = {}
        self._lock = threading.Lock()

    def submit(self, key, compute):
        """Start answering ``key`` unless it is already answered or under way."""
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                future = self._futures[key] = self._pool.submit(_guarded, compute)
        return future

    def get(self, key, compute):
        """The answer for ``key``; raises ResolveError when it has none."""
        return self.submit(key, compute).result()

    @property
    def asked(self):
        """How many distinct questions this run asked."""
        return len(self._futures)

    def close(self):
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            from .transport import abort_all
            abort_all()  # cut every connection and process, so the workers end now
        self.close()


def _guarded(compute):
    try:
        return compute()
    except ResolveError:
        raise
    except Exception as exc:  # a resolver bug must not cost the run its other answers
        raise ResolveError(f"internal error: {type(exc).__name__}: {exc}") from None
