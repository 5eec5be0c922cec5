"""The service under steady load while one client sends the most expensive request the limits
allow: do the others still get their answers, quickly and without errors?

Usage: python bench/under_attack.py [--seconds S] [--capacity-seconds C] [--share F]

1. Starts `dermcover serve` on a free 127.0.0.1 port (one process, a fresh SQLite file).
2. Measures capacity: closed-loop clients POST the packs' fixture cases to
   /api/v1/determinations as fast as they are answered, for C seconds (default 10).
3. Holds F (default 0.8) of that rate, open-loop (each request sent on schedule, whatever the
   answers before it), for S seconds (default 180), while one more client sends, back to back,
   the costliest determination the limits allow: 50 procedure lines (the most a case may
   have), the full trace.
4. Prints the rate held, the errors, and p50/p99 latency of the ordinary requests (measured
   from when each was due, so a stalled server cannot hide behind a late send), and the
   costly client's answers.

The clients are Python (httpx on asyncio) and share the two cores with the server: the
capacity they measure is a floor for the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from dermcover.case import MAX_PROCEDURES
from dermcover.engine import library
from dermcover.engine.fixtures import load_fixtures

PATH = "/api/v1/determinations"


def ordinary_requests() -> list[tuple[str, bytes]]:
    packs = library()
    return [
        (f"{PATH}?policy={pack_id}", fixture.case.model_dump_json(exclude_none=True).encode())
        for pack_id in packs.packs
        for _, fixture in load_fixtures(packs.folder / pack_id)
    ]


def costliest_request(cases: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    url, body = max(cases, key=lambda case: len(case[1]))
    case = json.loads(body)
    case["procedures"] = (case["procedures"] * MAX_PROCEDURES)[:MAX_PROCEDURES]
    return f"{url}&trace=full", json.dumps(case).encode()


def start_server(folder: Path) -> tuple[str, subprocess.Popen[bytes]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}"}
    command = [str(Path(sys.executable).with_name("dermcover")), "serve", "--plain-http"]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/api/v1/policies", timeout=1).status_code == 200:
                return url, process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the server did not start within 60 seconds")


HEADERS = {"content-type": "application/json"}


async def capacity(url: str, cases: list[tuple[str, bytes]], seconds: float) -> float:
    done = 0
    stop = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient, offset: int) -> None:
        nonlocal done
        index = offset
        while time.perf_counter() < stop:
            path, body = cases[index % len(cases)]
            answer = await client.post(path, content=body, headers=HEADERS)
            answer.raise_for_status()
            done += 1
            index += 7

    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        begun = time.perf_counter()
        await asyncio.gather(*(worker(client, n) for n in range(8)))
        return done / (time.perf_counter() - begun)


async def under_attack(
    url: str, cases: list[tuple[str, bytes]], rate: float, seconds: float
) -> dict[str, object]:
    latencies: list[float] = []
    errors: list[str] = []
    costly: list[tuple[int, float]] = []
    costly_path, costly_body = costliest_request(cases)
    begun = time.perf_counter()
    stop = begun + seconds

    async def attacker(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < stop:
            sent = time.perf_counter()
            answer = await client.post(costly_path, content=costly_body, headers=HEADERS)
            costly.append((answer.status_code, time.perf_counter() - sent))

    async def one(client: httpx.AsyncClient, due: float, index: int) -> None:
        path, body = cases[index % len(cases)]
        try:
            answer = await client.post(path, content=body, headers=HEADERS)
            if answer.status_code != 200:
                errors.append(str(answer.status_code))
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        latencies.append(time.perf_counter() - due)

    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        attack = asyncio.create_task(attacker(client))
        pending = []
        index = 0
        while True:
            due = begun + index / rate
            if due >= stop:
                break
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            pending.append(asyncio.create_task(one(client, due, index)))
            index += 1
        await asyncio.gather(*pending)
        await attack
    latencies.sort()
    return {
        "sent": index,
        "held": index / seconds,
        "errors": errors,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "costly": costly,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--capacity-seconds", type=float, default=10)
    parser.add_argument("--share", type=float, default=0.8)
    args = parser.parse_args()
    cases = ordinary_requests()
    with tempfile.TemporaryDirectory() as folder:
        url, process = start_server(Path(folder))
        try:
            asyncio.run(capacity(url, cases, 2))  # warm up
            measured = asyncio.run(capacity(url, cases, args.capacity_seconds))
            rate = measured * args.share
            result = asyncio.run(under_attack(url, cases, rate, args.seconds))
        finally:
            process.terminate()
            process.wait(timeout=10)
    costly = result["costly"]
    assert isinstance(costly, list)
    statuses = sorted({status for status, _ in costly})
    slowest = max((took for _, took in costly), default=0.0)
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores")
    print(f"capacity (closed loop, 8 clients): {measured:,.0f} determinations/s")
    print(f"held: {result['held']:,.0f}/s ({args.share:.0%}) for {args.seconds:g} s")
    print(f"ordinary requests: {result['sent']:,} sent, {len(result['errors'])} errors")  # type: ignore[arg-type]
    print(f"ordinary latency: p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms")
    print(
        f"costly requests ({MAX_PROCEDURES} procedures, full trace): {len(costly)} answered, "
        f"statuses {statuses}, slowest {slowest * 1000:,.0f} ms"
    )


if __name__ == "__main__":
    main()
