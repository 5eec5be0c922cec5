"""The service under steady load while one client sends the most expensive requests the limits
allow: do the others still get their answers, quickly and without errors?

1. Starts `dermcover serve --workers W` (default 2, one per core, as `make run` does) on a free
   127.0.0.1 port with a fresh SQLite file; each worker keeps H (default 1) helper processes
   for heavy work (DERMCOVER_HEAVY_PROCESSES, see `dermcover.web.heavy`). Prints the idle
   memory of every process of the service.
2. A ceiling: wrk (`bench/load.lua`, closed loop, --ceiling-connections connections, default 8)
   POSTs every pack's fixture cases to /api/v1/determinations as fast as they are answered,
   for --ceiling-seconds (default 5) after a 2-second warm-up. Paced load sustains less than
   that: the search below starts under it.
3. The ordinary clients: wrk with `bench/paced.lua` (started by `bench/paced.py`), N connections
   (--connections, default 64), one wrk thread each, every connection sending on a fixed
   schedule (together an even stream at the rate, open loop: a late answer does not lower the
   rate), each request timed from when it was due, not from when it went out, so a stalled
   server cannot hide behind a late send. One wrk run carries the whole measurement: each
   connection stays with the worker process that accepted it, and how many each worker gets
   is chance (measured: 24 to 40 of 64, 7 to 25 of 32, 3 to 13 of 16), so capacity is
   measured on the very connections that then carry the hold. The script prints how many each
   worker holds.
4. Capacity: the highest rate those connections sustain without the attacker, found by steps
   of --step-seconds (default 10) at one rate each: a step is sustained when every request due
   in it is answered 200 within a second of its end and their p99 (from when due) is under
   --p99-ms. A server that falls behind a rate shows it at once, its lateness growing through
   the step (1% too many requests for 10 s is some 100 ms late at the end). The first step is
   at 85% of the ceiling, each one not sustained 15% lower (6% higher while none has missed),
   then halving the gap between the highest sustained and the lowest not, until it is under 3%
   or --steps (default 8) ran. A row is printed per step. Between steps each connection sends
   one request a second.
5. Holds F (--share, default 0.8) of that capacity for S seconds (--seconds, default 180: the 3
   minutes the target names) on the same connections. Beside them one attacker process sends,
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
6. Every --window seconds (default 10) prints a row: the ordinary requests answered in that
   window (per second), their errors, p50/p99/max latency in the window and p99 so far, the
   attacker's answers by status, the CPU (in cores) of the server's workers (and of each),
   of their helpers, of wrk and of the attacker, and the load average. A row counts the
   answers that came in its window, each timed from when it was due; a last row, `after S`,
   those that came after the hold. At the end: the same over the whole hold, the workers' CPU
   per answer, wrk's own count of socket errors, the attacker's answers per kind, and whether
   the target was met.

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
CPU columns show what each took. --capacity R skips the search and takes R as the capacity
(to hold the same rate in runs side by side).

A default run takes about 5 1/2 minutes: some 20 s to start the server and check the cases,
7 s of ceiling, about 2 minutes of steps, the 180 s hold, then up to --grace (30 s) for the
last ordinary answers and up to a minute for the attacker's last request (usually under 20 s).
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

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from costly import KINDS, TIMEOUT, Costly, CostlyAnswer, costliest_requests, send_back_to_back
from load import accepted, cpu_seconds, run_wrk, workload
from paced import Answer, Paced, Segment, Tail, socket_errors, start_paced

# The numeric options: name, type, default, what it sets.
OPTIONS: tuple[tuple[str, type, float, str], ...] = (
    ("--seconds", float, 180, "the hold at the share of capacity"),
    ("--share", float, 0.8, "the share of capacity held"),
    ("--ceiling-seconds", float, 5, "the closed-loop burst the capacity search starts under"),
    ("--ceiling-connections", int, 8, "wrk connections of that burst"),
    (
        "--connections",
        int,
        64,
        "paced connections of the search and the hold, one wrk thread each",
    ),
    ("--step-seconds", float, 10, "each step of the capacity search"),
    ("--steps", int, 8, "the most steps the capacity search takes"),
    ("--capacity", float, 0, "take this as the capacity (requests/s) instead of searching"),
    ("--window", float, 10, "seconds a progress row covers"),
    ("--grace", float, 30, "seconds after the hold to wait for the last ordinary answers"),
    ("--p99-ms", float, 100, "the target for the ordinary requests' p99, in ms"),
    ("--workers", int, 2, "server processes, one per core"),
    ("--heavy-processes", int, 1, "heavy-work helper processes per worker; 0: worker threads"),
)
FIRST_STEP = 0.85  # of the ceiling
LOWER = 0.85  # the next step after one not sustained, before any was
RESOLUTION = 0.03  # the search stops when the gap is under this share of the sustained rate
JUDGED_AFTER = 1.0  # seconds after a step's end that its answers must have come by


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


def process_tree(root: int, children: dict[int, list[int]] | None = None) -> list[int]:
    """`root` and every process under it."""
    children = children_of() if children is None else children
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def worker_processes(server: int) -> list[int]:
    """The server's worker processes (not multiprocessing's resource tracker)."""
    return [
        pid for pid in children_of().get(server, []) if b"resource_tracker" not in _cmdline(pid)
    ]


def connections_per_worker(server: int, url: str) -> list[int]:
    """How many of the clients' open connections each worker process holds (Linux /proc)."""
    port = int(url.rsplit(":", 1)[1])
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                established.add(f"socket:[{fields[9]}]")
    counts = []
    for pid in worker_processes(server):
        held = 0
        for descriptor in Path(f"/proc/{pid}/fd").iterdir():
            try:
                held += os.readlink(descriptor) in established
            except OSError:
                continue
        counts.append(held)
    return counts


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
    """CPU seconds of the server's workers (each, and with the supervisor in their sum), of
    their helpers (with the spawner that forks them), of wrk and of the attacker, per interval,
    in cores. A helper killed over its budget takes its last interval's CPU with it, so the
    helpers' figure is a floor."""

    def __init__(self, server: int, others: dict[str, int]) -> None:
        self.server, self.others = server, others
        self.last: dict[int, float] = {}
        self.when = time.monotonic()
        self.sample()

    def roles(self) -> dict[str, list[int]]:
        children = children_of()
        workers = worker_processes(self.server)
        # Under each worker, its helpers' spawner and the helpers it forked (web.heavy).
        helpers = [pid for worker in workers for pid in process_tree(worker, children)[1:]]
        found = {"workers": [self.server, *workers], "helpers": helpers}
        each = {f"worker {n}": [pid] for n, pid in enumerate(workers)}
        return found | each | {name: [pid] for name, pid in self.others.items()}

    def sample(self) -> dict[str, float]:
        now = time.monotonic()
        span = max(now - self.when, 1e-9)
        used: dict[str, float] = {}
        seen: dict[int, float] = {}
        for role, pids in self.roles().items():
            total = 0.0
            for pid in pids:
                seconds = seen.get(pid) or cpu_seconds(pid)
                if seconds is not None:
                    seen[pid] = seconds
                    total += seconds - self.last.get(pid, 0.0)
            used[role] = total / span
        self.last.update(seen)
        self.when = now
        return used


def each_worker(cpu: dict[str, float]) -> str:
    return " + ".join(f"{cpu[role]:.2f}" for role in sorted(cpu) if role.startswith("worker "))


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

    def __post_init__(self) -> None:
        self.ordinary = Tail(self.folder, "paced-*.txt")
        self.attacker = Tail(self.folder, "attack.txt")

    def read(self) -> tuple[list[Answer], list[CostlyAnswer]]:
        """The answers that came since the last read."""
        new: list[Answer] = []
        for line in self.ordinary.lines():
            if line == "end":
                self.ended += 1
            else:
                new.append(Answer.parse(line))
        self.answers.extend(new)
        costly = [CostlyAnswer.parse(line) for line in self.attacker.lines()]
        self.costly.extend(costly)
        return new, costly

    def of(self, segment: Segment) -> list[Answer]:
        return [a for a in self.answers if segment.holds(a)]


@dataclass(frozen=True)
class Step:
    """One step of the capacity search, as judged."""

    segment: Segment
    due: int
    answered: list[Answer]  # those due in the step, answered by JUDGED_AFTER its end
    p99_ms: float
    cpu: dict[str, float]

    @property
    def errors(self) -> int:
        return sum(a.status != 200 for a in self.answered)

    def sustained(self, target_ms: float) -> bool:
        return len(self.answered) == self.due and not self.errors and self.p99_ms < target_ms


STEP_HEADER = (
    "| step | rate/s | due | answered in time | errors | p50 ms | p99 ms | max ms | sustained "
    "| CPU: workers (each) | µs per answer | helpers | wrk | load |\n"
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: "
    "| ---: |"
)


def step(paced: Paced, tally: Tally, rate: float, seconds: float, watch: CpuWatch) -> Step:
    """Send `rate` a second for `seconds` and judge it; return once its requests are all
    answered (so that the next step starts from no backlog)."""
    schedule = paced.schedule
    segment = schedule.add(rate, seconds)
    time.sleep(max(0.0, schedule.start + segment.begin - time.monotonic()))
    watch.sample()
    time.sleep(max(0.0, schedule.start + segment.end - time.monotonic()))
    cpu = watch.sample()
    time.sleep(max(0.0, schedule.start + segment.end + JUDGED_AFTER - time.monotonic()))
    tally.read()
    answered = tally.of(segment)
    due = segment.scheduled(schedule.connections)
    latencies = sorted(a.latency_ms for a in answered)
    judged = Step(segment, due, answered, percentile(latencies, 0.99), cpu)
    drained_by = time.monotonic() + 120
    while len(tally.of(segment)) < due and time.monotonic() < drained_by:
        time.sleep(0.5)
        tally.read()
    return judged


def step_row(n: int, judged: Step, target_ms: float) -> str:
    latencies = sorted(a.latency_ms for a in judged.answered)
    cpu, seconds = judged.cpu, judged.segment.end - judged.segment.begin
    per_answer = cpu.get("workers", 0) * seconds / max(len(judged.answered), 1) * 1e6
    return (
        f"| {n} | {judged.segment.rate:,.0f} | {judged.due:,} | {len(judged.answered):,} "
        f"| {judged.errors} | {percentile(latencies, 0.5):.1f} | {judged.p99_ms:.1f} "
        f"| {latencies[-1] if latencies else math.nan:.1f} "
        f"| {'yes' if judged.sustained(target_ms) else 'no'} "
        f"| {cpu.get('workers', 0):.2f} ({each_worker(cpu)}) | {per_answer:,.0f} "
        f"| {cpu.get('helpers', 0):.2f} | {cpu.get('wrk', 0):.2f} | {os.getloadavg()[0]:.1f} |"
    )


def search(
    paced: Paced, tally: Tally, ceiling: float, args: argparse.Namespace, watch: CpuWatch
) -> float:
    """The highest rate sustained (see the module's documentation); 0 when none was."""
    sustained, missed = 0.0, math.inf
    rate = ceiling * FIRST_STEP
    print(STEP_HEADER, flush=True)
    for n in range(1, args.steps + 1):
        judged = step(paced, tally, rate, args.step_seconds, watch)
        print(step_row(n, judged, args.p99_ms), flush=True)
        if judged.sustained(args.p99_ms):
            sustained = rate
        else:
            missed = rate
        if sustained == 0:
            rate *= LOWER
        elif missed == math.inf:
            rate = min(rate * (1 + 2 * RESOLUTION), ceiling) if rate < ceiling else math.inf
        else:
            rate = (sustained + missed) / 2
        if rate == math.inf or (missed - sustained) < sustained * RESOLUTION:
            break
    return sustained


HEADER = (
    "| window s | answered/s | errors | p50 ms | p99 ms | max ms | p99 so far | attacker "
    "| attacker errors | CPU: workers (each) | helpers | wrk | attacker | load |\n"
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
        f"| {sum(c.error for c in costly)} | {cpu.get('workers', 0):.2f} ({each_worker(cpu)}) "
        f"| {cpu.get('helpers', 0):.2f} | {cpu.get('wrk', 0):.2f} "
        f"| {cpu.get('attacker', 0):.2f} | {os.getloadavg()[0]:.1f} |"
    )


@dataclass(frozen=True)
class Hold:
    rate: float
    seconds: float
    window: float
    grace: float
    kinds: list[str]
    requests: Costly


def start_attacker(url: str, plan: Hold, paced: Paced, hold: Segment) -> ForkProcess:
    """The attacker in a process of its own, so that it costs the load generator nothing; its
    times are from the start of the hold."""
    record = paced.schedule.path.with_name("attack.txt")
    begin = paced.schedule.start + hold.begin
    args = (url, plan.requests, plan.kinds, begin, begin + plan.seconds, record)
    attacker = multiprocessing.get_context("fork").Process(target=send_back_to_back, args=args)
    attacker.start()
    return attacker


@dataclass(frozen=True)
class Held:
    """What the hold got: its segment, its answers and the attacker's, wrk's summary and the
    workers' CPU seconds over it."""

    segment: Segment
    answers: list[Answer]
    costly: list[CostlyAnswer]
    summary: str
    worker_seconds: float


def hold(url: str, plan: Hold, paced: Paced, tally: Tally, watch: CpuWatch, server: int) -> Held:
    """The hold at the plan's rate beside the attacker, a row printed each window."""
    schedule = paced.schedule
    segment = schedule.add(plan.rate, plan.seconds, then_idle=False)
    attacker = start_attacker(url, plan, paced, segment) if plan.kinds else None
    if attacker is not None and attacker.pid is not None:
        watch.others["attacker"] = attacker.pid
    begin = schedule.start + segment.begin
    time.sleep(max(0.0, begin - time.monotonic()))
    print(f"connections per worker at the start of the hold: {connections_per_worker(server, url)}")
    watch.sample()
    mine: list[Answer] = []  # the hold's answers
    waiting: list[Answer] = []  # read, not yet shown in a row
    costly: list[CostlyAnswer] = []
    worker_seconds = 0.0

    def collect() -> None:
        new, new_costly = tally.read()
        found = [a for a in new if segment.holds(a)]
        mine.extend(found)
        waiting.extend(found)
        costly.extend(new_costly)

    def take(before: float) -> tuple[list[Answer], list[CostlyAnswer]]:
        """The hold's answers not yet shown that came before `before` (seconds into it)."""
        collect()
        shown = [a for a in waiting if a.done - segment.begin < before]
        waiting[:] = [a for a in waiting if a.done - segment.begin >= before]
        costly_shown = [c for c in costly if c.done < before]
        costly[:] = [c for c in costly if c.done >= before]
        return shown, costly_shown

    so_far: list[float] = []
    print(HEADER, flush=True)
    for n in range(math.ceil(plan.seconds / plan.window)):
        started, end = n * plan.window, min((n + 1) * plan.window, plan.seconds)
        time.sleep(max(0.0, begin + end + 0.2 - time.monotonic()))
        answers, attacks = take(end)
        so_far = sorted(so_far + [a.latency_ms for a in answers if a.status])
        cpu = watch.sample()
        worker_seconds += cpu.get("workers", 0) * (end - started)
        print(row(f"{started:g}-{end:g}", answers, attacks, end - started, so_far, cpu), flush=True)
    # The answers still to come for requests due in the hold, then the attacker's last one.
    deadline = begin + plan.seconds + plan.grace
    while tally.ended < schedule.connections and time.monotonic() < deadline:
        time.sleep(0.2)
        collect()
    summary = paced.summary()
    if attacker is not None:
        attacker.join(TIMEOUT + 5)
        if attacker.is_alive():
            attacker.kill()
    after = time.monotonic() - begin - plan.seconds
    answers, attacks = take(math.inf)
    if answers or attacks:
        so_far = sorted(so_far + [a.latency_ms for a in answers if a.status])
        label = f"after {plan.seconds:g}"
        print(row(label, answers, attacks, max(after, 1e-9), so_far, watch.sample()), flush=True)
    return Held(segment, mine, tally.costly, summary, worker_seconds)


def report(held: Held, plan: Hold, connections: int, p99_ms: float) -> bool:
    """The whole hold, and whether the target was met."""
    due = held.segment.scheduled(connections)
    latencies = sorted(a.latency_ms for a in held.answers if a.status)
    wrong = Counter(a.status for a in held.answers if a.status != 200)
    unanswered = due - len(held.answers)
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
    per_answer = held.worker_seconds / max(len(latencies), 1) * 1e6
    print(
        f"workers' CPU over the hold: {held.worker_seconds / plan.seconds:.2f} cores, "
        f"{per_answer:,.0f} µs per ordinary answer (the attacker's share included)"
    )
    print(f"wrk: {socket_errors(held.summary)}")
    costly_errors = 0
    for kind in plan.kinds:
        mine = [c for c in held.costly if c.kind == kind]
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


def arguments() -> argparse.Namespace:
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
    return parser.parse_args()


def main() -> None:
    args = arguments()
    kinds = {"all": list(KINDS), "none": []}.get(args.attack, [args.attack])
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (the Makefile's Debian packages include it)")
    cases = workload()
    requests = costliest_requests()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url, process = start_server(folder, args.workers, args.heavy_processes)
        try:
            time.sleep(2)
            idle = [memory(pid) for pid in process_tree(process.pid)]
            answered = accepted(url, cases)  # one request each, which also warms every route
            if len(answered) < len(cases):
                raise SystemExit(f"{len(cases) - len(answered)} fixture cases not answered 200")
            print_preamble(args, idle, kinds, requests)
            ceiling = measure_ceiling(url, cases, args, folder)
            paced = start_paced(url, cases, args.connections, folder)
            tally = Tally(folder)
            watch = CpuWatch(process.pid, {"wrk": paced.process.pid})
            time.sleep(paced.schedule.start + 1 - time.monotonic())
            split = connections_per_worker(process.pid, url)
            print(f"{args.connections} paced connections, per worker: {split}")
            capacity = args.capacity or search(paced, tally, ceiling, args, watch)
            if not capacity:
                paced.summary()
                raise SystemExit("no rate tried was sustained: no capacity to hold a share of")
            rate = capacity * args.share
            print(
                f"capacity: {capacity:,.0f}/s ({capacity / ceiling:.0%} of the ceiling)"
                + (" (given)" if args.capacity else "")
                + f"; holding {rate:,.0f}/s ({args.share:.0%}) for {args.seconds:g} s",
                flush=True,
            )
            plan = Hold(rate, args.seconds, args.window, args.grace, kinds, requests)
            held = hold(url, plan, paced, tally, watch, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
        met = report(held, plan, args.connections, args.p99_ms)
    sys.exit(0 if met else 1)


def measure_ceiling(
    url: str, cases: list[tuple[str, bytes]], args: argparse.Namespace, folder: Path
) -> float:
    """Closed-loop answers a second: more than paced load sustains, where the search starts."""
    connected = args.ceiling_connections
    run_wrk(url, cases, 2, 10**9, connected, folder)  # warm up
    count, failed, wall, _ = run_wrk(url, cases, args.ceiling_seconds, 10**9, connected, folder)
    if failed:
        raise SystemExit(f"{failed} errors in the closed-loop burst")
    print(
        f"ceiling (wrk, closed loop, {connected} connections, {args.ceiling_seconds:g} s): "
        f"{count / wall:,.0f} determinations/s",
        flush=True,
    )
    return count / wall


def print_preamble(
    args: argparse.Namespace,
    idle: list[tuple[str, float, float, float]],
    kinds: list[str],
    requests: Costly,
) -> None:
    print(
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the start; {args.workers} workers, "
        f"{args.heavy_processes} heavy-work helper(s) each"
    )
    print("idle memory (MB):  RSS    PSS    USS  process")
    for command, rss, pss, unique in idle:
        print(f"               {rss:6.0f} {pss:6.0f} {unique:6.0f}  {command}")
    print(f"               total PSS {sum(pss for _, _, pss, _ in idle):,.0f} MB")
    sizes = {kind: len(body) for kind, (_, body, _) in requests.items()}
    attacker = ", ".join(f"{kind} ({sizes[kind]:,} bytes)" for kind in kinds) or "none"
    print(f"attacker in the hold: {attacker}", flush=True)


if __name__ == "__main__":
    main()
