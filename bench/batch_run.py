"""One batch run in its own process, as `dermcover batch` runs it: `bench/batch.py` and
`bench/batch_against.py` start it and read what it prints (peak memory in MiB, lines,
seconds, CPU seconds).

Usage: python bench/batch_run.py INPUT [--engine polars|spark] [--phases] [--nothing-decided]

`--phases` (Spark) also prints, to stderr, how long each phase of the run took, as the
command's progress line names them.

The allocator is set up first, before polars is loaded, as the command does; a revision from
before that setting runs without it, as its own command did.
"""

from __future__ import annotations

try:
    from dermcover.batch.allocator import for_batch
except ImportError:  # a revision from before the setting
    pass
else:
    for_batch()

import argparse
import sys
import time
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 22)


def one_run(source: Path, engine: str, phases: bool = False) -> None:
    """One batch run, printing its peak memory (MiB), lines, seconds and CPU seconds (all
    threads)."""
    import polars as pl

    from dermcover.batch.run import run
    from dermcover.batch.sinks import LineSink, RejectSink
    from dermcover.codes.icd10 import is_valid
    from dermcover.engine.library import library

    is_valid("L57.0")  # the ICD-10-CM tables load once per process; not the batch's cost
    out = source.with_suffix(f".{engine}.out.parquet")
    rejects = source.with_suffix(f".{engine}.rejects.ndjson")
    started, cpu = time.perf_counter(), time.process_time()
    if engine == "spark":
        from dermcover.batch.spark_run import run_spark

        timings: list[tuple[str, float]] = []
        summary = run_spark(
            source,
            out,
            rejects,
            library(),
            policy=None,
            master="local[2]",
            today=TODAY,
            progress=lambda phase: timings.append((phase, time.perf_counter())),
        )
        if phases:
            ends = [at for _, at in timings[1:]] + [time.perf_counter()]
            for (phase, began), ended in zip(timings, ends, strict=True):
                print(f"{phase:45} {ended - began:7.1f} s", file=sys.stderr)
    else:
        sink, refused = LineSink(out), RejectSink(rejects)
        summary = run(source, sink, refused, library(), policy=None, today=TODAY)
        sink.close(pl.DataFrame())
        refused.close()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{peak_mib():.0f} {summary.lines} {seconds:.3f} {cpu:.3f}")


def nothing_decided(source: Path) -> None:
    """What a run reads and writes with nothing decided: the file read in the run's chunks,
    and after each chunk as many lines of the polars run's results (read beforehand, not
    timed) written as the run writes them, one after the other. Prints as `one_run` does."""
    import polars as pl

    from dermcover.batch.run import DEFAULT_CHUNK
    from dermcover.batch.sinks import LineSink
    from dermcover.batch.sources import chunks
    from dermcover.engine.compile.polars import OUTCOME, PRIOR_AUTHORIZATION, QUESTIONS

    made = source.with_suffix(".polars.out.parquet")
    if not made.exists():
        raise SystemExit(f"{made}: no results to write; run `bench/batch_run.py {source}` first")
    results = pl.read_parquet(made)
    rules = pl.Enum(sorted(results["decided_by"].drop_nulls().unique()))
    results = results.cast(  # the types the run carries them in
        {
            "outcome": OUTCOME,
            "case_outcome": OUTCOME,
            "decided_by": rules,
            "prior_authorization": PRIOR_AUTHORIZATION,
            "questions": QUESTIONS,
        }
    )
    target = source.with_suffix(".nothing-decided.parquet")
    started, cpu = time.perf_counter(), time.process_time()
    done = 0
    with LineSink(target) as sink:
        for chunk in chunks(source, DEFAULT_CHUNK):
            sink.write(results.slice(done, chunk.lines.height))
            done += chunk.lines.height
        sink.close(results.clear())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    target.unlink()
    print(f"{peak_mib():.0f} {done} {seconds:.3f} {cpu:.3f}")


def peak_mib() -> float:
    """This process's peak resident memory (its high-water mark since it began this
    program), not the `ru_maxrss` the bench gets for it: that also holds the bench's own
    peak, from the memory the two shared before this program began."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("--engine", default="polars", choices=["polars", "spark"])
    parser.add_argument("--phases", action="store_true", help="Spark: each phase's seconds")
    parser.add_argument(
        "--nothing-decided",
        action="store_true",
        help="only read the input and write the results of a polars run made before",
    )
    args = parser.parse_args()
    if args.nothing_decided:
        nothing_decided(args.input)
    else:
        one_run(args.input, args.engine, args.phases)
