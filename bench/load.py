"""Determinations per second through the HTTP API, with p50/p99 latency, on loopback.

Usage: python bench/load.py [--seconds S] [--requests N] [--concurrency C] [--url URL]
                            [--client wrk|python]

Without --url it starts `dermcover serve` on a free 127.0.0.1 port (one process, a fresh SQLite
file) and stops it afterwards; with --url it loads that server, which must be on this machine.
The run stops at S seconds or N requests, whichever comes first. The workload is every fixture
case of every shipped pack, POSTed as JSON to /api/v1/determinations under its own pack with the
default criteria trace, cycled.

The load comes from wrk (`bench/load.lua` cycles the cases), whose C event loop costs the machine
little; without wrk (or with --client python) an asyncio httpx client does the same, but it needs
more CPU than the server it loads, so on two cores it measures mostly itself. Either way the
client shares the machine with the server: the figures are a floor for the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

from dermcover.engine import library
from dermcover.engine.fixtures import load_fixtures

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def workload() -> list[tuple[str, bytes]]:
    packs = library()
    return [
        (pack_id, fixture.case.model_dump_json(exclude_none=True).encode())
        for pack_id in packs.packs
        for _, fixture in load_fixtures(packs.folder / pack_id)
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(folder: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}"}
    command = [str(Path(sys.executable).with_name("dermcover")), "serve", "--port", str(port)]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/v1/policies", timeout=2).status_code == 200:
                return url, process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not start within 60 seconds")


async def load(
    url: str, cases: list[tuple[str, bytes]], seconds: float, requests: int, concurrency: int
) -> tuple[list[float], int, float]:
    """Latencies (s) of the successful requests, the failure count, and the wall time."""
    latencies: list[float] = []
    failures = 0
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        start = time.perf_counter()
        stop_at = start + seconds

        async def worker(offset: int) -> None:
            nonlocal sent, failures
            index = offset
            while sent < requests and time.perf_counter() < stop_at:
                sent += 1
                pack_id, body = cases[index % len(cases)]
                index += concurrency
                begun = time.perf_counter()
                response = await client.post(
                    "/api/v1/determinations",
                    params={"policy": pack_id},
                    content=body,
                    headers=headers,
                )
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - begun)
                else:
                    failures += 1

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
        return latencies, failures, time.perf_counter() - start


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process so far (Linux), to tell a busy server from an idle
    one waiting on a slow client."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(
    url: str,
    cases: list[tuple[str, bytes]],
    seconds: float,
    requests: int,
    connections: int,
    folder: Path,
) -> tuple[int, int, float, dict[str, float]]:
    """wrk's count of requests, of non-2xx answers, the wall time and the latency percentiles
    (ms); wrk stops at `seconds`, and each of its threads after its share of `requests`."""
    workload_file = folder / "workload.tsv"
    workload_file.write_bytes(b"".join(f"{p}\t".encode() + body + b"\n" for p, body in cases))
    threads = min(2, connections)
    script = Path(__file__).with_name("load.lua")
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "-s",
        str(script),
        url,
        "--",
        str(workload_file),
        str(max(1, requests // threads)),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    done = re.search(r"bench answered (\d+) in ([\d.]+) s", output)
    if done is None:
        raise SystemExit(f"cannot read wrk's output:\n{output}")
    wall = float(done.group(2))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    latency = {
        name: _ms(value, unit)
        for name, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)$", output, re.M)
    }
    return int(done.group(1)), int(failed.group(1)) if failed else 0, wall, latency


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--url", help="A running server on this machine (default: start one).")
    parser.add_argument(
        "--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python"
    )
    args = parser.parse_args()
    cases = workload()
    with tempfile.TemporaryDirectory() as folder:
        process = None
        if args.url:
            if urlparse(args.url).hostname not in LOOPBACK:
                raise SystemExit("--url must be a server on this machine (127.0.0.1 or localhost)")
            url = args.url.rstrip("/")
        else:
            url, process = start_server(Path(folder))
        try:
            # Warm-up: the first requests load the ICD-10-CM tables and compile the packs.
            asyncio.run(load(url, cases, 10.0, len(cases), 2))
            cpu_before = cpu_seconds(process.pid) if process is not None else None
            if args.client == "wrk":
                count, failures, wall, latency = run_wrk(
                    url, cases, args.seconds, args.requests, args.concurrency, Path(folder)
                )
            else:
                latencies, failures, wall = asyncio.run(
                    load(url, cases, args.seconds, args.requests, args.concurrency)
                )
                latencies.sort()
                ms = [value * 1000 for value in latencies]
                count = len(latencies)
                latency = {p: percentile(ms, int(p) / 100) for p in ("50", "90", "99")}
            cpu_after = cpu_seconds(process.pid) if process is not None else None
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
    if count == 0:
        raise SystemExit(f"no request was answered ({failures} failed)")
    succeeded = count - failures if args.client == "wrk" else count
    print(
        f"{len(cases)} fixture cases over {len(library().packs)} packs; "
        f"Python {platform.python_version()} on {platform.machine()}; client {args.client}, "
        f"{args.concurrency} connections; one server process"
    )
    print("| determinations | failed | seconds | determinations/s | p50 ms | p90 ms | p99 ms |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {succeeded:,} | {failures} | {wall:.1f} | {succeeded / wall:,.0f} "
        f"| {latency['50']:.1f} | {latency['90']:.1f} | {latency['99']:.1f} |"
    )
    if cpu_before is not None and cpu_after is not None:
        share = 100 * (cpu_after - cpu_before) / wall
        print(f"The server process was busy {share:.0f}% of one core.")


if __name__ == "__main__":
    main()
