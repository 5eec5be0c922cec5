"""The batch run on polars: read in chunks, check, decide, write, count.

`run` reads the input chunk by chunk (so memory stays bounded), decides every line under its
policy's compiled program, writes each line's result and each refused row as it goes, and
returns the summary. With `compare`, every line is decided under a second version of one pack
too, and the lines whose result changes are collected for impact analysis (batch/impact.py).
"""

from __future__ import annotations

import gc
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TypeVar

import polars as pl

from dermcover.batch.check import SectionChecker
from dermcover.batch.impact import CHANGE_COLUMNS, changed_lines
from dermcover.batch.lines import (
    PLAN,
    POLICY,
    RESULT,
    case_starts,
    checked,
    checked_cases,
    decided,
    program_error,
    program_key,
    refused_cases,
    unread_columns,
    with_case_outcome,
    with_policy,
)
from dermcover.batch.sinks import LineSink, RejectSink
from dermcover.batch.sources import Chunk, Reject, chunks
from dermcover.engine.compile.derived import DerivedValues
from dermcover.engine.compile.ir import Program
from dermcover.engine.compile.polars import Decider
from dermcover.engine.compile.python import compiled
from dermcover.engine.library import PolicyLibrary
from dermcover.engine.pack import Pack
from dermcover.engine.plans import PlanLibrary, plan_library, with_plan

DEFAULT_CHUNK = 200_000
T = TypeVar("T")


@dataclass
class Comparison:
    """Decide the lines under `policy` again with another version of its pack."""

    policy: str
    other: Pack
    label: str  # how the other version was named (aetna@v2, a folder)


@dataclass
class Summary:
    rows: int = 0
    cases: int = 0
    lines: int = 0
    rejects: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    case_outcomes: Counter[str] = field(default_factory=Counter)
    changes: list[pl.DataFrame] = field(default_factory=list)
    compared: int = 0

    @property
    def changed(self) -> pl.DataFrame:
        if not self.changes:
            return pl.DataFrame(schema=CHANGE_COLUMNS)
        return pl.concat(self.changes, how="vertical")


def _reject_unknown(
    frame: pl.DataFrame, packs: PolicyLibrary, plans: PlanLibrary, source: str, chunk: Chunk
) -> tuple[pl.DataFrame, list[Reject]]:
    """The cases with a line whose policy or plan document is unknown, or whose plan sits over
    another policy than the one it is decided under, refused as `dermcover check` refuses
    them. A chunk has few such pairs, so each is weighed once."""
    pairs = frame.select(POLICY, PLAN).unique()
    errors = [program_error(policy, plan, packs, plans) for policy, plan in pairs.iter_rows()]
    if not any(errors):
        return frame, []
    table = pairs.with_columns(pl.Series("_error", errors, dtype=pl.String))
    frame = frame.join(
        table, on=[POLICY, PLAN], how="left", nulls_equal=True, maintain_order="left"
    )
    return refused_cases(frame, lambda row: chunk.where(source, row))


def programs_of(packs: PolicyLibrary, plans: PlanLibrary) -> dict[str, Program]:
    """Every pack's program, and every plan document's over the pack it sits over."""
    programs = {pid: compiled(pack).program for pid, pack in packs.packs.items()}
    for plan in plans.plans.values():
        pack = packs.packs.get(plan.spec.policy)
        if pack is not None:
            programs[program_key(plan.spec.policy, plan.id)] = compiled(
                with_plan(pack, plan)
            ).program
    return programs


@contextmanager
def _collected_once_a_chunk() -> Iterator[Callable[[], int]]:
    """Python's cycle collector off for the run, and run by hand once a chunk (the function
    given). Reading JSON makes a dozen dicts and lists a case, none of them in a cycle, which
    pile up in the chunk being read; the collector, each time they grow by a quarter, walked
    every one of them again: a fifth of the time to read NDJSON. Run once a chunk on what is
    left of the chunks since, it still frees any cycle the run makes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield partial(gc.collect, 1)
    finally:
        if enabled:
            gc.enable()


def _read_ahead(chunks: Iterator[Chunk], reader: ThreadPoolExecutor) -> Iterator[Chunk]:
    """The chunks, each read in `reader` while the ones before it are decided: polars and
    pyarrow let go of the interpreter while they read."""
    pending = reader.submit(next, chunks, None)
    while True:
        chunk = pending.result()
        if chunk is None:
            return
        pending = reader.submit(next, chunks, None)
        yield chunk


def _in_order(work: Iterator[Future[T]], window: int) -> Iterator[T]:
    """The results of `work` in its order, `window` of them under way at a time: the next is
    started once the one before it has been taken and dealt with."""
    pending = deque(islice(work, window))
    while pending:
        yield pending.popleft().result()
        pending.extend(islice(work, 1))


def run(
    source: Path,
    out: LineSink,
    rejects: RejectSink,
    packs: PolicyLibrary,
    *,
    policy: str | None,
    today: date,
    chunk_size: int = DEFAULT_CHUNK,
    compare: Comparison | None = None,
    progress: Callable[[int], None] = lambda rows: None,
    plans: PlanLibrary | None = None,
) -> Summary:
    summary = Summary()
    plans = plans if plans is not None else plan_library()
    # Four stages at once, so both cores are kept busy: a reader thread reads the next chunk,
    # two threads each decide one (polars lets go of the interpreter while it computes, and
    # each chunk has stretches of Python where the other's polars work can run), and a writer
    # thread writes the last decided chunk's results. Results are taken in input order; at
    # most four chunks are held, so memory stays bounded. Everything the deciders share
    # (the checker's and the decider's memory of values already seen) is filled on first
    # sight with what any thread would compute, so two threads racing write the same value.
    written: Future[None] | None = None
    with (
        _collected_once_a_chunk() as collect,
        ThreadPoolExecutor(1) as reader,
        ThreadPoolExecutor(2) as deciders,
        ThreadPoolExecutor(1) as writer,
    ):
        # The first chunk is read while the packs are compiled.
        stream = _read_ahead(chunks(source, chunk_size, unread_columns()), reader)
        programs = programs_of(packs, plans)
        checker = SectionChecker()
        values = DerivedValues(today)
        decider = Decider(programs, values)
        other_decider = None
        if compare is not None:
            # The other version, under every plan document that sits over it, as this one is.
            other_versions = PolicyLibrary(packs.folder, {compare.policy: compare.other})
            other_decider = Decider(programs_of(other_versions, plans), values)

        def decided_chunk(chunk: Chunk) -> tuple[Chunk, pl.DataFrame, list[Reject]]:
            """A chunk checked, given its policies, decided, and its refused rows."""
            frame, refused = chunk.lines, list(chunk.rejects)
            if chunk.flat or chunk.plain:
                check = checked if chunk.flat else checked_cases
                frame, more = check(frame, checker, partial(chunk.where, source))
                refused += more
            frame = with_policy(frame, policy, plans)
            frame, more = _reject_unknown(frame, packs, plans, str(source), chunk)
            return chunk, with_case_outcome(decided(frame, decider)), refused + more

        work = (deciders.submit(decided_chunk, chunk) for chunk in stream)
        for chunk, result, refused in _in_order(work, 2):
            if written is not None:
                written.result()
            written = writer.submit(out.write, result.select(RESULT))
            if refused:
                rejects.write(sorted(refused, key=lambda r: r.row))
            if compare is not None and other_decider is not None:
                mine = result.filter(pl.col(POLICY) == compare.policy)
                if mine.height:
                    theirs = decided(mine, other_decider)
                    summary.changes.append(changed_lines(mine, theirs))
                    summary.compared += mine.height
            summary.rows += chunk.rows
            summary.lines += result.height
            starts = result.select(case_starts()).to_series()
            summary.cases += int(starts.sum())
            summary.rejects += len(refused)
            summary.outcomes.update(dict(result["outcome"].value_counts().iter_rows()))
            # Each case's outcome once, from its first line.
            counts = result["case_outcome"].filter(starts).value_counts()
            summary.case_outcomes.update(dict(counts.iter_rows()))
            progress(chunk.rows)
            collect()
        if written is not None:
            written.result()
    return summary
