"""`dermcover batch`: decide a file of cases, line by line, on polars or on Spark.

IN is NDJSON of cases or a JSON array of cases (either may be gzip-compressed), or Parquet
(nested cases or the flat per-line layout: docs/spec/batch-format.md). OUT gets one row per
procedure line. Rows that cannot be decided go to a rejects file with their row number and
the error, and the run goes on.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dermcover.cli.app import app


class Engine(StrEnum):
    polars = "polars"
    spark = "spark"


@app.command()
def batch(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="IN",
            help="Cases: .ndjson/.jsonl, .json (an array), either ending in .gz if compressed, "
            "or .parquet.",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Per-line results: .parquet, .ndjson or .jsonl.")
    ],
    policy: Annotated[
        str | None,
        typer.Option("--policy", "-p", help="Decide every case under this pack."),
    ] = None,
    policy_from_case: Annotated[
        bool,
        typer.Option(
            "--policy-from-case",
            help="Each case under its own payer.policy, else the pack its payer.plan sits over, "
            "else medicare for a Medicare plan, else generic (the default when --policy is not "
            "given).",
        ),
    ] = False,
    engine: Annotated[
        Engine, typer.Option(help="polars on this machine, or spark (local or a cluster).")
    ] = Engine.polars,
    master: Annotated[
        str | None,
        typer.Option(
            help="Spark master URL (spark://host:7077, yarn, local[4]); default: SPARK_REMOTE "
            "for Spark Connect if set, else local mode."
        ),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            help="Impact analysis: decide again under <policy>@<git revision or folder> and "
            "report the lines that change."
        ),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Where refused rows go; default: OUT with .rejects.ndjson."),
    ] = None,
    changes: Annotated[
        Path | None,
        typer.Option(help="With --compare, the changed lines; default: OUT with .changes.parquet."),
    ] = None,
    chunk: Annotated[
        int | None,
        typer.Option(
            min=1000,
            help="Rows read at a time on polars (default 200,000); memory grows with it, not "
            "the input.",
        ),
    ] = None,
) -> None:
    """Decide every case in IN and write each procedure line's result to OUT."""
    from dermcover.batch.allocator import for_batch

    for_batch()  # before polars is loaded
    from dermcover.cli._batch_view import run_batch

    if policy is not None and policy_from_case:
        from dermcover.inputs import InputError

        raise InputError("give --policy ID or --policy-from-case, not both")
    run_batch(
        source,
        out,
        policy=policy,
        engine=engine.value,
        master=master,
        compare=compare,
        rejects=rejects,
        changes=changes,
        chunk=chunk,
    )
