"""Why two uvicorn workers on asyncio's loop add ~44 ms to every answer, shown on loopback.

Usage: python bench/nagle.py [--seconds S]

Starts the service's app (`dermcover.web.server:app`) under uvicorn in each configuration below,
loads it with wrk over one keep-alive connection (POST /api/v1/determinations, the fixture
cases), and prints the latency. The configurations:

- asyncio + h11, one process: uvicorn binds through asyncio, which sets TCP_NODELAY on every
  connection it accepts;
- asyncio + h11 and asyncio + httptools, two processes: uvicorn binds the shared socket itself,
  as `socket.socket(AF_INET)`, whose `proto` is 0; asyncio sets TCP_NODELAY only on sockets
  whose proto is IPPROTO_TCP, so Nagle's algorithm stays on. The answer goes out as two writes
  (headers, then body); the body waits until the headers are ACKed, and the client delays that
  ACK (Linux: at least 40 ms);
- the same two processes, with the shared socket made with proto IPPROTO_TCP: asyncio sets
  TCP_NODELAY again and the delay is gone, which pins the cause;
- uvloop + httptools, two processes (what `dermcover serve` runs): uvloop sets TCP_NODELAY on
  every TCP connection itself.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from load import free_port, run_wrk, workload

LAUNCHER = """
import socket, sys
import uvicorn
from uvicorn.config import Config

loop, http = sys.argv[1], sys.argv[2]
workers, port, tcp_proto = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
if tcp_proto:
    bind = Config.bind_socket

    def bind_socket(self):
        sock = bind(self)
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())

    Config.bind_socket = bind_socket
if __name__ == "__main__":
    uvicorn.run("dermcover.web.server:app", factory=True, port=port, workers=workers, loop=loop,
                http=http, log_config=None, access_log=False)
"""

CONFIGURATIONS = [
    ("asyncio + h11, 1 process", "asyncio", "h11", 1, False),
    ("asyncio + h11, 2 processes", "asyncio", "h11", 2, False),
    ("asyncio + httptools, 2 processes", "asyncio", "httptools", 2, False),
    ("asyncio + h11, 2 processes, socket with IPPROTO_TCP", "asyncio", "h11", 2, True),
    ("uvloop + httptools, 2 processes (dermcover serve)", "uvloop", "httptools", 2, False),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    cases = workload()
    print("| configuration | determinations/s | p50 ms | p90 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        launcher = folder / "launch.py"
        launcher.write_text(LAUNCHER)
        database = folder / "nagle.db"
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from dermcover.store.migrate import "
                "upgrade_database; upgrade_database(sys.argv[1])",
                f"sqlite:///{database}",
            ],
            check=True,
        )
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DERMCOVER_SECRET_KEY": "x"}
        for label, loop, http, workers, tcp_proto in CONFIGURATIONS:
            port = free_port()
            command = [sys.executable, str(launcher), loop, http, str(workers), str(port)]
            command.append("1" if tcp_proto else "0")
            log = (folder / f"{port}.log").open("wb")
            server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                url = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if httpx.get(url + "/api/v1/policies", timeout=2).status_code == 200:
                            break
                    except httpx.TransportError:
                        if time.monotonic() > deadline:
                            raise SystemExit(f"{label}: the server did not start") from None
                        time.sleep(0.3)
                time.sleep(3)
                count, failed, wall, latency = run_wrk(url, cases, args.seconds, 10**9, 1, folder)
                print(
                    f"| {label} | {(count - failed) / wall:,.0f} | {latency['50']:.1f} "
                    f"| {latency['90']:.1f} | {latency['99']:.1f} |",
                    flush=True,
                )
            finally:
                server.terminate()
                server.wait(timeout=30)
                log.close()


if __name__ == "__main__":
    main()
