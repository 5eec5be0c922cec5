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
   minutes the target names). The ordinary clients are wrk with `bench/paced.lua`: N
   connections (--connections, default 64), one wrk thread each, every connection sending on a
   fixed schedule (together an even stream at the rate, open loop: a late answer does not
   lower the rate), each request timed from when it was due, not from when it went out, so a
   stalled server cannot hide behind a late send. Beside them one attacker process sends,
   back to back on one connection, the costliest requests the limits allow (--attack, default
   `all`: each of these in turn; `none` runs the same load without it, for comparison):
   - `pdf`: a prior-authorization packet as PDF for a case of 50 procedure lines (the most a
     case may have) whose patient name is 20,000 characters (the longest text allowed):
     rendering it takes longer than the 20 s time budget, so it is always cut off with 503;
   - `spread`: `?policy=all` (the case decided under every payer's pack) for 50 lines with
     1,000 diagnoses, 100 claim diagnoses a line and 1,000 prior treatments: seconds of CPU;
   - `yaml`: the same case grown to just under the 1,000,000-byte body limit as YAML (1,000
     claim diagnoses a line, long treatment names), with the full trace.
4. Every --window seconds (default 10) prints a row: the ordinary requests answered in that
   window (per second), their errors, p50/p99/max latency in the window and p99 so far, the
   attacker's answers by status, the CPU (in cores) of the server's workers, of their helpers,
   of wrk and of the attacker, and the load average. At the end: the same over the whole hold,
   the attacker's answers per kind, and whether the target was met.

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
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from dermcover.case import MAX_PROCEDURES
from dermcover.codes import icd10
from dermcover.inputs import MAX_INPUT_BYTES, MAX_LIST_ITEMS, MAX_STRING_CHARS
from load import accepted, cpu_seconds, run_wrk, workload, write_workload

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PACED = Path(__file__).with_name("paced.lua")
HEADERS = {"content-type": "application/json"}
KINDS = ("pdf", "spread", "yaml")
ATTACK_TIMEOUT = 60.0  # seconds the attacker waits for one answer (the time budget is 20)
LEAD = 2.0  # seconds between starting wrk and the first request due: its threads connect

Costly = dict[str, tuple[str, bytes, dict[str, str]]]  # per kind: path, body, headers


def example(name: str) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    as_json: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return as_json


def fifty_lines(case: dict[str, Any]) -> dict[str, Any]:
    lines = (case["procedures"] * MAX_PROCEDURES)[:MAX_PROCEDURES]
    grown: dict[str, Any] = json.loads(json.dumps({**case, "procedures": lines}))
    return grown  # fifty lines of their own: YAML would write repeats as aliases


def costliest_requests() -> Costly:
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
    big_yaml = as_yaml(MAX_LIST_ITEMS)
    return {
        "pdf": ("/api/v1/documents/pa-packet?date=2026-11-22", pdf.encode(), HEADERS),
        "spread": ("/api/v1/determinations?policy=all", spread.encode(), HEADERS),
        "yaml": (
            "/api/v1/determinations?trace=full",
            big_yaml.encode(),
            {"content-type": "application/yaml"},
        ),
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


# The attacker: its own process, so that it costs the load generator nothing.


def attack(
    url: str, requests: Costly, kinds: list[str], start: float, stop: float, record: Path
) -> None:
    """Send the costly requests of `kinds` in turn, back to back, from `start` until `stop`;
    one line per answer in `record`: kind, seconds from `start` to when it was sent and to its
    answer, status (0: none) and whether it carried Retry-After."""
    time.sleep(max(0.0, start - time.monotonic()))
    with record.open("w", buffering=1) as out, httpx.Client(base_url=url) as client:
        n = 0
        while time.monotonic() < stop:
            kind = kinds[n % len(kinds)]
            path, body, headers = requests[kind]
            sent = time.monotonic()
            try:
                answer = client.post(path, content=body, headers=headers, timeout=ATTACK_TIMEOUT)
                status, retry = answer.status_code, "retry-after" in answer.headers
            except httpx.HTTPError:
                status, retry = 0, False
            out.write(
                f"{kind} {sent - start:.6f} {time.monotonic() - start:.6f} {status} {retry:d}\n"
            )
            n += 1


def attacker_error(status: int, retry: bool) -> bool:
    return not (status == 200 or (status == 503 and retry))


# Reading what wrk's threads and the attacker write, as they write it.


@dataclass(frozen=True)
class Answer:
    due: float  # seconds from the start of the hold
    done: float
    status: int  # 0: none, the connection broke

    @property
    def latency_ms(self) -> float:
        return (self.done - self.due) * 1000


@dataclass(frozen=True)
class CostlyAnswer:
    kind: str
    sent: float
    done: float
    status: int
    retry: bool


class Tail:
    """New complete lines of the files a glob names, each read once."""

    def __init__(self, folder: Path, pattern: str) -> None:
        self.folder, self.pattern = folder, pattern
        self.offsets: dict[Path, int] = {}

    def lines(self) -> list[str]:
        found = []
        for path in sorted(self.folder.glob(self.pattern)):
            with path.open("rb") as file:
                file.seek(self.offsets.get(path, 0))
                data = file.read()
            complete = data[: data.rfind(b"\n") + 1]
            self.offsets[path] = self.offsets.get(path, 0) + len(complete)
            found.extend(complete.decode().splitlines())
        return found


def scheduled(rate: float, hold: float, connections: int) -> int:
    """How many requests the paced schedule sends in the hold (as bench/paced.lua counts)."""
    spacing = connections / rate
    return sum(max(0, math.ceil((hold - i / rate) / spacing)) for i in range(connections))


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return math.nan
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


@dataclass
class Tally:
    """What the clients got, as read so far."""

    answers: list[Answer] = field(default_factory=list)
    costly: list[CostlyAnswer] = field(default_factory=list)
    ended: int = 0  # wrk threads that sent their last request and had its answer

    def read(self, ordinary: Tail, attacker: Tail) -> tuple[list[Answer], list[CostlyAnswer]]:
        new = []
        for line in ordinary.lines():
            if line == "end":
                self.ended += 1
            else:
                due, done, status = line.split()
                new.append(Answer(float(due), float(done), int(status)))
        costly = []
        for line in attacker.lines():
            kind, sent, done, status, retry = line.split()
            costly.append(CostlyAnswer(kind, float(sent), float(done), int(status), retry == "1"))
        self.answers.extend(new)
        self.costly.extend(costly)
        return new, costly


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


def window_row(
    label: str,
    answers: list[Answer],
    costly: list[CostlyAnswer],
    span: float,
    so_far: list[float],
    cpu: dict[str, float],
) -> str:
    latencies = sorted(a.latency_ms for a in answers if a.status)
    errors = sum(a.status != 200 for a in answers)
    attacked = statuses(c.status for c in costly)
    unexpected = sum(attacker_error(c.status, c.retry) for c in costly)
    return (
        f"| {label} | {len(answers) / span:,.0f} | {errors} | {percentile(latencies, 0.5):.1f} "
        f"| {percentile(latencies, 0.99):.1f} | {latencies[-1] if latencies else math.nan:.1f} "
        f"| {percentile(so_far, 0.99):.1f} | {attacked} | {unexpected} "
        f"| {cpu.get('workers', 0):.2f} | {cpu.get('helpers', 0):.2f} | {cpu.get('wrk', 0):.2f} "
        f"| {cpu.get('attacker', 0):.2f} | {os.getloadavg()[0]:.1f} |"
    )


HEADER = (
    "| window s | answered/s | errors | p50 ms | p99 ms | max ms | p99 so far | attacker "
    "| attacker errors | workers | helpers | wrk | attacker | load |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: "
    "| ---: | ---: |"
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


def hold(url: str, cases: list[tuple[str, bytes]], plan: Hold, folder: Path, server: int) -> Any:
    """Run the paced load and the attacker; print a row each window; return the tally and
    wrk's own summary."""
    workload_file = write_workload(cases, folder)
    start = time.monotonic() + LEAD
    wrk_seconds = math.ceil(LEAD + plan.seconds + plan.grace) + 1
    command = [
        "wrk",
        f"-t{plan.connections}",
        f"-c{plan.connections}",
        f"-d{wrk_seconds}s",
        "--timeout",
        f"{wrk_seconds}s",  # wrk's own timeout only marks its histogram: the records judge
        "-s",
        str(PACED),
        url,
        "--",
        str(workload_file),
        str(folder),
        f"{start:.6f}",
        f"{plan.rate:.6f}",
        f"{plan.seconds:.6f}",
        str(plan.connections),
    ]
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    others = {"wrk": wrk.pid}
    attacker = None
    if plan.kinds:
        context = multiprocessing.get_context("fork")
        attacker = context.Process(
            target=attack,
            args=(
                url,
                plan.requests,
                plan.kinds,
                start,
                start + plan.seconds,
                folder / "attack.txt",
            ),
        )
        attacker.start()
        assert attacker.pid is not None
        others["attacker"] = attacker.pid
    cpu = CpuWatch(server, others)
    tally = Tally()
    ordinary, costly = Tail(folder, "paced-*.txt"), Tail(folder, "attack.txt")
    print(HEADER, flush=True)
    windows = math.ceil(plan.seconds / plan.window)
    pending: list[Answer] = []
    pending_costly: list[CostlyAnswer] = []
    so_far: list[float] = []
    for n in range(windows):
        end = min((n + 1) * plan.window, plan.seconds)
        time.sleep(max(0.0, start + end + 0.2 - time.monotonic()))
        new, new_costly = tally.read(ordinary, costly)
        pending += new
        pending_costly += new_costly
        last = n == windows - 1
        mine = [a for a in pending if a.done < end or last]
        pending = [a for a in pending if not (a.done < end or last)]
        theirs = [c for c in pending_costly if c.done < end or last]
        pending_costly = [c for c in pending_costly if not (c.done < end or last)]
        so_far = sorted(so_far + [a.latency_ms for a in mine if a.status])
        span = end - n * plan.window
        label = f"{n * plan.window:g}-{end:g}"
        print(window_row(label, mine, theirs, span, so_far, cpu.sample()), flush=True)
    # The last requests' answers, then the attacker's last one.
    deadline = start + plan.seconds + plan.grace
    while tally.ended < plan.connections and time.monotonic() < deadline:
        time.sleep(0.2)
        tally.read(ordinary, costly)
    wrk.send_signal(signal.SIGINT)
    summary, _ = wrk.communicate(timeout=60)
    if attacker is not None:
        attacker.join(ATTACK_TIMEOUT + 5)
        if attacker.is_alive():
            attacker.kill()
    tally.read(ordinary, costly)
    return tally, summary


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--seconds", type=float, default=180, help="the hold at the shared rate (default 180)"
    )
    parser.add_argument(
        "--share", type=float, default=0.8, help="the share of capacity held (default 0.8)"
    )
    parser.add_argument(
        "--capacity-seconds",
        type=float,
        default=10,
        help="the closed-loop burst that measures capacity (default 10)",
    )
    parser.add_argument(
        "--capacity-connections",
        type=int,
        default=8,
        help="wrk connections of that burst (default 8)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=64,
        help="paced connections of the hold, one wrk thread each (default 64; at most two per "
        "request a second, so that none idles past the server's 5 s keep-alive)",
    )
    parser.add_argument(
        "--window", type=float, default=10, help="seconds a progress row covers (default 10)"
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=30,
        help="seconds after the hold to wait for the last answers (default 30)",
    )
    parser.add_argument(
        "--p99-ms", type=float, default=100, help="the target for the p99 (default 100)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="server processes (default 2, one per core)"
    )
    parser.add_argument(
        "--heavy-processes",
        type=int,
        default=1,
        help="heavy-work helper processes per worker (default 1; 0: threads of the worker)",
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
            run_wrk(url, cases, 2, 10**9, args.capacity_connections, folder)  # warm up
            count, failed, wall, _ = run_wrk(
                url, cases, args.capacity_seconds, 10**9, args.capacity_connections, folder
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


def report(tally: Tally, summary: str, plan: Hold, p99_ms: float) -> bool:
    """The whole hold, and whether the target was met."""
    due = scheduled(plan.rate, plan.seconds, plan.connections)
    answers = tally.answers
    latencies = sorted(a.latency_ms for a in answers if a.status)
    errors = Counter(a.status for a in answers if a.status != 200)
    unanswered = due - len(answers)
    overall = sum(errors.values()) + unanswered
    print(
        f"ordinary: {due:,} due in {plan.seconds:g} s ({due / plan.seconds:,.0f}/s), "
        f"{len(latencies):,} answered, {overall} errors"
        + (f" ({statuses(errors.elements())}; unanswered {unanswered})" if overall else "")
    )
    p99 = percentile(latencies, 0.99)
    print(
        f"ordinary latency from when due: p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p99 {p99:.1f} ms, max {latencies[-1] if latencies else math.nan:.1f} ms"
    )
    socket_errors = re.search(r"Socket errors:.*", summary)
    print(f"wrk: {socket_errors.group(0) if socket_errors else 'no socket errors'}")
    costly_errors = 0
    for kind in plan.kinds:
        mine = [c for c in tally.costly if c.kind == kind]
        wrong = sum(attacker_error(c.status, c.retry) for c in mine)
        costly_errors += wrong
        slowest = max((c.done - c.sent for c in mine), default=0.0)
        print(
            f"attacker {kind:6}: {len(mine)} sent, {statuses(c.status for c in mine)}, "
            f"slowest {slowest:.1f} s, errors {wrong}"
        )
    met = overall == 0 and costly_errors == 0 and p99 < p99_ms
    print(
        f"target (no errors, p99 under {p99_ms:g} ms for {plan.seconds:g} s): "
        + ("met" if met else "NOT met")
    )
    return met


if __name__ == "__main__":
    main()
