"""What `dermcover batch` runs and prints: the progress bar, the summary, the impact table."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import polars as pl
import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from dermcover.batch.impact import change_table
from dermcover.batch.lines import RESULT
from dermcover.batch.run import DEFAULT_CHUNK, Comparison, Summary, run
from dermcover.batch.sinks import LineSink, RejectSink, check_outputs, format_of, write_parquet
from dermcover.batch.sources import readable, total_rows
from dermcover.batch.versions import pack_version
from dermcover.cli.app import console, counted, errors
from dermcover.engine.library import PolicyLibrary, library
from dermcover.inputs import InputError

INTERRUPTED = 130  # the shell's status for a command stopped by Ctrl-C (128 + SIGINT)


class RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} rows/s", style="cyan")


class TimeTaken(ProgressColumn):
    """The time so far, and while the rows' total is known and the run not through, the time
    left at the pace so far: `0:00:12 (0:01:40 left)`."""

    def __init__(self) -> None:
        super().__init__()
        self._elapsed, self._left = TimeElapsedColumn(), TimeRemainingColumn()

    def render(self, task: Task) -> Text:
        elapsed = self._elapsed.render(task)
        if task.total is None or task.finished:
            return elapsed
        return Text.assemble(elapsed, " (", self._left.render(task), " left)")


@contextmanager
def _display(columns: list[ProgressColumn]) -> Iterator[Progress]:
    """A progress display on stderr that stays once the run is through, and goes when the
    run stops on an error or Ctrl-C: the message that follows is then the last word."""
    with Progress(*columns, console=errors, transient=False) as bar:
        try:
            yield bar
        except BaseException:
            bar.live.transient = True
            raise


def _beside(out: Path, suffix: str) -> Path:
    return out.with_name(out.name.removesuffix(out.suffix) + suffix)


def run_batch(
    source: Path,
    out: Path,
    *,
    policy: str | None,
    engine: str,
    master: str | None,
    compare: str | None,
    rejects: Path | None,
    changes: Path | None,
    chunk: int | None,
) -> None:
    format_of(out)
    readable(source)
    rejects_path = rejects or _beside(out, ".rejects.ndjson")
    changes_path = changes or _beside(out, ".changes.parquet")
    outputs = {"--out": out, "--rejects": rejects_path}
    if compare is not None:
        outputs["--changes"] = changes_path
    elif changes is not None:
        raise InputError("--changes names the file of changed lines: it goes with --compare")
    if engine == "spark" and compare is not None:
        raise InputError("--compare runs on the polars engine; leave out --engine spark")
    if engine != "spark" and master is not None:
        raise InputError(f"--master {master!r} names a Spark master: it goes with --engine spark")
    if engine == "spark" and chunk is not None:
        raise InputError("--chunk sizes the polars engine's chunks; Spark splits IN itself")
    # Spark writes its results as a folder of part files.
    check_outputs(source, outputs, folders={"--out"} if engine == "spark" else ())
    packs = library()
    if policy is not None:
        packs.get(policy)  # an unknown id is one line, before any work
    comparison = None
    if compare is not None:
        compared, other = pack_version(compare, packs.folder)
        packs.get(compared)
        if policy is not None and policy != compared:
            raise InputError(f"--compare names {compared}, but --policy is {policy}")
        comparison = Comparison(compared, other, compare)
    started = time.perf_counter()
    before = {path: _state(path) for path in (out, rejects_path)}
    try:
        if engine == "spark":
            summary = _run_spark(source, out, rejects_path, packs, policy, master)
        else:
            size = DEFAULT_CHUNK if chunk is None else chunk
            summary = _run_polars(source, out, rejects_path, packs, policy, size, comparison)
    except KeyboardInterrupt:
        errors.print(_interrupted(before), highlight=False, soft_wrap=True)
        raise typer.Exit(INTERRUPTED) from None
    seconds = time.perf_counter() - started
    _print_summary(summary, out, rejects_path, seconds)
    if comparison is not None:
        _print_impact(summary, comparison, changes_path)


def _state(path: Path) -> tuple[int, int] | None:
    """Which file (or folder) is at `path`, and when it was written; None if nothing is."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_ino, status.st_mtime_ns


def _interrupted(before: dict[Path, tuple[int, int] | None]) -> str:
    """What a run stopped by Ctrl-C leaves, told from the files themselves: each output is
    moved into place only once whole (sinks.py), so each is either as it was or whole."""
    written = [path for path, state in before.items() if _state(path) != state]
    kept = [path for path in before if path not in written]
    if not written:
        return f"interrupted: nothing written; {' and '.join(map(str, kept))} are as they were"
    if not kept:
        return f"interrupted once the run was through: {' and '.join(map(str, written))} are whole"
    return f"interrupted: {written[0]} was written whole, {kept[0]} is as it was"


def _run_polars(
    source: Path,
    out: Path,
    rejects_path: Path,
    packs: PolicyLibrary,
    policy: str | None,
    chunk: int,
    comparison: Comparison | None,
) -> Summary:
    total = total_rows(source)
    columns = [
        TextColumn("[bold]deciding[/]"),
        BarColumn(bar_width=10),  # the whole line fits 80 columns, 100M rows and all
        MofNCompleteColumn(),
        RowsPerSecond(),
        TimeTaken(),
    ]
    # Both files are moved into place only once the run is through (sinks.py).
    with LineSink(out) as sink, RejectSink(rejects_path) as refused:
        with _display(columns) as bar:
            task = bar.add_task("rows", total=total)
            summary = run(
                source,
                sink,
                refused,
                packs,
                policy=policy,
                today=date.today(),
                chunk_size=chunk,
                compare=comparison,
                progress=lambda rows: bar.advance(task, rows),
            )
        sink.close(_empty_result())
        refused.close()
    return summary


class SparkTasks(ProgressColumn):
    """The tasks of the stages Spark is running, done of all, read from its status tracker
    as the display refreshes; nothing through Spark Connect, whose client has no tracker."""

    max_refresh = 0.5

    def render(self, task: Task) -> Text:
        from pyspark import SparkContext

        context = SparkContext._active_spark_context
        if context is None or task.finished:
            return Text("")
        try:
            tracker = context.statusTracker()
            stages = [tracker.getStageInfo(stage) for stage in tracker.getActiveStageIds()]
        except Exception:  # the session stopping under the display: nothing to show
            return Text("")
        running = [stage for stage in stages if stage is not None]
        if not running:
            return Text("")
        done = sum(stage.numCompletedTasks for stage in running)
        total = sum(stage.numTasks for stage in running)
        return Text(f"{done:,}/{total:,} tasks", style="green")


def _run_spark(
    source: Path,
    out: Path,
    rejects_path: Path,
    packs: PolicyLibrary,
    policy: str | None,
    master: str | None,
) -> Summary:
    """The Spark run, with a display of the phase it is in, its tasks and the time so far."""
    from dermcover.batch.spark_run import run_spark

    columns = [
        SpinnerColumn(finished_text="[green]✓[/]"),
        TextColumn("[bold]on Spark[/] {task.description}"),
        SparkTasks(),
        TimeElapsedColumn(),
    ]
    with _display(columns) as bar:
        task = bar.add_task("", total=None)
        summary = run_spark(
            source,
            out,
            rejects_path,
            packs,
            policy=policy,
            master=master,
            today=date.today(),
            progress=lambda phase: bar.update(task, description=phase),
        )
        bar.update(task, description="done", total=1, completed=1)
    return summary


def _empty_result() -> pl.DataFrame:
    """The results table of an input without one valid row."""
    types: dict[str, pl.DataType] = {name: pl.String() for name in RESULT}
    types.update({"row": pl.Int64(), "line": pl.Int64(), "questions": pl.List(pl.String())})
    return pl.DataFrame(schema=types)


def _print_summary(summary: Summary, out: Path, rejects_path: Path, seconds: float) -> None:
    table = Table(title="Batch summary", show_header=True)
    table.add_column("outcome")
    table.add_column("lines", justify="right")
    table.add_column("cases", justify="right")
    names = sorted(set(summary.outcomes) | set(summary.case_outcomes))
    for name in names:
        table.add_row(
            name, f"{summary.outcomes.get(name, 0):,}", f"{summary.case_outcomes.get(name, 0):,}"
        )
    table.add_row("[bold]decided[/]", f"{summary.lines:,}", f"{summary.cases:,}")
    table.add_row("[bold red]rejected rows[/]", f"{summary.rejects:,}", "")
    console.print(table)
    rate = summary.rows / seconds if seconds > 0 else 0.0
    console.print(
        f"{counted(summary.rows, 'row')} read in {seconds:,.1f} s ({rate:,.0f} rows/s); "
        f"results in {out}; {counted(summary.rejects, 'reject')} in {rejects_path}",
        highlight=False,
        soft_wrap=True,  # a path is never split across lines
    )


def _print_impact(summary: Summary, comparison: Comparison, changes_path: Path) -> None:
    changed = summary.changed
    write_parquet(changed, changes_path)
    if not changed.height:
        if not summary.compared:  # not "no line changes": nothing was weighed again at all
            said = (
                f"[bold]No line was decided under {escape(comparison.policy)}[/], so none was "
                f"compared with {escape(comparison.label)}; give --policy "
                f"{escape(comparison.policy)} to decide every case under it"
            )
        else:  # an empty table would say the same less plainly
            keep = "keeps its" if summary.compared == 1 else "keep their"
            said = (
                f"[bold]No line changes under {escape(comparison.label)}[/]: the "
                f"{counted(summary.compared, 'line')} compared {keep} outcome and deciding rule"
            )
        console.print(said, highlight=False, soft_wrap=True)
        console.print(f"(no changed lines in {changes_path})", highlight=False, soft_wrap=True)
        return
    # The headline is a line of its own, not the table's title: a title wraps at the table's
    # width, and a long pack folder would split it. Outcomes and rules fold, never cut short.
    console.print(
        f"[bold]Lines that change under {escape(comparison.label)}[/] "
        f"({changed.height:,} of {summary.compared:,} compared)",
        highlight=False,
        soft_wrap=True,
    )
    table = Table()
    for name in ("from", "to", "rule before", "rule after"):
        table.add_column(name, overflow="fold")
    table.add_column("lines", justify="right")
    for row in change_table(changed).iter_rows():
        before, after, rule_before, rule_after, lines = row
        table.add_row(
            str(before), str(after), str(rule_before or "-"), str(rule_after or "-"), f"{lines:,}"
        )
    console.print(table)
    console.print(f"changed lines in {changes_path}", highlight=False, soft_wrap=True)
