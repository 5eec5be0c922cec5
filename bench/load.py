"""Determinations per second through the HTTP API, with p50/p99 latency, on loopback.

Usage: python bench/load.py [--seconds S] [--requests N] [--connections C1,C2,...]
                            [--workers W] [--baseline REV] [--url URL] [--client wrk|python]

Without --url it starts `dermcover serve` on a free 127.0.0.1 port (W worker processes, default
one per core; a fresh SQLite file) and stops it afterwards; with --url it loads that server,
which must be on this machine. With --baseline it also starts that revision's server (checked
out into a temporary worktree, run with the same Python and packages, less uvloop and httptools
unless --hide says otherwise, so that it runs as it did) and measures it first, row for row, in
the same run. Each row stops at S seconds or N requests, whichever comes first. The workload is
every fixture case of every shipped pack that every server measured accepts, POSTed as JSON to
/api/v1/determinations under its own pack with the default criteria trace, cycled.

The load comes from wrk (`bench/load.lua` cycles the cases), whose C event loop costs the machine
little; without wrk (or with --client python) an asyncio httpx client does the same, but it needs
more CPU than the server it loads, so on two cores it measures mostly itself. Either way the
client shares the machine with the server: the figures are a floor for the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from baseline import ROOT, Version, checkout, current
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


def start_server(
    folder: Path, version: Version | None = None, workers: int | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    version = version or current()
    port = free_port()
    env = version.env(DATABASE_URL=f"sqlite:///{folder / f'bench-{port}.db'}")
    command = version.command("serve", "--port", str(port))
    if workers is not None:
        command += ["--workers", str(workers)]
    log = (folder / f"server-{port}.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/v1/policies", timeout=2).status_code == 200:
                time.sleep(3)  # every worker done warming up
                return url, process
        except httpx.TransportError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("the server did not start within 120 seconds")


def accepted(url: str, cases: list[tuple[str, bytes]]) -> set[int]:
    """The cases (by index) this server answers with 200; one request each, which also warms it."""
    headers = {"content-type": "application/json"}
    with httpx.Client(base_url=url, timeout=30) as client:
        return {
            index
            for index, (pack_id, body) in enumerate(cases)
            if client.post(
                "/api/v1/determinations", params={"policy": pack_id}, content=body, headers=headers
            ).status_code
            == 200
        }


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


def write_workload(cases: list[tuple[str, bytes]], folder: Path) -> Path:
    """The cases as the wrk scripts read them: one "pack<TAB>case JSON" a line."""
    workload_file = folder / "workload.tsv"
    workload_file.write_bytes(b"".join(f"{p}\t".encode() + body + b"\n" for p, body in cases))
    return workload_file


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
    workload_file = write_workload(cases, folder)
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


@dataclass(frozen=True)
class Row:
    connections: int
    answered: int
    failed: int
    wall: float
    latency: dict[str, float]
    busy: float | None  # CPU seconds of the server's processes per second of wall time


def measure(
    url: str,
    cases: list[tuple[str, bytes]],
    args: argparse.Namespace,
    connections: int,
    folder: Path,
    pids: list[int],
) -> Row:
    cpu_before = sum(cpu_seconds(pid) or 0.0 for pid in pids)
    if args.client == "wrk":
        count, failures, wall, latency = run_wrk(
            url, cases, args.seconds, args.requests, connections, folder
        )
        succeeded = count - failures
    else:
        latencies, failures, wall = asyncio.run(
            load(url, cases, args.seconds, args.requests, connections)
        )
        latencies.sort()
        ms = [value * 1000 for value in latencies]
        succeeded = len(latencies)
        latency = {p: percentile(ms, int(p) / 100) for p in ("50", "90", "99")}
    cpu_after = sum(cpu_seconds(pid) or 0.0 for pid in pids)
    busy = (cpu_after - cpu_before) / wall if pids else None
    return Row(connections, succeeded, failures, wall, latency, busy)


def server_pids(process: subprocess.Popen[bytes]) -> list[int]:
    """The server process and its workers (the processes that serve requests)."""
    pids = [process.pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == process.pid:
                pids.append(int(entry.name))
    return pids


def worker_pids(process: subprocess.Popen[bytes]) -> list[int]:
    """The processes that serve requests under a supervisor (not multiprocessing's tracker)."""
    found = []
    for pid in server_pids(process)[1:]:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in command:
            found.append(pid)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--requests", type=int, default=40_000)
    parser.add_argument("--connections", default="1,16", help="Comma-separated, one row each.")
    parser.add_argument("--workers", type=int, help="This tree's server processes.")
    parser.add_argument("--baseline", help="A git revision to measure beside this tree.")
    parser.add_argument("--hide", default="uvloop,httptools", help="Packages the baseline lacks.")
    parser.add_argument("--url", help="A running server on this machine (default: start one).")
    parser.add_argument(
        "--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python"
    )
    args = parser.parse_args()
    connections = [int(n) for n in args.connections.split(",")]
    cases = workload()
    hidden = [name for name in args.hide.split(",") if name]
    against = checkout(args.baseline, hidden) if args.baseline else contextlib.nullcontext(None)
    results: list[tuple[str, list[Row]]] = []
    with tempfile.TemporaryDirectory() as name, against as baseline:
        folder = Path(name)
        servers: list[tuple[str, str, subprocess.Popen[bytes] | None]] = []
        try:
            if args.url:
                if urlparse(args.url).hostname not in LOOPBACK:
                    raise SystemExit("--url must be a server on this machine (127.0.0.1)")
                servers.append(("the server at --url", args.url.rstrip("/"), None))
            else:
                if baseline is not None:
                    url, process = start_server(folder, baseline)
                    # One process, or a supervisor and its workers (as `serve` runs today).
                    workers = max(1, len(worker_pids(process)))
                    shown = "one process" if workers == 1 else f"{workers} workers"
                    servers.append((f"{baseline.name}, {shown}", url, process))
                url, process = start_server(folder, current(), args.workers)
                processes = args.workers or os.cpu_count() or 1
                servers.append((f"this tree, {processes} workers", url, process))
            both = set(range(len(cases)))
            for _, url, _ in servers:
                both &= accepted(url, cases)
            shared = [cases[index] for index in sorted(both)]
            for label, url, process in servers:
                pids = server_pids(process) if process is not None else []
                rows = [measure(url, shared, args, n, folder, pids) for n in connections]
                results.append((label, rows))
        finally:
            for _, _, process in servers:
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)
    print(
        f"{len(shared)} fixture cases (of {len(cases)}) over {len(library().packs)} packs; "
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"client {args.client}; load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        "| server | connections | determinations | failed | determinations/s "
        "| p50 ms | p90 ms | p99 ms | server CPU (cores) | per server CPU-second |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, rows in results:
        for row in rows:
            busy = f"{row.busy:.2f}" if row.busy is not None else "?"
            # What the server does with the CPU it gets: the figure other work disturbs least.
            efficiency = f"{row.answered / (row.busy * row.wall):,.0f}" if row.busy else "?"
            print(
                f"| {label} | {row.connections} | {row.answered:,} | {row.failed} "
                f"| {row.answered / row.wall:,.0f} | {row.latency['50']:.1f} "
                f"| {row.latency['90']:.1f} | {row.latency['99']:.1f} | {busy} | {efficiency} |"
            )


if __name__ == "__main__":
    main()
