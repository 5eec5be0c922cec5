"""One batch run in its own process, as `dermcover batch` runs it: `bench/batch.py` and
`bench/batch_against.py` start it and read what it prints (lines, seconds, CPU seconds).

Usage: python bench/batch_run.py INPUT [--engine polars|spark]

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
import time
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 22)


def one_run(source: Path, engine: str) -> None:
    """One batch run, printing lines, seconds and CPU seconds (all threads)."""
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

        summary = run_spark(
            source, out, rejects, library(), policy=None, master="local[2]", today=TODAY
        )
    else:
        sink, refused = LineSink(out), RejectSink(rejects)
        summary = run(source, sink, refused, library(), policy=None, today=TODAY)
        sink.close(pl.DataFrame())
        refused.close()
    print(f"{summary.lines} {time.perf_counter() - started:.3f} {time.process_time() - cpu:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("--engine", default="polars", choices=["polars", "spark"])
    args = parser.parse_args()
    one_run(args.input, args.engine)
