"""The service under steady load while one client sends the most expensive requests the limits
allow: do the others still get their answers, quickly and without errors?

Usage: python bench/under_attack.py [--seconds S] [--capacity-seconds C] [--share F]
                                    [--workers W] [--heavy-processes H] [--attack KIND]

1. Starts `dermcover serve --workers W` (default 2, one per core, as `make run` does) on a free
   127.0.0.1 port with a fresh SQLite file; each worker keeps H (default 1) helper processes
   for heavy work (DERMCOVER_HEAVY_PROCESSES, see `dermcover.web.heavy`). Prints the idle
   memory of every process of the service.
2. Measures capacity: 8 closed-loop clients POST the packs' fixture cases to
   /api/v1/determinations as fast as they are answered, for C seconds (default 10).
3. Holds F (default 0.8) of that rate, open-loop (each request sent on schedule, whatever the
   answers before it), for S seconds (default 180, the 3 minutes the target names), while one
   more client sends, back to back, the costliest requests the limits allow (KIND, default
   `all`: each of these in turn):
   - `pdf`: a prior-authorization packet as PDF for a case of 50 procedure lines (the most a
     case may have) whose patient name is 20,000 characters (the longest text allowed):
     rendering it takes longer than the 20 s time budget, so it is always cut off with 503;
   - `spread`: `?policy=all` (the case decided under every payer's pack) for 50 lines with
     1,000 diagnoses, 100 claim diagnoses a line and 1,000 prior treatments: seconds of CPU;
   - `yaml`: the same case grown to just under the 1,000,000-byte body limit as YAML (1,000
     claim diagnoses a line, long treatment names), with the full trace: reading it alone
     takes about a second.
4. Prints the rate held, the errors, and p50/p99/max latency of the ordinary requests
   (measured from when each was due, so a stalled server cannot hide behind a late send),
   and what the costly client got: answers by status, per kind.

The clients are Python (httpx on asyncio, one process) and share the two cores with the
server: the capacity they measure is the clients' and the server's together, a floor for the
server alone.
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
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import yaml

from dermcover.case import MAX_PROCEDURES
from dermcover.codes import icd10
from dermcover.engine import library
from dermcover.engine.fixtures import load_fixtures
from dermcover.inputs import MAX_INPUT_BYTES, MAX_LIST_ITEMS, MAX_STRING_CHARS

PATH = "/api/v1/determinations"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HEADERS = {"content-type": "application/json"}
KINDS = ("pdf", "spread", "yaml")
# The server closes a keep-alive connection idle for 5 s; the clients let theirs go sooner, so
# that no request is sent down a connection the server is closing (a ReadError, not the
# server's fault).
LIMITS = httpx.Limits(keepalive_expiry=2)
# The open-loop clients share 32 connections: with hundreds, httpx's pool spends more CPU per
# request the more connections it holds, and once the clients fall behind they open more and
# fall further behind. A request waiting for a connection is still timed from when it was due.
OPEN_LOOP = httpx.Limits(max_connections=32, max_keepalive_connections=32, keepalive_expiry=2)


def ordinary_requests() -> list[tuple[str, bytes]]:
    packs = library()
    return [
        (f"{PATH}?policy={pack_id}", fixture.case.model_dump_json(exclude_none=True).encode())
        for pack_id in packs.packs
        for _, fixture in load_fixtures(packs.folder / pack_id)
    ]


def example(name: str) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    as_json: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return as_json


def fifty_lines(case: dict[str, Any]) -> dict[str, Any]:
    lines = (case["procedures"] * MAX_PROCEDURES)[:MAX_PROCEDURES]
    grown: dict[str, Any] = json.loads(json.dumps({**case, "procedures": lines}))
    return grown  # fifty lines of their own: YAML would write repeats as aliases


def costliest_requests() -> dict[str, tuple[str, bytes, dict[str, str]]]:
    """Per kind: the path, the body and its headers."""
    burn = example("burn-scar-laser.yaml")
    paper = fifty_lines(burn)
    paper["patient"]["name"] = "N" * MAX_STRING_CHARS
    pdf = json.dumps({"case": paper, "schedule": example("schedule-burn-laser.yaml")})

    codes = [code for code in icd10.all_codes() if code.startswith("L")][:MAX_LIST_ITEMS]
    big = fifty_lines(burn)
    big["condition"]["diagnoses"] = codes
    for line in big["procedures"]:
        line["claim_diagnoses"] = codes[:100]
    big["prior_treatments"] = [
        {"name": f"treatment_{n}", "outcome": "failed", "months": 3} for n in range(MAX_LIST_ITEMS)
    ]
    big["patient"]["name"] = "N" * MAX_STRING_CHARS
    spread = json.dumps(big)

    def as_yaml(per_line: int) -> str:
        for line in big["procedures"]:
            line["claim_diagnoses"] = codes[:per_line]
        return yaml.safe_dump(big, sort_keys=False)

    # 1,000 claim diagnoses a line (the list limit), then prior treatments' names made longer
    # until the body is just under its limit.
    spare = MAX_INPUT_BYTES - len(as_yaml(MAX_LIST_ITEMS).encode())
    for n, treatment in enumerate(big["prior_treatments"]):
        treatment["name"] = f"treatment_{n}_" + "x" * max(0, spare // MAX_LIST_ITEMS - 4)
    per_line = MAX_LIST_ITEMS
    big_yaml = as_yaml(per_line)
    return {
        "pdf": ("/api/v1/documents/pa-packet?date=2026-11-22", pdf.encode(), HEADERS),
        "spread": (f"{PATH}?policy=all", spread.encode(), HEADERS),
        "yaml": (f"{PATH}?trace=full", big_yaml.encode(), {"content-type": "application/yaml"}),
    }


def start_server(folder: Path, workers: int, helpers: int) -> tuple[str, subprocess.Popen[bytes]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "DERMCOVER_HEAVY_PROCESSES": str(helpers),
    }
    command = [str(Path(sys.executable).with_name("dermcover")), "serve", "--plain-http"]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [*command, "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
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


def process_tree(root: int) -> list[int]:
    """`root` and every process under it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def memory(pid: int) -> tuple[str, float, float, float]:
    """The process's command line, its resident, proportional and unique set sizes in MB (PSS
    shares each page among the processes that map it; USS is the pages no other process maps:
    what the machine gets back when the process ends)."""
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:60]
    sizes = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        sizes[name.rstrip(":")] = int(value) / 1024
    unique = sizes.get("Private_Clean", 0.0) + sizes.get("Private_Dirty", 0.0)
    return command, sizes.get("Rss", 0.0), sizes.get("Pss", 0.0), unique


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

    async with httpx.AsyncClient(base_url=url, timeout=30, limits=LIMITS) as client:
        begun = time.perf_counter()
        await asyncio.gather(*(worker(client, n) for n in range(8)))
        return done / (time.perf_counter() - begun)


async def under_attack(
    url: str, cases: list[tuple[str, bytes]], rate: float, seconds: float, kinds: list[str]
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    costly: list[tuple[str, int, float]] = []
    requests = costliest_requests()
    begun = time.perf_counter()
    stop = begun + seconds

    async def attacker() -> None:
        if not kinds:
            return
        n = 0
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=LIMITS) as client:
            while time.perf_counter() < stop:
                kind = kinds[n % len(kinds)]
                path, body, headers = requests[kind]
                sent = time.perf_counter()
                try:
                    status = (await client.post(path, content=body, headers=headers)).status_code
                except httpx.HTTPError:
                    status = 0
                costly.append((kind, status, time.perf_counter() - sent))
                n += 1

    async def one(client: httpx.AsyncClient, due: float, index: int) -> None:
        path, body = cases[index % len(cases)]
        try:
            answer = await client.post(path, content=body, headers=HEADERS)
            if answer.status_code != 200:
                errors.append(str(answer.status_code))
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        latencies.append(time.perf_counter() - due)

    timeout = httpx.Timeout(30, pool=None)  # waiting for one of the 32 is not an error
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=OPEN_LOOP) as client:
        attack = asyncio.create_task(attacker())
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
        "max": latencies[-1] * 1000,
        "costly": costly,
        "sizes": {kind: len(body) for kind, (_, body, _) in requests.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=180, help="the hold (default 180)")
    parser.add_argument("--capacity-seconds", type=float, default=10)
    parser.add_argument("--share", type=float, default=0.8)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--heavy-processes", type=int, default=1, help="helpers per worker")
    parser.add_argument(
        "--attack",
        choices=[*KINDS, "all", "none"],
        default="all",
        help="which costly requests; none: the same load without them, for comparison",
    )
    args = parser.parse_args()
    kinds = {"all": list(KINDS), "none": []}.get(args.attack, [args.attack])
    cases = ordinary_requests()
    with tempfile.TemporaryDirectory() as folder:
        url, process = start_server(Path(folder), args.workers, args.heavy_processes)
        try:
            time.sleep(2)
            idle = [memory(pid) for pid in process_tree(process.pid)]
            asyncio.run(capacity(url, cases, 2))  # warm up
            measured = asyncio.run(capacity(url, cases, args.capacity_seconds))
            rate = measured * args.share
            result = asyncio.run(under_attack(url, cases, rate, args.seconds, kinds))
        finally:
            process.terminate()
            process.wait(timeout=10)
    load = os.getloadavg()[0]
    print(
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {load:.1f} at the end; {args.workers} workers, "
        f"{args.heavy_processes} heavy-work helper(s) each"
    )
    print("idle memory (MB):  RSS    PSS    USS  process")
    for command, rss, pss, unique in idle:
        print(f"               {rss:6.0f} {pss:6.0f} {unique:6.0f}  {command}")
    total = sum(pss for _, _, pss, _ in idle)
    print(f"               total PSS {total:,.0f} MB")
    print(f"capacity (closed loop, 8 clients): {measured:,.0f} determinations/s")
    print(f"held: {result['held']:,.0f}/s ({args.share:.0%}) for {args.seconds:g} s")
    print(f"ordinary requests: {result['sent']:,} sent, {len(result['errors'])} errors", end="")
    print(f" {dict(Counter(result['errors']))}" if result["errors"] else "")
    print(
        f"ordinary latency from when due: p50 {result['p50']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms, max {result['max']:.1f} ms"
    )
    print("costly requests, one at a time:" if kinds else "no costly requests (--attack none)")
    for kind in kinds:
        answers = [(status, took) for k, status, took in result["costly"] if k == kind]
        statuses = dict(sorted(Counter(status for status, _ in answers).items()))
        slowest = max((took for _, took in answers), default=0.0)
        print(
            f"  {kind:6} ({result['sizes'][kind]:,} bytes): {len(answers)} sent, "
            f"statuses {statuses}, slowest {slowest:.1f} s"
        )


if __name__ == "__main__":
    main()
