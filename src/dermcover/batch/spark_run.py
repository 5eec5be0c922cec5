"""The batch run on Spark: flat Parquet in, Parquet out, the same compiled program as polars.

Spark reads and writes in parallel across the cluster; the driver only sees what is small: the
distinct combinations each section's check and each derived fact needs, and the refused rows.
Row numbers are the rows' places in the input, as the polars engine gives them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from dermcover.batch.check import LINE_RULE, SECTIONS, SectionChecker, where_error
from dermcover.batch.lines import PLAN, POLICY, PROGRAM, program_error, program_key
from dermcover.batch.run import Summary, programs_of
from dermcover.batch.sinks import FolderSink, RejectSink
from dermcover.batch.sources import Reject
from dermcover.batch.spark_session import spark_session
from dermcover.engine.compile.derived import DerivedValues
from dermcover.engine.compile.flat import CASE_ID, LINE, LINES_FIELD
from dermcover.engine.library import DEFAULT_POLICY, PolicyLibrary
from dermcover.engine.plans import PlanLibrary, plan_library
from dermcover.inputs import InputError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ROW = "row"


def _numbered(frame: DataFrame) -> DataFrame:
    """Each row's place in the input (1-based): a partition's rows come in file order, and the
    partitions' sizes give where each starts."""
    from pyspark.sql import functions as F

    frame = frame.withColumn("_id", F.monotonically_increasing_id())
    frame = frame.withColumn("_part", F.shiftright(F.col("_id"), 33))
    sizes = sorted(tuple(r) for r in frame.groupBy("_part").count().collect())
    starts, total = [], 0
    for part, count in sizes:
        starts.append((part, total))
        total += count
    offsets = F.create_map(*[F.lit(x) for pair in starts for x in pair])
    position = F.col("_id").bitwiseAND(F.lit((1 << 33) - 1))
    return frame.withColumn(ROW, F.element_at(offsets, F.col("_part")) + position + 1).drop(
        "_id", "_part"
    )


def _checked(spark: SparkSession, frame: DataFrame, source: Path) -> tuple[DataFrame, list[Reject]]:
    """Refused rows (with their case's other lines) out, the rest normalised."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from dermcover.engine.compile.spark import col, data_type, distinct_values

    checker = SectionChecker()
    error_columns: list[str] = []
    groups = [[c.name for c in section.columns] for section in SECTIONS]
    # The distinct lines come in the same pass as the sections' combinations: a file whose
    # lines are all places in a case needs no column for their errors.
    *every, lines = distinct_values(frame, [*groups, [LINE]])
    if not all(LINE_RULE.allows(combo[LINE]) for combo in lines):
        line, rule = col(LINE), LINE_RULE
        frame = frame.withColumn(
            "_error_line",
            F.when(line.isNull(), F.lit(rule.missing)).when(
                ~line.between(rule.lowest, rule.highest),
                F.concat(F.lit(rule.before), line.cast("string"), F.lit(rule.after)),
            ),
        )
        error_columns.append("_error_line")
    for section, combos in zip(SECTIONS, every, strict=True):
        names = [c.name for c in section.columns]
        results = checker.check(section, combos)
        pairs = list(zip(results, combos, strict=True))
        if all(r.error is None and _same(r.values or {}, combo) for r, combo in pairs):
            continue
        keys = [f"_key{n}" for n in range(len(names))]
        fields = [
            T.StructField(k, data_type(c)) for k, c in zip(keys, section.columns, strict=True)
        ]
        fields += [T.StructField(f"_ok{n}", data_type(c)) for n, c in enumerate(section.columns)]
        error_column = f"_error_{section.name}"
        fields.append(T.StructField(error_column, T.StringType()))
        rows = [
            (
                *(combo[c.name] for c in section.columns),
                *(_typed((r.values or {}).get(c.name), c.kind) for c in section.columns),
                r.error,
            )
            for r, combo in pairs
        ]
        table = spark.createDataFrame(rows, T.StructType(fields))
        match = None
        for name, key in zip(names, keys, strict=True):
            part = col(name).eqNullSafe(table[key])
            match = part if match is None else match & part
        joined = frame.join(F.broadcast(table), match, "left")
        frame = joined.select(
            *(
                table[f"_ok{names.index(c)}"].alias(c) if c in names else col(c)
                for c in frame.columns
            ),
            table[error_column],
        )
        error_columns.append(error_column)
    if not error_columns:
        return frame, []
    frame = frame.withColumn("_error", F.coalesce(*map(col, error_columns))).drop(*error_columns)
    return _refused_cases(frame, source)


def _refused_cases(frame: DataFrame, source: Path) -> tuple[DataFrame, list[Reject]]:
    """The cases with a row whose `_error` is set taken out, every row of them a reject, as
    the polars engine refuses them (`lines.refused_cases`)."""
    from pyspark.sql import functions as F

    from dermcover.engine.compile.spark import col

    bad = frame.filter(col("_error").isNotNull())
    bad_rows = bad.select(ROW, CASE_ID, LINE, "_error").collect()
    if not bad_rows:
        return frame.drop("_error"), []
    first_bad: dict[str, int] = {}
    for r in sorted(bad_rows, key=lambda r: r[ROW]):
        if r[CASE_ID] is not None:
            first_bad.setdefault(r[CASE_ID], r[ROW])
    bad_ids = set(first_bad)
    refused = frame.filter(col("_error").isNull() & col(CASE_ID).isin(sorted(bad_ids)))
    rejects = [
        Reject(r[ROW], r[CASE_ID], where_error(r["_error"], f"{source} row {r[ROW]}", r[LINE]))
        for r in bad_rows
    ]
    rejects += [
        Reject(
            r[ROW],
            r[CASE_ID],
            f"{source} row {r[ROW]}: not decided: row {first_bad[r[CASE_ID]]} of the "
            "same case is refused",
        )
        for r in refused.select(ROW, CASE_ID).collect()
    ]
    keep = frame.filter(
        col("_error").isNull() & ~F.coalesce(col(CASE_ID).isin(sorted(bad_ids)), F.lit(False))
    )
    return keep.drop("_error"), sorted(rejects, key=lambda r: r.row)


def _same(values: dict[str, object], combo: dict[str, object]) -> bool:
    return all(_typed(values.get(k), "") == v for k, v in combo.items())


def _typed(value: object, kind: str) -> object:
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def run_spark(
    source: Path,
    out: Path,
    rejects_path: Path,
    packs: PolicyLibrary,
    *,
    policy: str | None,
    master: str | None,
    today: date,
    plans: PlanLibrary | None = None,
    progress: Callable[[str], None] = lambda phase: None,
) -> Summary:
    """The whole run; `progress` is told each phase as it starts."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from dermcover.engine.compile.spark import (
        col,
        decided_with_derived,
        derived_of,
        schema,
        with_derived,
    )

    if source.suffix.lower() != ".parquet":
        raise InputError(f"{source}: the Spark engine reads Parquet in the flat layout")
    if out.suffix.lower() != ".parquet":
        raise InputError(f"{out}: the Spark engine writes Parquet (a folder of part files)")
    progress("starting Spark")
    spark = spark_session(master)
    progress("reading and numbering the rows")
    frame = spark.read.parquet(str(source))
    layout = schema()
    known = {field.name for field in layout.fields}
    unknown = [name for name in frame.columns if name not in known]
    if LINES_FIELD in frame.columns or unknown:
        raise InputError(
            f"{source}: column {(unknown or [LINES_FIELD])[0]!r} is not in the flat layout "
            "(the Spark engine reads the flat layout only)"
        )
    frame = frame.select(
        *(
            col(f.name).cast(f.dataType).alias(f.name)
            if f.name in frame.columns
            else F.lit(None).cast(f.dataType).alias(f.name)
            for f in layout.fields
        )
    )
    frame = _numbered(frame)
    rows = frame.count()
    progress("checking each section's distinct values")
    frame, rejects = _checked(spark, frame, source)
    plans = plans if plans is not None else plan_library()
    over = {plan_id: plan.spec.policy for plan_id, plan in plans.plans.items()}
    plan_policy = F.lit(None).cast("string")
    for plan_id, plan_over in over.items():
        plan_policy = F.when(col(PLAN) == plan_id, F.lit(plan_over)).otherwise(plan_policy)
    chosen = (
        F.lit(policy)
        if policy is not None
        else F.when(
            col("payer.policy").isNotNull() & (col("payer.policy") != ""), col("payer.policy")
        )
        .when(plan_policy.isNotNull(), plan_policy)
        .when(
            F.coalesce(col("payer.plan_type").isin("medicare", "medicare_advantage"), F.lit(False)),
            F.lit("medicare"),
        )
        .otherwise(F.lit(DEFAULT_POLICY))
    )
    frame = frame.withColumn(POLICY, chosen)
    named = F.when(col(PLAN) != "", col(PLAN))
    frame = frame.withColumn(
        PROGRAM, F.coalesce(F.concat(col(POLICY), F.lit("+"), named), col(POLICY))
    )
    progress("choosing each line's pack")
    pairs: list[tuple[str, str | None]] = sorted(
        (
            (r[POLICY], r["_plan"])
            for r in frame.select(POLICY, named.alias("_plan")).distinct().collect()
        ),
        key=lambda pair: (pair[0], pair[1] or ""),
    )
    # Lines whose policy or plan document cannot decide them: their cases refused, as on polars.
    errors = {pair: program_error(*pair, packs, plans) for pair in pairs}
    if any(errors.values()):
        error = F.lit(None).cast("string")
        for (pack_id, named_plan), told in errors.items():
            if told is not None:
                same_plan = F.coalesce(named, F.lit("")) == F.lit(named_plan or "")
                error = F.when((col(POLICY) == pack_id) & same_plan, F.lit(told)).otherwise(error)
        frame, more = _refused_cases(frame.withColumn("_error", error), source)
        rejects = sorted(rejects + more, key=lambda r: r.row)
        pairs = [pair for pair in pairs if errors[pair] is None]
    programs = programs_of(packs, plans)
    values = DerivedValues(today)
    # With every case refused, the results are empty but still have their columns.
    keys = sorted({program_key(p, plan) for p, plan in pairs}) or [min(programs)]
    # Every program's derived facts from one pass over the lines, then each program's lines.
    progress("deriving facts")
    frame = with_derived(spark, frame, derived_of([programs[key] for key in keys]), values)
    columns = [ROW, CASE_ID, LINE, POLICY, "outcome", "decided_by", "prior_authorization"]
    columns += ["questions"]
    parts = [
        decided_with_derived(programs[key], frame.filter(col(PROGRAM) == key)).select(
            *map(col, columns)
        )
        for key in keys
    ]
    result = parts[0]
    for part in parts[1:]:
        result = result.unionByName(part)
    case = F.coalesce(col(CASE_ID), F.concat(F.lit("\x00row"), col(ROW).cast("string")))
    per_case = Window.partitionBy(case)
    result = result.withColumn(
        "case_outcome",
        F.when(F.size(F.collect_set("outcome").over(per_case)) == 1, col("outcome")).otherwise(
            F.lit("mixed")
        ),
    )
    result = result.select(*map(col, [*columns, "case_outcome"]))
    # Both written under hidden names, counted, and put in place together at the very end, so
    # a run that stops leaves an earlier run's files as they were (Spark's own overwrite would
    # first delete them). Through Spark Connect the server writes the results, on its own file
    # system, where this process cannot move them: there Spark's overwrite is all there is.
    remote = type(spark).__module__.startswith("pyspark.sql.connect")
    with FolderSink(out) as folder, RejectSink(rejects_path) as refused:
        target = out if remote else folder.partial
        progress("deciding and writing the results")
        result.write.mode("overwrite").parquet(str(target))
        progress("counting the outcomes")
        refused.write(rejects)
        written = spark.read.parquet(str(target))
        summary = Summary(rows=rows, rejects=len(rejects))
        summary.outcomes = Counter(dict(written.groupBy("outcome").count().collect()))
        cases = written.select(
            F.coalesce(col(CASE_ID), col(ROW).cast("string")).alias("k"), "case_outcome"
        ).distinct()
        summary.case_outcomes = Counter(dict(cases.groupBy("case_outcome").count().collect()))
        if not remote:
            folder.place()
        refused.close()
    summary.lines = sum(summary.outcomes.values())
    summary.cases = sum(summary.case_outcomes.values())
    return summary
