"""Synthetic cases for the batch benchmarks, drawn (seeded) from the fixtures' distribution.

Usage: python bench/batch_data.py OUT.parquet [--cases N] [--seed S] [--ndjson OUT.ndjson]

Every fixture case of every shipped pack is one sample of what a request looks like. A
generated case takes its number of procedure lines from one fixture, each of its case-level
sections (payer, patient, condition, purpose, impairment, prior treatments...) whole from a
fixture drawn at random, and each line's procedure from a fixture line drawn at random; so the
values, and the way values go together inside a section, are the fixtures' own, while the
combinations across sections are new. Written as the flat per-line layout (docs/spec/
batch-format.md), 1M cases by default. Past a million cases the file is made and written a
million cases at a time (each block seeded from the seed and its number), so a file of 100M
lines is made in bounded memory.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from dermcover.engine import library
from dermcover.engine.compile.flat import CASE_ID, COLUMNS, LINE, LINES_FIELD, rows_of
from dermcover.engine.compile.polars import frame_of
from dermcover.engine.fixtures import load_fixtures


def fixture_lines() -> tuple[pl.DataFrame, list[int]]:
    """Every fixture line as a flat row, and each fixture case's number of lines."""
    packs = library()
    rows, sizes = [], []
    for pack_id in packs.packs:
        for _, fixture in load_fixtures(packs.folder / pack_id):
            case = fixture.case.model_dump(mode="json", exclude_none=True)
            case.setdefault("payer", {})["policy"] = pack_id
            lines = rows_of(case)
            rows += lines
            sizes.append(len(lines))
    return frame_of(rows), sizes


BLOCK = 1_000_000  # cases made and written at a time
ROW_GROUP = 200_000


def generate(
    cases: int,
    seed: int,
    block: int = 0,
    fixtures: tuple[pl.DataFrame, list[int]] | None = None,
) -> pl.DataFrame:
    """`cases` cases; a block after the first draws from its own stream and numbers its cases
    on from the blocks before it. `fixtures` is `fixture_lines()`, made once for many blocks."""
    samples, sizes = fixtures or fixture_lines()
    rng = np.random.default_rng(seed if block == 0 else [seed, block])
    per_case = rng.choice(np.array(sizes), size=cases)
    total = int(per_case.sum())
    case_of_line = np.repeat(np.arange(cases), per_case)
    starts = np.cumsum(per_case) - per_case
    line = np.arange(total) - np.repeat(starts, per_case)
    sections: dict[str, list[str]] = {}
    for column in COLUMNS:
        if column.name != CASE_ID:
            sections.setdefault(column.section, []).append(column.name)
    parts = [
        pl.DataFrame(
            {
                CASE_ID: pl.Series([f"c{n}" for n in case_of_line + block * BLOCK]),
                LINE: pl.Series(line, dtype=pl.Int64),
            }
        )
    ]
    for section, names in sections.items():
        if section == LINES_FIELD:
            picks = rng.integers(0, samples.height, size=total)
        else:
            picks = rng.integers(0, samples.height, size=cases)[case_of_line]
        parts.append(samples.select(names)[picks])
    frame = pl.concat(parts, how="horizontal")
    return frame.select([CASE_ID, LINE, *(c.name for c in COLUMNS if c.name != CASE_ID)])


def write(path: Path, cases: int, seed: int) -> int:
    """`cases` cases written to `path` as flat Parquet; the number of lines. Up to a million
    in one piece; past that, block by block (zstd, as polars writes), one block in memory."""
    if cases <= BLOCK:
        frame = generate(cases, seed)
        frame.write_parquet(path, row_group_size=ROW_GROUP)
        return frame.height
    fixtures, lines, writer = fixture_lines(), 0, None
    try:
        for block, start in enumerate(range(0, cases, BLOCK)):
            size = min(BLOCK, cases - start)
            table = generate(size, seed, block, fixtures).to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=ROW_GROUP)
            lines += table.num_rows
            print(f"  {start + size:,} of {cases:,} cases", file=sys.stderr, flush=True)
    finally:
        if writer is not None:
            writer.close()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the flat Parquet file to write")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--ndjson", type=Path, help="also write the cases, nested, as NDJSON")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.ndjson is not None and args.cases > BLOCK:
        parser.error(f"--ndjson: at most {BLOCK:,} cases (it is written row by row)")
    lines = write(args.out, args.cases, args.seed)
    if args.ndjson is not None:
        write_nested(pl.read_parquet(args.out), args.ndjson)
    print(
        f"{args.cases:,} cases, {lines:,} lines -> {args.out} "
        f"in {time.perf_counter() - started:.1f} s"
    )


def write_nested(frame: pl.DataFrame, path: Path) -> None:
    """The same cases as NDJSON of nested cases (slow: for small sizes)."""
    from dermcover.engine.compile.flat import nested

    with path.open("w", encoding="utf-8") as stream:
        current: dict[str, object] | None = None
        for row in frame.iter_rows(named=True):
            data = nested(row)
            if current is not None and current.get("id") == data.get("id"):
                current[LINES_FIELD].append(data[LINES_FIELD][0])  # type: ignore[attr-defined]
                continue
            if current is not None:
                stream.write(json.dumps(current, default=str) + "\n")
            current = data
        if current is not None:
            stream.write(json.dumps(current, default=str) + "\n")


if __name__ == "__main__":
    main()
