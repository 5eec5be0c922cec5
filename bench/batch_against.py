"""The batch run of this tree against another revision's, alternated on one input.

Usage: python bench/batch_against.py OTHER_SRC INPUT [--rounds N] [--engine polars|spark]

OTHER_SRC is the `src` folder of another checkout (say, main's). Each round runs the other
revision, then this tree, each in its own process through `bench/batch_run.py` (the same
entry point, `dermcover.batch.run.run`, Parquet out, with the allocator as each revision's
command sets it), and prints lines, seconds and CPU seconds (all threads). Then every results
file is compared, row for row, with the other revision's first, and every rejects file byte
for byte. Alternating keeps the two under the same load on a shared machine; compare the CPU
columns. With `--engine spark` the runs are Spark's (local[2]); their CPU seconds are the
driver's alone (the work is in the JVM), so compare the seconds, and the results (a folder of
parts, in no set order) are compared sorted by row.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent


def one_run(src: Path, source: Path, keep: Path, engine: str) -> tuple[int, float, float]:
    output = subprocess.run(
        [sys.executable, str(HERE / "batch_run.py"), str(source), "--engine", engine],
        env={**os.environ, "PYTHONPATH": str(src), "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    shutil.rmtree(f"{keep}.parquet", ignore_errors=True)  # a Spark run's folder, from before
    shutil.move(source.with_suffix(f".{engine}.out.parquet"), f"{keep}.parquet")
    shutil.move(source.with_suffix(f".{engine}.rejects.ndjson"), f"{keep}.ndjson")
    return int(output[-3]), float(output[-2]), float(output[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other revision's src folder")
    parser.add_argument("input", type=Path, help="a flat Parquet input (bench/batch_data.py)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engine", choices=["polars", "spark"], default="polars")
    args = parser.parse_args()
    trees = {"other": args.other.resolve(), "this tree": (HERE.parent / "src").resolve()}
    kept: list[Path] = []
    print("| version | round | lines | seconds | CPU seconds | lines per CPU-second | load |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for round_ in range(1, args.rounds + 1):
        for name, src in trees.items():
            keep = args.input.parent / f"{args.input.stem}.{name.replace(' ', '-')}-{round_}"
            lines, seconds, cpu = one_run(src, args.input, keep, args.engine)
            kept.append(keep)
            print(
                f"| {name} | {round_} | {lines:,} | {seconds:.2f} | {cpu:.2f} | "
                f"{lines / cpu:,.0f} | {os.getloadavg()[0]:.1f} |",
                flush=True,
            )
    reference = results(kept[0])
    for keep in kept[1:]:
        rows = results(keep)
        same = rows.schema == reference.schema and rows.equals(reference)
        rejects = filecmp.cmp(f"{keep}.ndjson", f"{kept[0]}.ndjson", shallow=False)
        print(
            f"{keep.name}: rows {'the same' if same else 'DIFFER'}, rejects "
            f"{'the same' if rejects else 'DIFFER'}"
        )


def results(keep: Path) -> pl.DataFrame:
    path = Path(f"{keep}.parquet")
    if path.is_dir():  # Spark's parts
        return pl.read_parquet(path / "*.parquet").sort("row")
    return pl.read_parquet(path)


if __name__ == "__main__":
    main()
