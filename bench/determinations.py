"""Determinations per second, in process, with and without the criteria trace.

Usage: python bench/determinations.py [--seconds S]

The workload is every fixture case of every shipped policy pack (each decided under its own
pack), cycled. Packs are loaded once beforehand, as a long-running service would. Prints one
row per trace level; copy the table into bench/README.md with the machine it ran on.
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import date

from dermcover.engine import TraceLevel, determine, library
from dermcover.engine.fixtures import load_fixtures

TODAY = date(2026, 11, 22)


def workload() -> list[tuple[str, object]]:
    packs = library()
    return [
        (pack_id, fixture.case)
        for pack_id in packs.packs
        for _, fixture in load_fixtures(packs.folder / pack_id)
    ]


def measure(cases: list[tuple[str, object]], trace: TraceLevel, seconds: float) -> float:
    """Determinations per second over at least `seconds` of wall time."""
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for pack_id, case in cases:
            determine(case, pack_id, today=TODAY, trace=trace)  # type: ignore[arg-type]
        done += len(cases)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per trace level")
    args = parser.parse_args()
    cases = workload()
    for pack_id, case in cases:  # warm up: the ICD-10-CM tables load on first use
        determine(case, pack_id, today=TODAY)  # type: ignore[arg-type]
    print(
        f"{len(cases)} fixture cases over {len(library().packs)} packs; "
        f"Python {platform.python_version()} on {platform.machine()}"
    )
    print("| trace | determinations/s | µs each |")
    print("| --- | ---: | ---: |")
    for trace in ("none", "criteria", "full"):
        rate = measure(cases, trace, args.seconds)  # type: ignore[arg-type]
        print(f"| {trace} | {rate:,.0f} | {1e6 / rate:,.0f} |")


if __name__ == "__main__":
    main()
