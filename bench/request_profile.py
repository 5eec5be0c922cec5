"""Where a determination request spends its time inside the service, without the network.

Usage: python bench/request_profile.py [--requests N] [--top K] [--sort tottime|cumtime]
                                       [--baseline REV]
       python bench/request_profile.py --inline-bound [--runs N]

Builds the app as a server worker does (a fresh SQLite file), then drives POST
/api/v1/determinations through the ASGI interface directly (the whole middleware stack, the body
parsing, validation, the decision and the JSON answer; no socket, no HTTP parser) with the
fixture cases of every pack, cycled. It prints the CPU and wall time per request without the
profiler, the profile's top K functions and each stage's share of the request. With --baseline
the same runs first for that revision (a temporary worktree, the same Python and packages), on
the cases both accept, so the two profiles can be read side by side.

With --inline-bound it measures instead what bounds the cost of a decision made on the event
loop (the route decides a case that small without handing it to a worker thread): the costliest
cases within the bound it can make from the fixtures, decided and written out.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from baseline import Version, checkout, current
from load import workload

Message = dict[str, Any]
App = Callable[
    [dict[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]

# The stages of the request path, each as the functions that do it (file suffix, name) in
# either version; a stage's time is their cumulative time.
STAGES = {
    "read and validate the body": [
        ("dermcover/web/bodies.py", "read"),  # the dependency (before)
        ("dermcover/web/bodies.py", "read_document"),  # called from the route (after)
        ("dermcover/web/bodies.py", "read_body"),  # called from the route (now)
    ],
    "FastAPI's parameters and dependencies": [
        ("fastapi/dependencies/utils.py", "solve_dependencies"),
    ],
    "routing": [("fastapi/routing.py", "_match"), ("starlette/routing.py", "matches")],
    "decide": [("dermcover/engine/decide.py", "determine")],
    "write the answer (JSON)": [("pydantic/main.py", "model_dump_json")],
    "log the request": [
        ("logging/__init__.py", "info"),
        ("dermcover/logs.py", "log_quickly"),  # the request line (now)
    ],
}
# The event loop's wait for a worker thread: time the thread's own profile accounts for.
WAITING = ("~", "<method 'poll' of 'select.epoll' objects>")


class ThreadProfiles:
    """cProfile sees only the thread that enables it: while profiling, whatever a route hands to
    a worker thread (`anyio.to_thread.run_sync`, under starlette's run_in_threadpool) runs under a
    profile of that thread's own, so the decisions made there are in the figures too."""

    def __init__(self) -> None:
        self.profiles: dict[int, cProfile.Profile] = {}
        self._original: Any = None

    def __enter__(self) -> ThreadProfiles:
        import threading

        import anyio.to_thread

        self._original = original = anyio.to_thread.run_sync
        profiles = self.profiles

        def profiled(func: Callable[[], Any]) -> Callable[[], Any]:
            def run() -> Any:
                profile = profiles.setdefault(threading.get_ident(), cProfile.Profile())
                profile.enable()
                try:
                    return func()
                finally:
                    profile.disable()

            return run

        async def run_sync(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            return await original(profiled(lambda: func(*args)), **kwargs)

        anyio.to_thread.run_sync = run_sync  # type: ignore[assignment]
        return self

    def __exit__(self, *_: object) -> None:
        import anyio.to_thread

        anyio.to_thread.run_sync = self._original


async def post(app: App, path: str, body: bytes) -> int:
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    status = 0
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def drive(app: App, requests: list[tuple[str, bytes]], count: int) -> None:
    for n in range(count):
        path, body = requests[n % len(requests)]
        status = await post(app, path, body)
        if status != 200:
            raise SystemExit(f"{path}: status {status}")


def cumulative(stats: pstats.Stats, where: tuple[str, str]) -> float:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    suffix, name = where
    return sum(
        entry[3]
        for (filename, _, function), entry in raw.items()
        if function == name and filename.endswith(suffix)
    )


def own_time(stats: pstats.Stats, where: tuple[str, str]) -> float:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    return sum(
        entry[2] for (filename, _, function), entry in raw.items() if (filename, function) == where
    )


def stage_shares(stats: pstats.Stats) -> dict[str, float]:
    """Each stage's cumulative time as a share of the whole run: all the profiled time, in the
    event loop's thread and in worker threads, less the loop's wait for those threads (the
    threads' own profiles account for it). The dependencies contain the body's reading where
    the body is a dependency, so that is taken out of them."""
    total = stats.total_tt - own_time(stats, WAITING)  # type: ignore[attr-defined]
    shares = {
        stage: max(cumulative(stats, where) for where in places) / total
        for stage, places in STAGES.items()
    }
    inside = cumulative(stats, STAGES["read and validate the body"][0]) / total
    shares["FastAPI's parameters and dependencies"] -= inside
    return shares


def profile_here(args: argparse.Namespace) -> None:
    """Profile this interpreter's dermcover (whichever tree PYTHONPATH puts first)."""
    cases = json.loads(Path(args.cases).read_text()) if args.cases else None
    if cases is None:
        cases = [[pack_id, body.decode()] for pack_id, body in workload()]
    requests = [
        (f"/api/v1/determinations?policy={pack_id}", body.encode()) for pack_id, body in cases
    ]
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'profile.db'}"
        os.environ.setdefault("DERMCOVER_SECRET_KEY", "profile")
        from dermcover.logs import configure_logging
        from dermcover.store.migrate import upgrade_database

        upgrade_database(os.environ["DATABASE_URL"])
        try:
            from dermcover.web.server import app as make_app
        except ImportError:  # a version from before the server module
            from dermcover.web import create_app as make_app
        app: App = make_app()
        # Each request is logged as in the server, into nothing rather than onto the terminal.
        configure_logging(stream=open(os.devnull, "w"))  # noqa: SIM115
        loop = asyncio.new_event_loop()
        if args.probe:
            statuses = [loop.run_until_complete(post(app, path, body)) for path, body in requests]
            print(json.dumps([n for n, status in enumerate(statuses) if status == 200]))
            return
        loop.run_until_complete(drive(app, requests, len(requests)))  # warm-up
        start, cpu = time.perf_counter(), time.process_time()
        loop.run_until_complete(drive(app, requests, args.requests))
        each = (time.perf_counter() - start) / args.requests
        each_cpu = (time.process_time() - cpu) / args.requests
        profile = cProfile.Profile()
        with ThreadProfiles() as threads:
            profile.enable()
            loop.run_until_complete(drive(app, requests, args.requests))
            profile.disable()
        loop.close()
    print(
        f"{len(requests)} cases, {args.requests} requests; without the profiler "
        f"{each_cpu * 1e6:.0f} µs of CPU ({each * 1e6:.0f} µs of wall time) each"
    )
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    in_threads = 0.0
    for thread_profile in threads.profiles.values():
        thread_stats = pstats.Stats(thread_profile)
        in_threads += thread_stats.total_tt  # type: ignore[attr-defined]
        stats.add(thread_stats)
    if in_threads:
        print(
            f"of which in worker threads: {in_threads / args.requests * 1e6:.0f} µs each, profiled"
        )
    stats.sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    print("| stage | share of the request |")
    print("| --- | ---: |")
    shares = stage_shares(stats)
    for stage, share in shares.items():
        print(f"| {stage} | {share:.0%} |")
    print(f"| middleware, the rest | {1 - sum(shares.values()):.0%} |")


def _size(case: dict[str, Any]) -> int:
    return len(json.dumps(case, separators=(",", ":")).encode())


def _grown(case: dict[str, Any], limit: int) -> dict[str, Any]:
    """The case with each list it holds (diagnoses, prior treatments, documents, impairments)
    grown, item by item from its own items, for as long as the case stays within `limit` bytes."""
    lists: list[tuple[dict[str, Any], str, list[Any]]] = []
    condition = case.get("condition") or {}
    holders = [(condition, "diagnoses")]
    holders += [(line, "claim_diagnoses") for line in case["procedures"]]
    holders += [(case, key) for key in ("prior_treatments", "documentation", "impairment")]
    for holder, key in holders:
        if holder.get(key):
            lists.append((holder, key, list(holder[key])))
    grew = True
    while grew:
        grew = False
        for holder, key, items in lists:
            holder[key].append(items[len(holder[key]) % len(items)])
            if _size(case) > limit:
                holder[key].pop()
            else:
                grew = True
    return case


def inline_bound(args: argparse.Namespace) -> None:
    """The costliest decisions the determinations route makes on the event loop: every fixture
    case made as costly as the bound lets it be (its own lines repeated up to the most lines
    allowed, or its pack's costliest lines, then its lists grown to the most bytes allowed),
    each decided and written as JSON at every trace level; CPU time, the least of a few runs."""
    from pydantic import ValidationError

    from dermcover.case import Case
    from dermcover.engine import library
    from dermcover.web.api.determinations import (
        INLINE_BYTES,
        INLINE_LINES,
        INLINE_LINES_FULL_TRACE,
        TRACE_LEVELS,
        _decided_json,
        decided_inline,
    )

    library().load_all()

    def cost(pack_id: str, case: Case, size: int | None = None) -> float:
        """The costliest trace level's CPU seconds (of those decided on the loop at `size`)."""
        worst = 0.0
        for trace in TRACE_LEVELS:
            if size is not None and not decided_inline(case, size, trace):
                continue
            _decided_json(case, pack_id, trace)
            runs = []
            for _ in range(args.runs):
                begun = time.process_time()
                _decided_json(case, pack_id, trace)
                runs.append(time.process_time() - begun)
            worst = max(worst, min(runs))
        return worst

    cases = [(pack_id, json.loads(body)) for pack_id, body in workload()]
    lines: dict[str, list[tuple[float, str]]] = {}
    for pack_id, case in cases:
        for line in case["procedures"]:
            one = Case.model_validate({**case, "procedures": [line]})
            lines.setdefault(pack_id, []).append((cost(pack_id, one), json.dumps(line)))
    costliest = {
        pack_id: [json.loads(line) for _, line in sorted(found, reverse=True)[:INLINE_LINES]]
        for pack_id, found in lines.items()
    }
    results: list[tuple[float, str, int, int]] = []
    # As many lines as the bound allows, and as many as it allows with the full trace.
    shapes = [
        (pack_id, original, (procedures * most)[:most])
        for pack_id, original in cases
        for most in (INLINE_LINES, INLINE_LINES_FULL_TRACE)
        for procedures in (original["procedures"], costliest[pack_id])
    ]
    for pack_id, original, procedures in shapes:
        case = json.loads(json.dumps({**original, "procedures": procedures}))
        while _size(case) > INLINE_BYTES and len(case["procedures"]) > 1:
            case["procedures"].pop()
        case = _grown(case, INLINE_BYTES)
        try:
            model = Case.model_validate(case)
        except ValidationError:
            continue
        size = _size(case)
        if any(decided_inline(model, size, trace) for trace in TRACE_LEVELS):
            results.append((cost(pack_id, model, size), pack_id, len(model.procedures), size))
    results.sort()
    print(
        f"{len(results)} cases within the bound ({INLINE_LINES} lines, "
        f"{INLINE_LINES_FULL_TRACE} with the full trace; {INLINE_BYTES:,} bytes), made from "
        f"{len(cases)} fixture cases; CPU ms to decide and write the answer, the costliest "
        f"trace level decided on the loop, least of {args.runs} runs"
    )
    print("| | ms | pack | lines | bytes |")
    print("| --- | ---: | --- | ---: | ---: |")
    for name, index in (
        ("median", len(results) // 2),
        ("p90", int(len(results) * 0.9)),
        ("p99", int(len(results) * 0.99)),
        ("costliest", len(results) - 1),
    ):
        seconds, pack_id, count, size = results[index]
        print(f"| {name} | {seconds * 1e3:.2f} | {pack_id} | {count} | {size:,} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", choices=("tottime", "cumtime"), default="tottime")
    parser.add_argument("--baseline", help="A git revision to profile first, on the same cases.")
    parser.add_argument("--hide", default="uvloop,httptools", help="Packages the baseline lacks.")
    parser.add_argument("--cases", help=argparse.SUPPRESS)  # JSON [[pack, body], ...]
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--inline-bound",
        action="store_true",
        help="Instead: the costliest decisions small enough to be made on the event loop.",
    )
    parser.add_argument("--runs", type=int, default=3, help="With --inline-bound: runs a case.")
    args = parser.parse_args()
    if args.inline_bound:
        inline_bound(args)
        return
    if not args.baseline:
        profile_here(args)
        return
    hidden = [name for name in args.hide.split(",") if name]
    with tempfile.TemporaryDirectory() as folder, checkout(args.baseline, hidden) as before:
        every = Path(folder) / "every.json"
        every.write_text(json.dumps([[p, body.decode()] for p, body in workload()]))
        versions = [before, current()]

        def run(version: Version, *extra: str) -> str:
            command = [sys.executable, __file__, *extra]
            return subprocess.run(
                command, env=version.env(), capture_output=True, text=True, check=True
            ).stdout

        kept = set(range(len(json.loads(every.read_text()))))
        for version in versions:
            kept &= set(json.loads(run(version, "--cases", str(every), "--probe").splitlines()[-1]))
        shared = Path(folder) / "shared.json"
        cases = json.loads(every.read_text())
        shared.write_text(json.dumps([cases[n] for n in sorted(kept)]))
        for version in versions:
            print(f"## {version.name}\n")
            print(
                run(
                    version,
                    "--cases",
                    str(shared),
                    "--requests",
                    str(args.requests),
                    "--top",
                    str(args.top),
                    "--sort",
                    args.sort,
                )
            )


if __name__ == "__main__":
    main()
