"""Open-loop load at a fixed rate from wrk (`bench/paced.lua`), and reading what its threads
record while it runs (for bench/under_attack.py).

wrk has no rate of its own: the script gives each connection a schedule and times each request
from when it was due. wrk's C event loop costs the machine a few percent of a core at a few
thousand requests a second, where a Python client on asyncio needed a whole core and fell
behind its own schedule.
"""

from __future__ import annotations

import math
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from load import write_workload

SCRIPT = Path(__file__).with_name("paced.lua")
LEAD = 2.0  # seconds from starting wrk to the first request due: its threads connect first


@dataclass(frozen=True)
class Answer:
    """One ordinary request, times in seconds from the start of the hold."""

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
class Paced:
    """A wrk run under way; `start` is when its schedule begins (time.monotonic())."""

    process: subprocess.Popen[str]
    start: float
    folder: Path

    def summary(self) -> str:
        """Stop wrk (if its threads have not all ended) and return what it printed."""
        self.process.send_signal(signal.SIGINT)  # wrk stops its threads and prints its summary
        output, _ = self.process.communicate(timeout=60)
        return output


def start_paced(
    url: str,
    cases: list[tuple[str, bytes]],
    rate: float,
    seconds: float,
    connections: int,
    grace: float,
    folder: Path,
) -> Paced:
    """wrk sending `cases` in turn at `rate` a second for `seconds` on `connections`
    connections (one thread each), writing its records into `folder`; it gives up `grace`
    seconds after the hold on answers still missing."""
    start = time.monotonic() + LEAD
    wrk_seconds = math.ceil(LEAD + seconds + grace) + 1
    command = [
        "wrk",
        f"-t{connections}",
        f"-c{connections}",
        f"-d{wrk_seconds}s",
        "--timeout",
        f"{wrk_seconds}s",  # wrk's own timeout only marks its histogram: the records judge
        "-s",
        str(SCRIPT),
        url,
        "--",
        str(write_workload(cases, folder)),
        str(folder),
        f"{start:.6f}",
        f"{rate:.6f}",
        f"{seconds:.6f}",
        str(connections),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return Paced(process, start, folder)


def scheduled(rate: float, seconds: float, connections: int) -> int:
    """How many requests the schedule sends in the hold (as bench/paced.lua counts them)."""
    spacing = connections / rate
    return sum(max(0, math.ceil((seconds - i / rate) / spacing)) for i in range(connections))


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
