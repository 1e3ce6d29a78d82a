"""Batches of work shared between this process and forked children, for the engine's
parallel runs where ``os.fork`` exists.

Why not ``multiprocessing.Pool``: the pool's import, its three threads and its per-task
messages cost a parallel scan of 1,500 workflows about a tenth more CPU than the same scan
in one process, and its parent sits idle while the workers run. Here the parent works too,
and the queue is a pipe holding one byte per batch: whoever reads a byte runs that batch,
so a slower process simply takes fewer (a one-byte read from a pipe is atomic). Each child
sends all its results once, at the end, so no child waits on a full pipe while the parent
is busy. A batch whose results never arrive (a child killed or crashed) is run again here,
so a lost worker costs time, never findings.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

MAX_BATCHES = 255  # one byte per batch number


def run(count: int, work: Callable[[int], Any], processes: int) -> list[Any]:
    """``[work(0), ..., work(count - 1)]``, computed by this process and ``processes - 1``
    forked children (``count`` at most ``MAX_BATCHES``; results must pickle)."""
    if not 0 < count <= MAX_BATCHES:
        raise ValueError(f"between 1 and {MAX_BATCHES} batches, not {count}")
    queue, feed = os.pipe()
    os.write(feed, bytes(range(count)))  # at most 255 bytes: far below a pipe's capacity
    os.close(feed)
    children: list[tuple[int, int]] = []
    done: dict[int, Any] = {}
    # What the children inherit is not garbage: frozen, their collectors neither walk it nor
    # copy its pages.
    gc.freeze()
    try:
        for _ in range(processes - 1):
            try:
                children.append(_fork(queue, work))
            except OSError:  # no process to spare (a limit on processes, or memory)
                break
        done.update(_drain(queue, work))
    except BaseException:  # interrupted: the children stop too
        for pid, _ in children:
            os.kill(pid, signal.SIGTERM)
        raise
    finally:
        gc.unfreeze()
        os.close(queue)
        for pid, results in children:
            done.update(_collect(pid, results))
    for index in range(count):
        if index not in done:  # its child died before reporting: run it here
            done[index] = work(index)
    return [done[index] for index in range(count)]


def _drain(queue: int, work: Callable[[int], Any]) -> dict[int, Any]:
    done: dict[int, Any] = {}
    while True:
        taken = os.read(queue, 1)
        if not taken:
            return done
        done[taken[0]] = work(taken[0])


def _fork(queue: int, work: Callable[[int], Any]) -> tuple[int, int]:
    """Start a child that drains the queue and sends back ``{batch: result}``:
    ``(pid, read end of its results)``."""
    results, out = os.pipe()
    pid = os.fork()
    if pid:
        os.close(out)
        return pid, results
    status = 1
    try:  # the child: never returns into the caller's code
        os.close(results)
        data = pickle.dumps(_drain(queue, work), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(out, "wb") as stream:
            stream.write(data)
        status = 0
    finally:
        os._exit(status)  # no atexit handlers, no second flush of the parent's buffers


def _collect(pid: int, results: int) -> dict[int, Any]:
    """A child's ``{batch: result}``; empty when it did not finish."""
    with os.fdopen(results, "rb") as stream:
        data = stream.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return {}
    try:
        found: dict[int, Any] = pickle.loads(data)
    except Exception:
        return {}
    return found
