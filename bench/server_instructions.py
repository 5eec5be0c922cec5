"""Instructions the server process executes a determination, counted by callgrind.

Usage: python bench/server_instructions.py [--requests N] [--connections C] [--baseline REV]
                                           [--hide PACKAGES]

Starts one server process as `dermcover serve --workers 1` runs it (uvicorn, uvloop, httptools,
its log into a file) under `valgrind --tool=callgrind` with the counting off, warms it up with
every fixture case twice, counts the N requests that follow (every fixture case of every shipped
pack under its own pack with the default criteria trace, cycled, on C keep-alive connections of
a small client whose own instructions are not counted), and prints the instructions a request.
With --baseline the same for that revision first (see bench/load.py for --hide).

CPU time per request moves with whatever else the machine runs; this count does not (two runs
agree to well under 1%), so it is the figure to compare on a busy machine. It is user space
only: the kernel's part (the socket reads and writes) is not in it. The time budget is lifted
(DERMCOVER_REQUEST_SECONDS=600): under callgrind a request can take many times its usual time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from baseline import ROOT, Version, checkout, current
from load import free_port, workload


async def send_all(port: int, requests: list[bytes], count: int, connections: int) -> int:
    """Send `count` of the requests, cycled, over `connections` keep-alive connections; the
    number answered 200."""
    sent = answered = 0

    async def connection() -> None:
        nonlocal sent, answered
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while sent < count:
            writer.write(requests[sent % len(requests)])
            sent += 1
            head = await reader.readuntil(b"\r\n\r\n")
            answered += head.split(b" ", 2)[1] == b"200"
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
        writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return answered


def http_requests(port: int) -> list[bytes]:
    return [
        (
            f"POST /api/v1/determinations?policy={pack_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for pack_id, body in workload()
    ]


def instructions(version: Version, folder: Path, count: int, connections: int) -> float:
    """Instructions a request of `version`'s server, over `count` requests."""
    port = free_port()
    out = folder / f"callgrind-{port}"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}.%p",
        *version.command("serve", "--port", str(port), "--workers", "1"),
    ]
    env = version.env(
        DATABASE_URL=f"sqlite:///{folder / f'bench-{port}.db'}", DERMCOVER_REQUEST_SECONDS="600"
    )
    log = (folder / f"server-{port}.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/policies", timeout=60).is_success:
                    break
            time.sleep(1)
        else:
            raise SystemExit("the server did not start under callgrind within 15 minutes")
        requests = http_requests(port)
        asyncio.run(send_all(port, requests, 2 * len(requests), connections))
        control = ["callgrind_control"]
        subprocess.run([*control, "--zero", str(process.pid)], check=True, capture_output=True)
        subprocess.run([*control, "-i", "on", str(process.pid)], check=True, capture_output=True)
        answered = asyncio.run(send_all(port, requests, count, connections))
        subprocess.run([*control, "-i", "off", str(process.pid)], check=True, capture_output=True)
        subprocess.run([*control, "--dump", str(process.pid)], check=True, capture_output=True)
    finally:
        process.terminate()
        process.wait(timeout=300)
    if answered != count:
        raise SystemExit(f"{version.name}: {count - answered} of {count} requests not answered 200")
    counted = sum(
        int(line.split()[1])
        for dump in folder.glob(f"{out.name}.{process.pid}*")
        for line in dump.read_text().splitlines()
        if line.startswith("totals:")
    )
    return counted / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=784)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--baseline", help="A git revision to count beside this tree.")
    parser.add_argument("--hide", default="", help="Packages the baseline lacks.")
    args = parser.parse_args()
    hidden = [name for name in args.hide.split(",") if name]
    against = checkout(args.baseline, hidden) if args.baseline else contextlib.nullcontext(None)
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as name, against as baseline:
        for version in [v for v in (baseline, current()) if v is not None]:
            each = instructions(version, Path(name), args.requests, args.connections)
            rows.append((version.name, each))
    print(f"{args.requests} requests on {args.connections} connections, counted by callgrind")
    print("| server | instructions a request | against the first |")
    print("| --- | ---: | ---: |")
    for label, each in rows:
        print(f"| {label} | {each / 1e3:,.0f} K | {each / rows[0][1]:.3f} |")


if __name__ == "__main__":
    main()
