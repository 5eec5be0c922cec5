"""Heavy work (big decisions, spreads, documents, large bodies) in processes of its own, at low
priority, so that one costly request cannot slow everyone else.

A worker thread is not enough: Python runs one thread at a time per process, so a decision
that takes a second in a thread holds every other request of that process for most of the
second. Each server process therefore keeps `processes` (default one) helper processes,
forked from it once it has warmed up (so they share its memory until they write to it), and
sends them the requests the price list below calls heavy. The helpers run at the lowest CPU
priority (nice 19, and on Linux the idle scheduling class): while ordinary requests want the
cores, heavy work gets only what is left.

Bounds, each answered with 503 and Retry-After rather than a stalled server:

- at most `processes` heavy requests run at once per server process and `waiting` more wait
  their turn; any beyond that are turned away at once;
- a heavy request over the time budget (`web.middleware.Safeguards`) is cancelled, and its
  helper process is killed and replaced, so runaway work stops using the CPU the moment its
  answer is given up.

The price list: a body over `LIGHT_BODY_BYTES` is read in a helper (reading a megabyte of YAML
takes the best part of a second), and decided there too; a decision is heavy when it decides
more than `LIGHT_LINES` procedure lines (lines times the packs a spread decides them under); a
document is always heavy, since rendering even a one-page letter to PDF takes a few hundred ms.
Everything else (the ordinary requests: a few procedure lines, a few kilobytes) stays in the
server process, on the event loop or in its threads, as fast as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import ForkProcess
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request

log = logging.getLogger(__name__)

T = TypeVar("T")

LIGHT_BODY_BYTES = 16_384  # a body larger than this is read in a helper process
LIGHT_LINES = 20  # procedure lines decided (times packs, for a spread) in the server process
NICENESS = 19  # the helpers' CPU priority: the lowest
RETRY_AFTER = 5  # seconds, in the 503 of a full queue


class HeavyFailed(Exception):
    """The helper process died, or its answer could not be sent back."""


def _serve(connection: Connection) -> None:
    """A helper process: run each job it is sent, send back its result or its exception."""
    os.nice(NICENESS)
    # Nice 19 still gets a share of a busy core; the idle class gets only what no other process
    # wants, so a worker woken by a request never waits behind heavy work (Linux only).
    if hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):  # a sandbox may refuse it: nice 19 still holds
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the server's handlers are not ours
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    while True:
        try:
            function, args, kwargs = connection.recv()
        except (EOFError, OSError):  # the server process is gone
            return
        try:
            result: tuple[bool, Any] = (True, function(*args, **kwargs))
        except Exception as exc:
            result = (False, exc)
        try:
            message = pickle.dumps(result)
        except Exception as exc:
            message = pickle.dumps((False, HeavyFailed(f"unsendable {type(exc).__name__}")))
        try:
            connection.send_bytes(message)
        except (EOFError, OSError):
            return


class _Helper:
    """One helper process and the pipe to it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe()
        self.process: ForkProcess = context.Process(target=_serve, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()

    def run(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: Any) -> Any:
        """In a thread of the server process: send the job, wait for its answer."""
        try:
            self.connection.send((function, args, kwargs))
            ok, value = pickle.loads(self.connection.recv_bytes())
        except (EOFError, OSError):
            self.connection.close()  # killed (over budget) or died: this pipe is done
            raise HeavyFailed("the helper process stopped") from None
        if ok:
            return value
        raise value

    def stop(self) -> None:
        """Kill the process and wait for it to exit (at shutdown)."""
        self.process.kill()
        self.process.join(timeout=5)

    def abandon(self) -> None:
        """Kill the process, and wait for it to exit in a thread of its own: a killed process
        gives back its memory before it is gone (tens of milliseconds, more on a busy machine),
        and waiting for that on the event loop held up every other request meanwhile. The
        thread waiting on its pipe then sees the end and closes it."""
        self.process.kill()
        threading.Thread(target=self.process.join, args=(5,), daemon=True).start()


class HeavyWork:
    """The helper processes of one server process and the queue in front of them."""

    def __init__(self, processes: int = 1, waiting: int = 4) -> None:
        self.processes = processes
        self.waiting = waiting
        self._idle: list[_Helper] = []
        self._started = False
        self._free: asyncio.Semaphore | None = None
        self._admitted = 0

    def start(self) -> None:
        """Fork the helpers (at start-up, once the server process has warmed up)."""
        if not self._started:
            self._started = True
            self._idle = [_Helper() for _ in range(self.processes)]

    def close(self) -> None:
        """Stop the helpers (at shutdown). The app may be started again (a test client opens
        its lifespan once per use): the next start forks new helpers, and the queue's semaphore
        is made anew on the event loop that runs then."""
        while self._idle:
            helper = self._idle.pop()
            helper.stop()
            helper.connection.close()
        self._started = False
        self._free = None

    def pids(self) -> list[int]:
        return [helper.process.pid for helper in self._idle if helper.process.pid is not None]

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`function(*args, **kwargs)` in a helper process; its exception is raised here. 503
        with Retry-After when `processes + waiting` heavy requests are already in."""
        if self.processes == 0:
            return await run_in_threadpool(function, *args, **kwargs)
        if self._admitted >= self.processes + self.waiting:
            log.warning("heavy work queue full: %d running or waiting", self._admitted)
            raise HTTPException(
                503,
                "too many large requests at once; try again shortly, or send a smaller one",
                headers={"Retry-After": str(RETRY_AFTER)},
            )
        if self._free is None:
            self._free = asyncio.Semaphore(self.processes)
        self._admitted += 1
        try:
            async with self._free:
                self.start()
                helper = self._idle.pop()
                try:
                    result: T = await asyncio.to_thread(helper.run, function, args, kwargs)
                except BaseException as exc:
                    if not isinstance(exc, Exception) or isinstance(exc, HeavyFailed):
                        # Cancelled (over the time budget) or dead: the work must not go on.
                        helper.abandon()
                        helper = _Helper()
                    raise
                finally:
                    self._idle.append(helper)
                return result
        except HeavyFailed:
            log.warning("a helper process failed; replaced")
            raise HTTPException(
                503,
                "the request could not be finished; try again shortly",
                headers={"Retry-After": str(RETRY_AFTER)},
            ) from None
        finally:
            self._admitted -= 1


def heavy_work(request: Request) -> HeavyWork:
    work = getattr(request.app.state, "heavy", None)
    if work is None:  # an app made without it (tests of single routes): the thread pool
        work = request.app.state.heavy = HeavyWork(processes=0)
    assert isinstance(work, HeavyWork)
    return work


async def off_loop(
    request: Request, lines: int, function: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """`function` off the event loop: in a helper process when it decides more than
    `LIGHT_LINES` procedure lines or the request's body is over `LIGHT_BODY_BYTES` (its lists
    are long), else in a thread of this process."""
    size = request.headers.get("content-length", "")
    if lines > LIGHT_LINES or (size.isdigit() and int(size) > LIGHT_BODY_BYTES):
        return await heavy_work(request).run(function, *args, **kwargs)
    return await run_in_threadpool(function, *args, **kwargs)
