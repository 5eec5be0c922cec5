"""Open-loop load from wrk (`bench/paced.lua`) on a schedule of rates the caller extends while
wrk runs, and reading what its threads record (for bench/under_attack.py).

wrk has no rate of its own: the script gives each connection a schedule and times each request
from when it was due. wrk's C event loop costs the machine a few percent of a core at a few
thousand requests a second, where a Python client on asyncio needed a whole core and fell
behind its own schedule. One wrk run, so one set of connections, carries every segment: the
steps that measure capacity and the hold, so that both load the server's workers alike (each
connection stays with the worker that accepted it, and how many each worker got is chance).
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from load import write_workload

SCRIPT = Path(__file__).with_name("paced.lua")
LEAD = 2.0  # seconds from starting wrk to the first request due: its threads connect first
OPEN = 1e8  # the `to` of an open last segment (as paced.lua reads it)
TIMEOUT = 120  # seconds after which wrk counts an answer as timed out (its histogram's size)
SETTLE = 2.0  # seconds from writing a segment to its start: past any idle request already due


@dataclass(frozen=True)
class Answer:
    """One ordinary request, times in seconds from the start of the schedule."""

    due: float
    done: float
    status: int  # 0: none, the connection broke

    @property
    def latency_ms(self) -> float:
        return (self.done - self.due) * 1000

    @classmethod
    def parse(cls, line: str) -> Answer:
        due, done, status = line.split()
        return cls(float(due), float(done), int(status))


@dataclass(frozen=True)
class Segment:
    """`rate` requests a second over all connections, from `begin` to `end` (seconds from the
    start of the schedule)."""

    begin: float
    end: float
    rate: float

    def holds(self, answer: Answer) -> bool:
        return self.begin <= answer.due < self.end

    def scheduled(self, connections: int) -> int:
        """How many requests paced.lua sends in the segment."""
        seconds, spacing = self.end - self.begin, connections / self.rate
        return sum(
            max(0, math.ceil((seconds - i / self.rate) / spacing)) for i in range(connections)
        )


@dataclass
class Schedule:
    """The segments wrk's threads follow, in the file they read (bench/paced.lua)."""

    path: Path
    connections: int
    start: float  # time.monotonic() when the schedule begins
    segments: list[Segment]

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def add(self, rate: float, seconds: float, then_idle: bool = True) -> Segment:
        """A segment at `rate` for `seconds`, starting SETTLE seconds from now (after what is
        written so far), then (unless this is the last) the idle rate until the next."""
        last = self.segments[-1]
        begin = max(self.elapsed() + SETTLE, last.begin if last.end >= OPEN else last.end)
        begin = round(begin, 6)  # as the file has it, so that its first request is in it
        if last.end >= OPEN:
            self.segments[-1] = Segment(last.begin, begin, last.rate)
        segment = Segment(begin, round(begin + seconds, 6), rate)
        self.segments.append(segment)
        if then_idle:
            self.segments.append(idle(segment.end, self.connections))
        self.write()
        return segment

    def write(self) -> None:
        """The file replaced whole, so that wrk's threads never read half of it."""
        draft = self.path.with_suffix(".new")
        lines = (f"{s.begin:.6f} {s.end:.6f} {s.rate:.6f}\n" for s in self.segments)
        draft.write_text("".join(lines))
        os.replace(draft, self.path)


def idle(begin: float, connections: int) -> Segment:
    """One request a second on each connection, open-ended: the connections stay open (the
    server closes one idle for 5 s), each with the worker that accepted it."""
    return Segment(begin, OPEN, float(connections))


@dataclass(frozen=True)
class Paced:
    """A wrk run under way, and its schedule."""

    process: subprocess.Popen[str]
    schedule: Schedule

    def summary(self) -> str:
        """Stop wrk (if its threads have not all ended) and return what it printed."""
        self.process.send_signal(signal.SIGINT)  # wrk stops its threads and prints its summary
        output, _ = self.process.communicate(timeout=60)
        return output


def start_paced(url: str, cases: list[tuple[str, bytes]], connections: int, folder: Path) -> Paced:
    """wrk sending `cases` in turn on `connections` connections (one thread each), at the idle
    rate until segments are added to its schedule; its records go into `folder`."""
    start = time.monotonic() + LEAD
    schedule = Schedule(folder / "schedule.txt", connections, start, [idle(0.0, connections)])
    schedule.write()
    day = 24 * 3600
    command = [
        "wrk",
        f"-t{connections}",
        f"-c{connections}",
        f"-d{day}s",  # the threads stop once past the last segment, or summary() stops wrk
        "--timeout",
        f"{TIMEOUT}s",  # wrk's own timeout only counts in its summary: the records judge
        "-s",
        str(SCRIPT),
        url,
        "--",
        str(write_workload(cases, folder)),
        str(folder),
        f"{start:.6f}",
        str(schedule.path),
        str(connections),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return Paced(process, schedule)


def socket_errors(summary: str) -> str:
    found = re.search(r"Socket errors:.*", summary)
    return found.group(0).strip() if found else "no socket errors"


class Tail:
    """New complete lines of the files a glob names, each line read once."""

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
