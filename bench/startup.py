"""How long people wait for the command line, and how much memory it and an idle server take.

Usage: python bench/startup.py [--baseline REV] [--runs N]

Each figure is a whole process, timed from outside: wall time, CPU time (user + system, the
process and its children) and peak resident memory, the median of N runs:

- `dermcover --help`;
- `dermcover check` on a bundled example;
- `dermcover document lmn` on a bundled example, written as PDF (every run a fresh process);
- an idle `dermcover serve`: resident memory of each process serving requests, once it answers.

With --baseline, the same figures for that revision (checked out into a temporary worktree, run
with the same Python and packages) come first in the same run, so the two sit side by side on
the same machine under the same load. The ICD-10-CM table and each version's bytecode are built
before anything is timed, as on any machine that has run dermcover once; on a machine shared
with other work the wall times are noisy (CPU time much less so).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from baseline import ROOT, Version, checkout, current

EXAMPLES = ROOT / "examples"
CASE = EXAMPLES / "burn-scar-laser.yaml"
SCHEDULE = EXAMPLES / "schedule-burn-laser.yaml"


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    rss_mb: float


def timed(command: list[str], env: dict[str, str]) -> Run:
    """One process from start to exit, with its rusage (children included)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{' '.join(command[3:])} failed ({process.returncode}): {error}")
    if process.stderr:
        process.stderr.close()
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.rss_mb for r in runs),
    )


def commands(version: Version, out: Path) -> dict[str, list[str]]:
    return {
        "dermcover --help": version.command("--help"),
        "dermcover check (example)": version.command("check", str(CASE)),
        "dermcover document lmn (example, PDF)": version.command(
            "document", "lmn", str(CASE), "--schedule", str(SCHEDULE), "--out", str(out)
        ),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def idle_server(version: Version, folder: Path, workers: int | None) -> list[float]:
    """Resident memory (MB) of each process that serves requests, once the server answers."""
    port = free_port()
    env = version.env(DATABASE_URL=f"sqlite:///{folder / f'{os.getpid()}-{port}.db'}")
    command = version.command("serve", "--port", str(port))
    if workers is not None:
        command += ["--workers", str(workers)]
    log = (folder / f"server-{port}.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/policies").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            raise SystemExit("the server did not answer within 120 seconds")
        time.sleep(3)  # every worker done warming up
        serving = _children(process.pid) if workers and workers > 1 else [process.pid]
        return [_rss_mb(pid) for pid in serving if "spawn_main" in _cmdline(pid)] or [
            _rss_mb(process.pid)
        ]
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    return (Path(f"/proc/{pid}/cmdline")).read_bytes().replace(b"\0", b" ").decode()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(version: Version, runs: int, folder: Path) -> dict[str, Run]:
    out = folder / "letter.pdf"
    # As an installed copy runs: pip compiles a wheel's modules to bytecode when it installs
    # them, so a shell that says not to write bytecode would time a recompile of every module
    # of dermcover's own on every start (about a sixth of `check`), which no user pays.
    env = {k: v for k, v in version.env().items() if k != "PYTHONDONTWRITEBYTECODE"}
    # Untimed: builds the ICD-10-CM table (a first run on a machine), writes the bytecode and
    # warms the disk cache.
    for command in commands(version, out).values():
        timed(command, env)
    return {
        name: median([timed(command, env) for _ in range(runs)])
        for name, command in commands(version, out).items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="A git revision to measure beside this tree.")
    parser.add_argument(
        "--hide",
        default="uvloop,httptools",
        help="Packages the baseline runs without (default: uvloop,httptools).",
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="This tree's server processes.")
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.1f} at the start; median of {args.runs} runs"
    )
    print("| version | command | wall s | CPU s | peak RSS MB |")
    print("| --- | --- | ---: | ---: | ---: |")
    servers: list[tuple[str, list[float]]] = []
    hidden = [name for name in args.hide.split(",") if name]
    against = checkout(args.baseline, hidden) if args.baseline else contextlib.nullcontext(None)
    with tempfile.TemporaryDirectory() as name, against as baseline:
        folder = Path(name)
        versions = [v for v in (baseline, current()) if v is not None]
        for version in versions:
            for command, run in measure(version, args.runs, folder).items():
                print(
                    f"| {version.name} | `{command}` | {run.wall:.2f} | {run.cpu:.2f} "
                    f"| {run.rss_mb:.0f} |",
                    flush=True,
                )
            workers = args.workers if version is versions[-1] else None
            servers.append((version.name, idle_server(version, folder, workers)))
    print()
    print("| version | idle server: resident memory of each serving process |")
    print("| --- | --- |")
    for version_name, sizes in servers:
        shown = ", ".join(f"{size:.0f} MB" for size in sizes)
        print(f"| {version_name} | {len(sizes)} process(es): {shown} |")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
