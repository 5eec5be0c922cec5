"""Compiled packs against the tree walker and zen-engine, and batch runs on polars and Spark.

Usage: python bench/batch.py [--seconds S] [--cases N] [--scale 100000,1000000,10000000]
                             [--spark-cases N] [--skip-spark] [--workdir DIR]

Side by side in one run:

1. In process, per procedure line, over the fixture cases and generated ones: the tree walker,
   the generated Python (no trace, criteria trace), the generated walk alone (outcome, deciding
   rule, prior authorization: what a decision table gives), and zen-engine evaluating the same
   pack as a decision table (bench/zen_table.py). Every line's outcome and deciding rule are
   checked equal between zen-engine and the compiled pack before anything is timed.
2. `dermcover batch` on polars over N generated cases (flat Parquet), end to end (read, check,
   decide, write), against just reading the file, and against the reading and writing a run
   does with nothing decided (the run's chunks read, the results written after each).
3. The same on Spark local mode.
4. How time and peak memory grow with the input: one child process per size.

Copy the printed tables into bench/README.md with the machine and the date.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from dermcover.case import Case
from dermcover.engine import library
from dermcover.engine.compile.derived import _encode
from dermcover.engine.compile.flat import CASE_ID, nested
from dermcover.engine.compile.ir import NOT_MET, Opaque
from dermcover.engine.compile.python import compiled
from dermcover.engine.decide import _decide_line, walk_line
from dermcover.engine.facts import LineView, line_views
from dermcover.engine.fixtures import load_fixtures

sys.path.insert(0, str(Path(__file__).parent))
from batch_data import generate, write
from batch_run import TODAY
from zen_table import decision_model


def workload(generated: int) -> list[tuple[str, LineView]]:
    """(pack id, line) for every line of every fixture case and of `generated` cases."""
    packs = library()
    cases: list[tuple[str, Case]] = [
        (pack_id, fixture.case)
        for pack_id in packs.packs
        for _, fixture in load_fixtures(packs.folder / pack_id)
    ]
    frame = generate(generated, seed=7)
    current: dict[str, Any] | None = None
    for row in frame.iter_rows(named=True):
        data = nested(row)
        if current is not None and current.get("id") == row[CASE_ID]:
            current["procedures"].append(data["procedures"][0])
            continue
        if current is not None:
            cases.append((current["payer"]["policy"], Case.model_validate(current)))
        current = data
    if current is not None:
        cases.append((current["payer"]["policy"], Case.model_validate(current)))
    return [(pack_id, view) for pack_id, case in cases for view in line_views(case, TODAY)]


def rate(
    lines: list[tuple[str, LineView]], step: Callable[[str, LineView], object], seconds: float
) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for pack_id, view in lines:
            step(pack_id, view)
        done += len(lines)
    return done / (time.perf_counter() - started)


def in_process(generated: int, seconds: float) -> None:
    import zen

    packs = library()
    lines = workload(generated)
    machines = {pack_id: compiled(pack) for pack_id, pack in packs.packs.items()}
    engine = zen.ZenEngine()
    tables = {pid: engine.create_decision(decision_model(m.program)) for pid, m in machines.items()}

    def facts(pack_id: str, view: LineView) -> dict[str, Any]:
        program = machines[pack_id].program
        values = {
            leaf.fact.name: _encode(leaf.fact.read(view))
            for leaf in program.leaves
            if not isinstance(leaf.test, Opaque)
        }
        values["procedure_kind"] = _encode(view.kind)
        for leaf in program.leaves:
            if isinstance(leaf.test, Opaque):
                status = leaf.leaf.status(view).value
                values[f"leaf_{leaf.number}"] = {"met": True, "not_met": False}.get(status)
        return values

    def zen_line(pack_id: str, view: LineView) -> tuple[str, str | None]:
        result = tables[pack_id].evaluate(facts(pack_id, view))["result"]
        return result["outcome"], result.get("rule")

    def walk_only(pack_id: str, view: LineView) -> tuple[str, str | None]:
        machine = machines[pack_id]
        rules = machine.program.rules
        weighed = machine.walk(view)
        possible = [rules[i] for i, status in weighed if status != NOT_MET]
        deciding = possible[-1]
        if any(rule.outcome is not deciding.outcome for rule in possible):
            return "insufficient_information", None
        return deciding.outcome.value, deciding.id

    mismatches = sum(zen_line(p, v) != walk_only(p, v) for p, v in lines)
    walker_mismatches = 0
    for pack_id, view in lines:
        line = walk_line(packs.get(pack_id), view, "none").line
        walker_mismatches += (line.outcome.value, line.decided_by) != walk_only(pack_id, view)
    print(
        f"{len(lines):,} lines ({generated:,} generated cases and the fixtures) over "
        f"{len(packs.packs)} packs; zen-engine vs compiled: {mismatches} lines differ; tree walker "
        f"vs compiled: {walker_mismatches} differ"
    )
    measures: list[tuple[str, Callable[[str, LineView], object]]] = [
        ("tree walker, line decided (no trace)", lambda p, v: walk_line(packs.get(p), v, "none")),
        (
            "tree walker, line decided (criteria trace)",
            lambda p, v: walk_line(packs.get(p), v, "criteria"),
        ),
        ("compiled, line decided (no trace)", lambda p, v: _decide_line(packs.get(p), v, "none")),
        (
            "compiled, line decided (criteria trace)",
            lambda p, v: _decide_line(packs.get(p), v, "criteria"),
        ),
        ("compiled walk: outcome, rule, PA", walk_only),
        ("zen-engine decision table: outcome, rule", zen_line),
    ]
    print("| in process, one core | lines/s | µs each |")
    print("| --- | ---: | ---: |")
    results = {}
    for name, step in measures:
        per_second = rate(lines, step, seconds)
        results[name] = per_second
        print(f"| {name} | {per_second:,.0f} | {1e6 / per_second:,.1f} |")
    walk = results["compiled walk: outcome, rule, PA"]
    zen_rate = results["zen-engine decision table: outcome, rule"]
    print(f"compiled walk / zen-engine: {walk / zen_rate:.1f}x")


def read_only(source: Path) -> tuple[float, float]:
    """(seconds, CPU seconds) to read the file alone, in the batch run's chunks."""
    started, cpu = time.perf_counter(), time.process_time()
    for _batch in pq.ParquetFile(source).iter_batches(200_000):
        pass
    return time.perf_counter() - started, time.process_time() - cpu


def child(source: Path, *options: str) -> tuple[int, float, float, float]:
    """(lines, seconds, CPU seconds, peak MiB) of one batch run in its own process (the CPU
    of every thread of the run, not of starting the process; the peak as the process saw
    it: bench/batch_run.py)."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("batch_run.py")), str(source), *options],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert process.stdout is not None
    output = process.stdout.read().decode().split()
    status = process.wait()
    if status != 0 or len(output) < 4:
        raise SystemExit(f"batch run on {source} failed ({status})")
    return int(output[-3]), float(output[-2]), float(output[-1]), float(output[-4])


def dataset(workdir: Path, cases: int) -> Path:
    path = workdir / f"cases-{cases}.parquet"
    if not path.exists():
        write(path, cases, seed=20261122)
    return path


def batches(workdir: Path, cases: int, spark_cases: int | None, scale: list[int]) -> None:
    source = dataset(workdir, cases)
    lines, seconds, cpu, peak = child(source, "--engine", "polars")
    reading, reading_cpu = read_only(source)
    _, io_only, io_only_cpu, _ = child(source, "--nothing-decided")
    print(
        f"\n{cases:,} cases, {lines:,} lines, flat Parquet "
        f"({source.stat().st_size / 2**20:,.0f} MiB)"
    )
    print("| batch | lines | seconds | lines/s | CPU seconds | lines per CPU-second | peak MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| read the file only (pyarrow, in batches) | {lines:,} | {reading:.2f} | "
        f"{lines / reading:,.0f} | {reading_cpu:.2f} | {lines / reading_cpu:,.0f} | |"
    )
    print(
        f"| read it and write the results only, one after the other (the run's chunks) | "
        f"{lines:,} | {io_only:.2f} | {lines / io_only:,.0f} | {io_only_cpu:.2f} | "
        f"{lines / io_only_cpu:,.0f} | |"
    )
    print(
        f"| polars, end to end | {lines:,} | {seconds:.2f} | {lines / seconds:,.0f} | "
        f"{cpu:.2f} | {lines / cpu:,.0f} | {peak:,.0f} |"
    )
    if spark_cases is not None:
        spark_source = dataset(workdir, spark_cases)
        # The driver's CPU says little: Spark's work is in its JVM, another process.
        s_lines, s_seconds, _, s_peak = child(spark_source, "--engine", "spark")
        print(
            f"| Spark local[2], end to end ({spark_cases:,} cases) | {s_lines:,} | "
            f"{s_seconds:.2f} | {s_lines / s_seconds:,.0f} | (in the JVM) | | "
            f"{s_peak:,.0f} (driver) |"
        )
    print(f"polars end to end / reading alone: {seconds / reading:.1f}x")
    print(f"reading and writing alone / reading alone: {io_only / reading:.1f}x")
    print(
        "\n| cases | lines | polars seconds | lines/s | CPU seconds | lines per CPU-second "
        "| peak MiB |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in scale:
        path = dataset(workdir, size)
        n, secs, size_cpu, mib = child(path, "--engine", "polars")
        print(
            f"| {size:,} | {n:,} | {secs:.2f} | {n / secs:,.0f} | {size_cpu:.2f} | "
            f"{n / size_cpu:,.0f} | {mib:,.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per in-process row")
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases for the batch rows")
    parser.add_argument("--generated", type=int, default=3000, help="generated cases in process")
    parser.add_argument("--scale", default="100000,1000000,10000000")
    parser.add_argument("--spark-cases", type=int, default=1_000_000)
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--workdir", type=Path, default=Path("bench/.data"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"polars {pl.__version__}"
    )
    in_process(args.generated, args.seconds)
    scale = [int(size) for size in args.scale.split(",") if size]
    batches(args.workdir, args.cases, None if args.skip_spark else args.spark_cases, scale)
    print(f"\nthe whole run took {(time.perf_counter() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
