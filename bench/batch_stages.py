"""Where a polars batch run's CPU goes, stage by stage, and within the decision, part by part.

Usage: python bench/batch_stages.py INPUT [--rounds N]

The flat Parquet file is read in the run's chunks, then each stage of `batch/run.py` runs on
every chunk in turn, one after the other (no threads of the run's own: polars' threads still
run), timed in CPU seconds; the best of `--rounds` rounds after a first one that fills the
checker's and the deriver's memory of values seen, as a long run has them filled. The first
round is shown too: what a run pays once (values seen for the first time, modules loaded on
first use) is in it alone.

The decision is then taken apart: the same chunks decided by plans that stop ever earlier,
each row the CPU of a plan that goes one part further than the row before it (the derived
facts' groupings; the facts polars computes, on each program's lines; every fact test; the
named criteria, rules, the walk and whether a line is ambiguous; the places asked about, as
bits; and the whole decision, the fields asked and the lines put back in order). Last, the
whole decision on each chunk's first 50 lines: the cost a chunk pays whatever its size.
"""

from __future__ import annotations

from dermcover.batch.allocator import for_batch

for_batch()

import argparse  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import polars as pl  # noqa: E402

from dermcover.batch import lines  # noqa: E402
from dermcover.batch.check import SectionChecker  # noqa: E402
from dermcover.batch.run import DEFAULT_CHUNK, _reject_unknown, programs_of  # noqa: E402
from dermcover.batch.sinks import LineSink  # noqa: E402
from dermcover.batch.sources import chunks  # noqa: E402
from dermcover.codes.icd10 import is_valid  # noqa: E402
from dermcover.engine.compile import polars as compiled  # noqa: E402
from dermcover.engine.compile.derived import DerivedValues  # noqa: E402
from dermcover.engine.library import library  # noqa: E402
from dermcover.engine.plans import plan_library  # noqa: E402

TODAY = date(2026, 11, 22)
PARTS = ("derived facts", "facts", "fact tests", "criteria, rules, walk", "question bits")


def cpu(work: Callable[[], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def decided_up_to(decider: compiled.Decider, frame: pl.DataFrame, upto: str) -> None:
    """`Decider.decide`'s plans, stopped after the part `upto` (one of PARTS)."""
    key = lines.PROGRAM
    present = decider.present(frame, key)
    work, gathered = decider.with_derived(frame, present)
    if upto == "derived facts":
        return
    work = work.with_row_index("_at")
    plans = []
    for name in present:
        expressions = decider._expressions[name]
        program = decider.program_lines(work, key, name, gathered)
        if upto == "facts":
            made = {*decider._expressed[name], *gathered}
            facts = [c.name for c in decider._columns[name].derived if c.name in made]
            plans.append(program.select("_at", *facts))
        elif upto == "fact tests":
            tests = expressions.leaf_stage()
            plans.append(program.with_columns(**tests).select("_at", *tests))
        elif upto == "criteria, rules, walk":
            plans.append(expressions.statuses(program).select("_at", "_deciding", "_ambiguous"))
        else:
            plans.extend(expressions.outcomes(program, decider._first[name]))
    pl.collect_all(plans, engine="in-memory")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", type=Path, help="flat Parquet (bench/batch_data.py makes one)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    source: Path = args.input
    is_valid("L57.0")  # the ICD-10-CM tables load once per process
    packs, plans = library(), plan_library()
    programs = programs_of(packs, plans)
    checker, values = SectionChecker(), DerivedValues(TODAY)
    decider = compiled.Decider(programs, values)
    unread = lines.unread_columns()

    read = cpu(lambda: list(chunks(source, DEFAULT_CHUNK, unread)), args.rounds)
    read_chunks = list(chunks(source, DEFAULT_CHUNK, unread))
    timings: dict[str, float] = {}

    def timed(stage: str, work: Callable[..., Any], *args: Any) -> Any:
        started = time.process_time()
        result = work(*args)
        timings[stage] = timings.get(stage, 0.0) + time.process_time() - started
        return result

    best: dict[str, float] = {}
    cold: dict[str, float] = {}
    out = source.with_suffix(".stages.out.parquet")
    for number in range(args.rounds + 1):  # the first round fills the memories of values seen
        timings.clear()
        sink = LineSink(out)
        for chunk in read_chunks:
            frame, _ = timed("check", lines.checked, chunk.lines, checker, str(source))
            frame = timed("choose the pack", lines.with_policy, frame, None, plans)
            frame, _ = timed(
                "refuse unknown packs", _reject_unknown, frame, packs, plans, str(source), chunk
            )
            result = timed("decide", lines.decided, frame, decider)
            result = timed("case outcomes", lines.with_case_outcome, result)
            timed("write", sink.write, result.select(lines.RESULT))
        sink.close(pl.DataFrame())
        if number == 0:
            cold = dict(timings)
            continue
        for stage, seconds in timings.items():
            best[stage] = min(best.get(stage, float("inf")), seconds)
    out.unlink()

    frames = []
    for chunk in read_chunks:
        frame, _ = lines.checked(chunk.lines, checker, partial(chunk.where, source))
        frames.append(lines.with_policy(frame, None, plans))
    parts = {
        part: cpu(lambda part=part: [decided_up_to(decider, f, part) for f in frames], args.rounds)
        for part in PARTS
    }
    parts["whole decision"] = cpu(
        lambda: [decider.decide(f, lines.PROGRAM) for f in frames], args.rounds
    )
    # What each chunk pays whatever its size: polars making its plans into its own form.
    fixed = cpu(lambda: [decider.decide(f.head(50), lines.PROGRAM) for f in frames], args.rounds)

    height = sum(chunk.lines.height for chunk in read_chunks)
    print(f"{source}: {height:,} lines in {len(read_chunks)} chunks; best of {args.rounds}")
    print("| stage, one after the other | CPU seconds | first round |")
    print("| --- | ---: | ---: |")
    print(f"| read in the run's chunks | {read:.3f} | |")
    for stage, seconds in best.items():
        print(f"| {stage} | {seconds:.3f} | {cold[stage]:.3f} |")
    print(f"| all | {read + sum(best.values()):.3f} | {read + sum(cold.values()):.3f} |")
    print()
    print("| the decision, up to and with | CPU seconds | this part |")
    print("| --- | ---: | ---: |")
    before = 0.0
    for part, seconds in parts.items():
        print(f"| {part} | {seconds:.3f} | {seconds - before:+.3f} |")
        before = seconds
    print()
    print(
        f"The whole decision on each chunk's first 50 lines alone: {fixed:.3f} CPU seconds "
        f"({fixed / len(frames) * 1000:.0f} ms a chunk), the part of it a chunk pays whatever "
        "its size."
    )


if __name__ == "__main__":
    main()
