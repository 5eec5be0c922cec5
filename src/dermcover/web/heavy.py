"""Heavy work (big decisions, spreads, documents, large bodies) in processes of its own, at low
priority, so that one costly request cannot slow everyone else.

A worker thread is not enough: Python runs one thread at a time per process, so a decision
that takes a second in a thread holds every other request of that process for most of the
second. Each server process therefore keeps `processes` (default one) helper processes,
forked by a spawner forked from it once it has warmed up (so they share its memory until they
write to it), and sends them the requests the price list below calls heavy. The helpers run at
the lowest CPU priority (nice 19, and on Linux the idle scheduling class): while ordinary
requests want the cores, heavy work gets only what is left.

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
from multiprocessing.reduction import recv_handle, send_handle
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


def _spawn(requests: Connection, servers_end: Connection) -> None:
    """The spawner: forked once from the warmed-up server process, it forks a helper each time
    the server asks for one and hands the server its end of the helper's pipe.

    Forking the helpers here rather than in the server keeps that work off the server's event
    loop (a fork copies the page tables of a process of a hundred megabytes and more, and the
    server then pays a copy-on-write fault for every page it touches), and forks them from a
    process with one thread, so no helper starts with a lock some other thread held."""
    servers_end.close()  # so that the server's exit is seen here as the end of the pipe
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the server's handlers are not ours
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # helpers are reaped as they exit
    while True:
        try:
            requests.recv_bytes()
        except (EOFError, OSError):  # the server process is gone; its helpers follow it
            return
        ours, theirs = multiprocessing.Pipe()
        pid = os.fork()
        if pid == 0:  # the helper
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            requests.close()
            ours.close()
            try:
                _serve(theirs)
            finally:
                os._exit(0)
        theirs.close()
        try:
            requests.send(pid)
            send_handle(requests, ours.fileno(), os.getppid())
        except (EOFError, OSError):
            return
        finally:
            ours.close()


class _Helper:
    """One helper process and the server's end of the pipe to it."""

    def __init__(self, pid: int, connection: Connection) -> None:
        self.pid = pid
        self.connection = connection

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

    def kill(self) -> None:
        """Kill the process, running or waiting for work; nobody waits for it to exit (the
        spawner's children are reaped as they exit). Only one not seen to have died: a dead
        one's number may be another process's by now. A thread waiting on its pipe sees the
        end and closes it."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def stop(self) -> None:
        """Kill an idle helper and close its pipe (at shutdown)."""
        self.kill()
        self.connection.close()


class _Spawner:
    """The server process's side of the spawner: asks it for helpers, one at a time."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe()
        self.process: ForkProcess = context.Process(
            target=_spawn, args=(theirs, self.connection), daemon=True
        )
        self.process.start()
        theirs.close()
        self._one_at_a_time = threading.Lock()

    def helper(self) -> _Helper:
        """A new helper process (blocks for the few milliseconds of its fork: call it off the
        event loop once the server is serving)."""
        with self._one_at_a_time:
            try:
                self.connection.send_bytes(b"")
                pid = self.connection.recv()
                handle = recv_handle(self.connection)
            except (EOFError, OSError):
                raise HeavyFailed("the spawner process stopped") from None
        return _Helper(pid, Connection(handle))

    def stop(self) -> None:
        """Kill the spawner (it has nothing to finish) and wait for it (at shutdown)."""
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class HeavyWork:
    """The helper processes of one server process and the queue in front of them."""

    def __init__(self, processes: int = 1, waiting: int = 4) -> None:
        self.processes = processes
        self.waiting = waiting
        self._spawner: _Spawner | None = None
        # Helpers ready for work, and None for each one killed and not replaced yet: the next
        # request that needs it has it made then, in a thread.
        self._idle: list[_Helper | None] = []
        self._free: asyncio.Semaphore | None = None
        self._admitted = 0
        self._replacing = threading.Lock()

    def start(self) -> None:
        """Fork the spawner and the helpers (at start-up, once the server process has warmed
        up)."""
        if self._spawner is None and self.processes > 0:
            self._spawner = _Spawner()
            self._idle = [self._spawner.helper() for _ in range(self.processes)]

    def close(self) -> None:
        """Stop the helpers and the spawner (at shutdown). The app may be started again (a test
        client opens its lifespan once per use): the next start forks new ones, and the queue's
        semaphore is made anew on the event loop that runs then."""
        while self._idle:
            helper = self._idle.pop()
            if helper is not None:
                helper.stop()
        if self._spawner is not None:
            self._spawner.stop()
            self._spawner = None
        self._free = None

    def _new_helper(self) -> _Helper:
        """A helper in place of one that was killed (in a thread); a spawner that has died is
        replaced first."""
        with self._replacing:
            assert self._spawner is not None
            try:
                return self._spawner.helper()
            except HeavyFailed:
                log.warning("the helper spawner stopped; replaced")
                self._spawner.stop()
                self._spawner = _Spawner()
                return self._spawner.helper()

    def pids(self) -> list[int]:
        return [helper.pid for helper in self._idle if helper is not None]

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
                    if helper is None:
                        helper = await asyncio.to_thread(self._new_helper)
                    result: T = await asyncio.to_thread(helper.run, function, args, kwargs)
                except BaseException as exc:
                    if helper is not None and (
                        not isinstance(exc, Exception) or isinstance(exc, HeavyFailed)
                    ):
                        # Cancelled (over the time budget) or dead: the work must not go on.
                        if not helper.connection.closed:  # still running: stop it now
                            helper.kill()
                        helper = None
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
