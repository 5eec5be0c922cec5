"""The batch run on polars: read in chunks, check, decide, write, count.

`run` reads the input chunk by chunk (so memory stays bounded), decides every line under its
policy's compiled program, writes each line's result and each refused row as it goes, and
returns the summary. With `compare`, every line is decided under a second version of one pack
too, and the lines whose result changes are collected for impact analysis (batch/impact.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from dermcover.batch.check import SectionChecker
from dermcover.batch.impact import CHANGE_COLUMNS, changed_lines
from dermcover.batch.lines import (
    POLICY,
    RESULT,
    checked,
    decided,
    with_case_outcome,
    with_policy,
)
from dermcover.batch.sinks import LineSink, RejectSink
from dermcover.batch.sources import CASE, Chunk, Reject, chunks
from dermcover.engine.compile.derived import DerivedValues
from dermcover.engine.compile.ir import Program
from dermcover.engine.compile.polars import Decider
from dermcover.engine.compile.python import compiled
from dermcover.engine.library import PolicyLibrary
from dermcover.engine.pack import Pack

DEFAULT_CHUNK = 200_000


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


def _reject_unknown_policies(
    frame: pl.DataFrame, packs: PolicyLibrary, source: str, chunk: Chunk
) -> tuple[pl.DataFrame, list[Reject]]:
    unknown = frame.filter(~pl.col(POLICY).is_in(sorted(packs.packs)))
    if not unknown.height:
        return frame, []
    available = ", ".join(sorted(packs.packs))
    rejects = [
        Reject(
            row["row"],
            row["case_id"],
            f"{chunk.where(source, row['row'])}: payer.policy = {row[POLICY]!r}: unknown policy; "
            f"available: {available}",
        )
        for row in unknown.unique(subset=["row"], maintain_order=True).iter_rows(named=True)
    ]
    bad_cases = unknown[CASE].unique().implode()
    return frame.filter(~pl.col(CASE).is_in(bad_cases)), rejects


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
) -> Summary:
    summary = Summary()
    programs: dict[str, Program] = {
        pid: compiled(pack).program for pid, pack in packs.packs.items()
    }
    other = compiled(compare.other).program if compare is not None else None
    checker = SectionChecker()
    values = DerivedValues(today)
    decider = Decider(programs, values)
    other_decider = (
        Decider({compare.policy: other}, values) if compare is not None and other else None
    )
    for chunk in chunks(source, chunk_size):
        frame, refused = chunk.lines, list(chunk.rejects)
        if chunk.flat:
            frame, more = checked(frame, checker, str(source))
            refused += more
        frame = with_policy(frame, policy)
        frame, more = _reject_unknown_policies(frame, packs, str(source), chunk)
        refused += more
        result = with_case_outcome(decided(frame, decider))
        out.write(result.select(RESULT))
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
        summary.cases += result[CASE].n_unique() if result.height else 0
        summary.rejects += len(refused)
        summary.outcomes.update(dict(result["outcome"].value_counts().iter_rows()))
        cases = result.select(CASE, "case_outcome").unique(subset=[CASE])
        summary.case_outcomes.update(dict(cases["case_outcome"].value_counts().iter_rows()))
        progress(chunk.rows)
    return summary
