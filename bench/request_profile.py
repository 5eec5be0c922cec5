"""Where a determination request spends its time inside the service, without the network.

Usage: python bench/request_profile.py [--requests N] [--top K] [--sort tottime|cumtime]

Builds the app as a server worker does (`dermcover.web.server.app`, a fresh SQLite file), then
drives POST /api/v1/determinations through the ASGI interface directly (the whole middleware
stack, the body parsing, validation, the decision and the JSON answer; no socket, no HTTP
parser) with every fixture case of every pack, cycled. It prints the time per request without
the profiler, then the profile's top K functions and the share of time in each stage of the
request path.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from load import workload

Message = dict[str, Any]
App = Callable[
    [dict[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]

# The stages of the request path, each by the function that does it (file suffix, name); a
# stage's time is that function's cumulative time.
STAGES = {
    "parse the body (JSON)": ("dermcover/web/bodies.py", "parse_document"),
    "validate the case": ("dermcover/web/bodies.py", "validate_document"),
    "decide": ("dermcover/engine/decide.py", "determine"),
    "write the answer (JSON)": ("pydantic/main.py", "model_dump_json"),
}
DRIVER = (__file__, "drive")


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


def stage_shares(stats: pstats.Stats) -> dict[str, float]:
    """Each stage's cumulative time as a share of the whole run."""
    total = cumulative(stats, DRIVER)
    return {stage: cumulative(stats, where) / total for stage, where in STAGES.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", choices=("tottime", "cumtime"), default="tottime")
    args = parser.parse_args()
    requests = [(f"/api/v1/determinations?policy={pack_id}", body) for pack_id, body in workload()]
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'profile.db'}"
        os.environ.setdefault("DERMCOVER_SECRET_KEY", "profile")
        from dermcover.store.migrate import upgrade_database
        from dermcover.web.server import app as make_app

        upgrade_database(os.environ["DATABASE_URL"])
        app: App = make_app()
        # Each request is logged as in the server, into nothing rather than onto the terminal.
        from dermcover.logs import configure_logging

        configure_logging(stream=open(os.devnull, "w"))  # noqa: SIM115
        loop = asyncio.new_event_loop()
        loop.run_until_complete(drive(app, requests, len(requests)))  # warm-up
        start = time.perf_counter()
        loop.run_until_complete(drive(app, requests, args.requests))
        each = (time.perf_counter() - start) / args.requests
        profile = cProfile.Profile()
        profile.enable()
        loop.run_until_complete(drive(app, requests, args.requests))
        profile.disable()
        loop.close()
    print(f"{args.requests} requests, {each * 1e6:.0f} µs each without the profiler")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    print("| stage | share of the request |")
    print("| --- | ---: |")
    shares = stage_shares(stats)
    for stage, share in shares.items():
        print(f"| {stage} | {share:.0%} |")
    print(f"| routing, middleware, the rest | {1 - sum(shares.values()):.0%} |")


if __name__ == "__main__":
    main()
