"""The service under steady load while one client sends the most expensive requests the limits
allow: do the others still get their answers, quickly and without errors?

1. Starts `dermcover serve --workers W` (default 2, one per core, as `make run` does) on a free
   127.0.0.1 port with a fresh SQLite file; each worker keeps H (default 1) helper processes
   for heavy work (DERMCOVER_HEAVY_PROCESSES, see `dermcover.web.heavy`). Prints the idle
   memory of every process of the service.
2. Measures capacity in the same run: wrk (`bench/load.lua`, closed loop, --capacity-connections
   connections, default 8) POSTs every pack's fixture cases to /api/v1/determinations as fast
   as they are answered, for C seconds (--capacity-seconds, default 10), after a 2-second
   warm-up. Capacity is the answers per second.
3. Holds F (--share, default 0.8) of that rate for S seconds (--seconds, default 180: the 3
   minutes the target names). The ordinary clients are wrk with `bench/paced.lua` (started by
   `bench/paced.py`): N
   connections (--connections, default 64), one wrk thread each, every connection sending on a
   fixed schedule (together an even stream at the rate, open loop: a late answer does not
   lower the rate), each request timed from when it was due, not from when it went out, so a
   stalled server cannot hide behind a late send. Beside them one attacker process sends,
   back to back on one connection, the costliest requests the limits allow (`bench/costly.py`;
   --attack, default `all`: each of these in turn; `none` runs the same load without it, for
   comparison), from the start of the hold to its end (its last request may run past it):
   - `pdf`: a prior-authorization packet as PDF for a case of 50 procedure lines (the most a
     case may have) whose patient name is 20,000 characters (the longest text allowed):
     rendering takes many seconds, and on a busy machine more than the 20 s time budget
     (then 503, and the helper doing it is killed and replaced);
   - `spread`: `?policy=all` (the case decided under every payer's pack) for 50 lines with
     1,000 diagnoses, 100 claim diagnoses a line and 1,000 prior treatments: seconds of CPU;
   - `yaml`: the same case grown to just under the 1,000,000-byte body limit as YAML (1,000
     claim diagnoses a line, long treatment names), with the full trace (a 25 MB answer).
4. Every --window seconds (default 10) prints a row: the ordinary requests answered in that
   window (per second), their errors, p50/p99/max latency in the window and p99 so far, the
   attacker's answers by status, the CPU (in cores) of the server's workers, of their helpers,
   of wrk and of the attacker, and the load average. A row counts the answers that came in
   its window, each timed from when it was due; a last row, `after S`, those that came after
   the hold. At the end: the same over the whole hold, wrk's own count of socket errors, the
   attacker's answers per kind, and whether the target was met.

What counts as an error:
- an ordinary request: any answer but 200 (every fixture case sent is first checked to be
  answered 200, one request each), a connection that broke before its answer, or no answer
  by the end of the grace period after the hold (--grace, default 30 s);
- the attacker: any answer but 200 or 503 with a Retry-After header (the time budget, or the
  heavy-work queue turning it away), or no answer within 60 s. Its 503s are expected: they
  are how the limits end a request.
Latency is not an error; p99 is reported beside the errors.

The target is met when the hold ran its whole length, no request (ordinary or the
attacker's) had an error, and the ordinary requests' p99 over the whole hold is under 100 ms
(--p99-ms); the exit status is 0 then, 1 otherwise. wrk and the attacker share the machine's
cores with the server, so on two cores the capacity is the server's with them beside it; the
CPU columns show what each took.

A default run takes about 4 1/2 minutes: some 20 s to start the server and check the cases,
12 s of capacity burst, the 180 s hold, then up to --grace (30 s) for the last ordinary
answers and up to a minute for the attacker's last request (usually under 20 s).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.context import ForkProcess
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from costly import KINDS, TIMEOUT, Costly, CostlyAnswer, costliest_requests, send_back_to_back
from load import accepted, cpu_seconds, run_wrk, workload
from paced import Answer, Paced, Tail, scheduled, socket_errors, start_paced

# The numeric options: name, type, default, what it sets.
OPTIONS: tuple[tuple[str, type, float, str], ...] = (
    ("--seconds", float, 180, "the hold at the shared rate"),
    ("--share", float, 0.8, "the share of capacity held"),
    ("--capacity-seconds", float, 10, "the closed-loop burst that measures capacity"),
    ("--capacity-connections", int, 8, "wrk connections of that burst"),
    (
        "--connections",
        int,
        64,
        "paced connections of the hold, one wrk thread each; fewer at a low rate, so that "
        "each sends at least every 2 s (the server closes a connection idle for 5 s)",
    ),
    ("--window", float, 10, "seconds a progress row covers"),
    ("--grace", float, 30, "seconds after the hold to wait for the last ordinary answers"),
    ("--p99-ms", float, 100, "the target for the ordinary requests' p99, in ms"),
    ("--workers", int, 2, "server processes, one per core"),
    ("--heavy-processes", int, 1, "heavy-work helper processes per worker; 0: worker threads"),
)


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


def children_of() -> dict[int, list[int]]:
    """Every process's children (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    return children


def process_tree(root: int) -> list[int]:
    """`root` and every process under it."""
    children = children_of()
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


class CpuWatch:
    """CPU seconds of the server's workers, of their helpers, of wrk and of the attacker, per
    interval, in cores. A helper killed over its budget takes its last interval's CPU with it,
    so the helpers' figure is a floor."""

    def __init__(self, server: int, others: dict[str, int]) -> None:
        self.server, self.others = server, others
        self.last: dict[int, float] = {}
        self.when = time.monotonic()
        self.sample()

    def roles(self) -> dict[str, list[int]]:
        children = children_of()
        workers = [
            pid for pid in children.get(self.server, []) if b"resource_tracker" not in _cmdline(pid)
        ]
        helpers = [child for pid in workers for child in children.get(pid, [])]
        found = {"workers": [self.server, *workers], "helpers": helpers}
        return found | {name: [pid] for name, pid in self.others.items()}

    def sample(self) -> dict[str, float]:
        now = time.monotonic()
        span = max(now - self.when, 1e-9)
        used: dict[str, float] = {}
        for role, pids in self.roles().items():
            total = 0.0
            for pid in pids:
                seconds = cpu_seconds(pid)
                if seconds is not None:
                    total += seconds - self.last.get(pid, 0.0)
                    self.last[pid] = seconds
            used[role] = total / span
        self.when = now
        return used


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def statuses(codes: Iterable[int]) -> str:
    counted = sorted(Counter(codes).items())
    return " ".join(f"{code or 'none'}×{n}" for code, n in counted) or "-"


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return math.nan
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


@dataclass
class Tally:
    """What the clients got, read from their records as they write them."""

    folder: Path
    answers: list[Answer] = field(default_factory=list)
    costly: list[CostlyAnswer] = field(default_factory=list)
    ended: int = 0  # wrk threads that sent their last request and had its answer
    shown: int = 0  # answers (and costly answers) shown in rows so far
    shown_costly: int = 0

    def __post_init__(self) -> None:
        self.ordinary = Tail(self.folder, "paced-*.txt")
        self.attacker = Tail(self.folder, "attack.txt")

    def read(self) -> None:
        for line in self.ordinary.lines():
            if line == "end":
                self.ended += 1
            else:
                self.answers.append(Answer.parse(line))
        self.costly.extend(CostlyAnswer.parse(line) for line in self.attacker.lines())

    def take(self, before: float) -> tuple[list[Answer], list[CostlyAnswer]]:
        """The answers not yet shown that came before `before` (seconds into the hold)."""
        self.read()
        self.answers.sort(key=lambda a: a.done)
        self.costly.sort(key=lambda c: c.done)
        new = [a for a in self.answers[self.shown :] if a.done < before]
        costly = [c for c in self.costly[self.shown_costly :] if c.done < before]
        self.shown += len(new)
        self.shown_costly += len(costly)
        return new, costly


HEADER = (
    "| window s | answered/s | errors | p50 ms | p99 ms | max ms | p99 so far | attacker "
    "| attacker errors | CPU: workers | helpers | wrk | attacker | load |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: "
    "| ---: | ---: |"
)


def row(
    label: str,
    answers: list[Answer],
    costly: list[CostlyAnswer],
    span: float,
    so_far: list[float],
    cpu: dict[str, float],
) -> str:
    latencies = sorted(a.latency_ms for a in answers if a.status)
    errors = sum(a.status != 200 for a in answers)
    return (
        f"| {label} | {len(answers) / span:,.0f} | {errors} | {percentile(latencies, 0.5):.1f} "
        f"| {percentile(latencies, 0.99):.1f} | {latencies[-1] if latencies else math.nan:.1f} "
        f"| {percentile(so_far, 0.99):.1f} | {statuses(c.status for c in costly)} "
        f"| {sum(c.error for c in costly)} | {cpu.get('workers', 0):.2f} "
        f"| {cpu.get('helpers', 0):.2f} | {cpu.get('wrk', 0):.2f} "
        f"| {cpu.get('attacker', 0):.2f} | {os.getloadavg()[0]:.1f} |"
    )


@dataclass(frozen=True)
class Hold:
    rate: float
    seconds: float
    connections: int
    window: float
    grace: float
    kinds: list[str]
    requests: Costly


def start_attacker(url: str, plan: Hold, paced: Paced) -> ForkProcess:
    """The attacker in a process of its own, so that it costs the load generator nothing."""
    record = paced.folder / "attack.txt"
    stop = paced.start + plan.seconds
    args = (url, plan.requests, plan.kinds, paced.start, stop, record)
    attacker = multiprocessing.get_context("fork").Process(target=send_back_to_back, args=args)
    attacker.start()
    return attacker


def hold(url: str, cases: list[tuple[str, bytes]], plan: Hold, folder: Path, server: int) -> Any:
    """The paced load and the attacker, a row printed each window; the tally and wrk's own
    summary."""
    paced = start_paced(url, cases, plan.rate, plan.seconds, plan.connections, plan.grace, folder)
    attacker = start_attacker(url, plan, paced) if plan.kinds else None
    others = {"wrk": paced.process.pid}
    if attacker is not None and attacker.pid is not None:
        others["attacker"] = attacker.pid
    cpu = CpuWatch(server, others)
    tally = Tally(folder)
    so_far: list[float] = []
    print(HEADER, flush=True)
    for n in range(math.ceil(plan.seconds / plan.window)):
        begun, end = n * plan.window, min((n + 1) * plan.window, plan.seconds)
        time.sleep(max(0.0, paced.start + end + 0.2 - time.monotonic()))
        answers, costly = tally.take(end)
        so_far = sorted(so_far + [a.latency_ms for a in answers if a.status])
        label = f"{begun:g}-{end:g}"
        print(row(label, answers, costly, end - begun, so_far, cpu.sample()), flush=True)
    # The answers still to come for requests due in the hold, then the attacker's last one.
    deadline = paced.start + plan.seconds + plan.grace
    while tally.ended < plan.connections and time.monotonic() < deadline:
        time.sleep(0.2)
        tally.read()
    summary = paced.summary()
    if attacker is not None:
        attacker.join(TIMEOUT + 5)
        if attacker.is_alive():
            attacker.kill()
    after = time.monotonic() - paced.start - plan.seconds
    answers, costly = tally.take(math.inf)
    if answers or costly:
        so_far = sorted(so_far + [a.latency_ms for a in answers if a.status])
        label = f"after {plan.seconds:g}"
        print(row(label, answers, costly, max(after, 1e-9), so_far, cpu.sample()), flush=True)
    return tally, summary


def report(tally: Tally, summary: str, plan: Hold, p99_ms: float) -> bool:
    """The whole hold, and whether the target was met."""
    due = scheduled(plan.rate, plan.seconds, plan.connections)
    answers = tally.answers
    latencies = sorted(a.latency_ms for a in answers if a.status)
    wrong = Counter(a.status for a in answers if a.status != 200)
    unanswered = due - len(answers)
    errors = sum(wrong.values()) + unanswered
    print(
        f"ordinary: {due:,} due in {plan.seconds:g} s ({due / plan.seconds:,.0f}/s), "
        f"{len(latencies):,} answered, {errors} errors"
        + (f" ({statuses(wrong.elements())}; unanswered {unanswered})" if errors else "")
    )
    p99 = percentile(latencies, 0.99)
    print(
        f"ordinary latency from when due: p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p99 {p99:.1f} ms, max {latencies[-1] if latencies else math.nan:.1f} ms"
    )
    print(f"wrk: {socket_errors(summary)}")
    costly_errors = 0
    for kind in plan.kinds:
        mine = [c for c in tally.costly if c.kind == kind]
        costly_errors += sum(c.error for c in mine)
        slowest = max((c.done - c.sent for c in mine), default=0.0)
        print(
            f"attacker {kind:6}: {len(mine)} sent, {statuses(c.status for c in mine)}, "
            f"slowest {slowest:.1f} s, errors {sum(c.error for c in mine)}"
        )
    met = errors == 0 and costly_errors == 0 and p99 < p99_ms
    verdict = "met" if met else "NOT met"
    print(f"target (no errors, p99 under {p99_ms:g} ms for {plan.seconds:g} s): {verdict}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for name, kind, default, meaning in OPTIONS:
        parser.add_argument(
            name, type=kind, default=default, help=f"{meaning} (default {default:g})"
        )
    parser.add_argument(
        "--attack",
        choices=[*KINDS, "all", "none"],
        default="all",
        help="which costly requests the attacker sends (default all, in turn); none: the same "
        "load without an attacker, for comparison",
    )
    args = parser.parse_args()
    kinds = {"all": list(KINDS), "none": []}.get(args.attack, [args.attack])
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (the Makefile's Debian packages include it)")
    cases = workload()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url, process = start_server(folder, args.workers, args.heavy_processes)
        try:
            time.sleep(2)
            idle = [memory(pid) for pid in process_tree(process.pid)]
            answered = accepted(url, cases)  # one request each, which also warms every route
            if len(answered) < len(cases):
                raise SystemExit(f"{len(cases) - len(answered)} fixture cases not answered 200")
            connected = args.capacity_connections
            run_wrk(url, cases, 2, 10**9, connected, folder)  # warm up
            count, failed, wall, _ = run_wrk(
                url, cases, args.capacity_seconds, 10**9, connected, folder
            )
            if failed:
                raise SystemExit(f"{failed} errors while measuring capacity")
            capacity = count / wall
            rate = capacity * args.share
            connections = max(1, min(args.connections, int(rate * 2)))
            requests = costliest_requests()
            print_preamble(args, idle, capacity, rate, connections, kinds, requests)
            plan = Hold(rate, args.seconds, connections, args.window, args.grace, kinds, requests)
            tally, summary = hold(url, cases, plan, folder, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
        met = report(tally, summary, plan, args.p99_ms)
    sys.exit(0 if met else 1)


def print_preamble(
    args: argparse.Namespace,
    idle: list[tuple[str, float, float, float]],
    capacity: float,
    rate: float,
    connections: int,
    kinds: list[str],
    requests: Costly,
) -> None:
    print(
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} before the hold; {args.workers} workers, "
        f"{args.heavy_processes} heavy-work helper(s) each"
    )
    print("idle memory (MB):  RSS    PSS    USS  process")
    for command, rss, pss, unique in idle:
        print(f"               {rss:6.0f} {pss:6.0f} {unique:6.0f}  {command}")
    print(f"               total PSS {sum(pss for _, _, pss, _ in idle):,.0f} MB")
    print(
        f"capacity (wrk, closed loop, {args.capacity_connections} connections, "
        f"{args.capacity_seconds:g} s): {capacity:,.0f} determinations/s"
    )
    sizes = {kind: len(body) for kind, (_, body, _) in requests.items()}
    attacker = ", ".join(f"{kind} ({sizes[kind]:,} bytes)" for kind in kinds) or "none"
    print(
        f"holding {rate:,.0f}/s ({args.share:.0%}) for {args.seconds:g} s on {connections} "
        f"paced connections; attacker: {attacker}",
        flush=True,
    )


if __name__ == "__main__":
    main()
