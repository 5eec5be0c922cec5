"""One chunk of lines on polars: checked (flat input), assigned a policy, decided, and given
its case's overall outcome."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from pydantic import ValidationError

from dermcover.batch.check import LINE_RULE, SECTIONS, WHERE, SectionChecker, where_error
from dermcover.batch.sources import CASE, ROW, Reject
from dermcover.case import Case
from dermcover.determination import Outcome
from dermcover.engine.compile.derived import inputs_of
from dermcover.engine.compile.flat import CASE_ID, COLUMNS, LINE, case_of
from dermcover.engine.compile.polars import OUTPUT, Decider, schema
from dermcover.engine.facts import FACTS
from dermcover.engine.library import DEFAULT_POLICY, PolicyLibrary
from dermcover.engine.plans import PlanLibrary
from dermcover.inputs import describe

POLICY = "policy"
PLAN = "payer.plan"
PAYER_POLICY = "payer.policy"
PLAN_TYPE = "payer.plan_type"
PROGRAM = "_program"  # the pack a line is decided by, under the plan document it names if any
CASE_OUTCOME = "case_outcome"
RESULT = (ROW, CASE_ID, LINE, POLICY, *OUTPUT, CASE_OUTCOME)
_MEDICARE_PLANS = ["medicare", "medicare_advantage"]


def checked(
    frame: pl.DataFrame, checker: SectionChecker, where: Callable[[int], str]
) -> tuple[pl.DataFrame, list[Reject]]:
    """Flat rows checked section by section; a case with a refused line is refused whole.
    `where` names a row of the input in an error."""
    layout = schema()
    errors = frame.select(_line_error().alias("_error")).to_series()
    # Every section's distinct combinations at once: the tables are made side by side.
    lazy = frame.lazy()
    tables = pl.collect_all(
        [lazy.select(column.name for column in section.columns).unique() for section in SECTIONS]
    )
    for section, distinct in zip(SECTIONS, tables, strict=True):
        names = [column.name for column in section.columns]
        results = checker.check(section, distinct.iter_rows(named=True))
        changed = any(
            r.values is not None and r.values != row
            for r, row in zip(results, distinct.iter_rows(named=True), strict=True)
        )
        failed = any(r.error is not None for r in results)
        if not changed and not failed:
            continue
        table = distinct.with_columns(
            pl.Series("_section_error", [r.error for r in results], dtype=pl.String),
            *(
                pl.Series(
                    f"_ok:{name}",
                    [(r.values or {}).get(name) for r in results],
                    dtype=pl.String if layout[name] == pl.Date() else layout[name],
                )
                for name in names
            ),
        )
        joined = frame.join(table, on=names, how="left", nulls_equal=True, maintain_order="left")
        errors = errors.fill_null(joined["_section_error"])
        frame = joined.with_columns(
            (
                pl.col(f"_ok:{name}").str.to_date()
                if layout[name] == pl.Date()
                else pl.col(f"_ok:{name}")
            ).alias(name)
            for name in names
        ).select(frame.columns)
    if errors.null_count() == frame.height:
        return frame, []
    return refused_cases(frame.with_columns(errors), where)


def checked_cases(
    frame: pl.DataFrame, checker: SectionChecker, where: Callable[[int], str]
) -> tuple[pl.DataFrame, list[Reject]]:
    """Nested cases taken as read (`flat.plain`, one input row a case) checked as flat rows
    are. A case the checks refuse is validated again whole, from its rows, so that its reject
    says what `dermcover check` says of the case: every problem counted, not one section's."""
    kept, refused = checked(frame, checker, where)
    if not refused:
        return kept, []
    by_row = {reject.row: reject for reject in refused}
    # Dates as the text they were read from (`flat.plain` lets only ISO dates through), as
    # the case model would have been given them.
    dates = [name for name, dtype in frame.schema.items() if dtype == pl.Date()]
    bad = (
        frame.filter(pl.col(ROW).is_in(list(by_row)))
        .sort(ROW, LINE)
        .with_columns(pl.col(dates).dt.to_string("%Y-%m-%d"))
    )
    for (row,), lines in bad.group_by(ROW, maintain_order=True):
        try:
            Case.model_validate(case_of(lines.to_dicts()))
        except ValidationError as exc:
            by_row[row].error = describe(exc, Case, where(row))
        # Else the section's own error stands: the case model has no rule across sections,
        # so what refuses a section refuses its case.
    return kept, refused


def refused_cases(
    frame: pl.DataFrame, where: Callable[[int], str]
) -> tuple[pl.DataFrame, list[Reject]]:
    """The cases with a row whose `_error` is set taken out, every row of them a reject: a
    refused row with its own error (told for the row `where` names), each other row of its
    case as not decided because of the case's first refused row. In a nested input a case's
    lines share one row, and that row is one reject."""
    bad_cases = frame.filter(pl.col("_error").is_not_null())[CASE].unique()
    bad_row = pl.col(ROW).filter(pl.col("_error").is_not_null()).min().over(CASE)
    refused = (
        frame.filter(pl.col(CASE).is_in(bad_cases.implode()))
        .with_columns(bad_row.alias("_bad_row"))
        .sort(ROW, pl.col("_error").is_null())
    )
    rejects = []
    for row in refused.unique(subset=[ROW], keep="first", maintain_order=True).iter_rows(
        named=True
    ):
        if row["_error"] is not None:
            error = where_error(row["_error"], where(row[ROW]), row[LINE])
        else:
            error = (
                f"{where(row[ROW])}: not decided: row {row['_bad_row']} of the same case is refused"
            )
        rejects.append(Reject(row[ROW], row[CASE_ID], error))
    return frame.filter(~pl.col(CASE).is_in(bad_cases.implode())).drop("_error"), rejects


def program_error(
    policy: str, plan: str | None, packs: PolicyLibrary, plans: PlanLibrary
) -> str | None:
    """Why a line cannot be decided under `policy` and the plan document it names (`plan`,
    or none), in `dermcover check`'s words; None when it can. Both engines refuse such a
    line's case with this error."""
    if policy not in packs.packs:
        available = ", ".join(sorted(packs.packs))
        return f"{WHERE}: {PAYER_POLICY} = {policy!r}: unknown policy; available: {available}"
    if not plan:
        return None
    if plan not in plans.plans:
        known = ", ".join(sorted(plans.plans)) or "none"
        return f"{WHERE}: {PLAN}: unknown plan {plan!r}; available: {known}"
    over = plans.plans[plan].spec.policy
    if over != policy:
        return (
            f"{WHERE}: {PLAN}: plan {plan!r} sits over policy {over!r}, but the case is "
            f"decided under {policy!r}; name that policy or leave the policy out"
        )
    return None


def _line_error() -> pl.Expr:
    """Why a row's `line` cannot be its place in a case, or null."""
    line, rule = pl.col(LINE), LINE_RULE
    return (
        pl.when(line.is_null())
        .then(pl.lit(rule.missing))
        .when(~line.is_between(rule.lowest, rule.highest))
        .then(pl.concat_str(pl.lit(rule.before), line.cast(pl.String), pl.lit(rule.after)))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def unread_columns() -> frozenset[str]:
    """The flat layout's columns no step of a run reads: free text (names, addresses, phone
    numbers) that no check, fact or result looks at. Left in the file, they cost no time or
    memory, and the run holds no more of a patient's details than it decides by."""
    read = {column.name for section in SECTIONS for column in section.columns}
    read |= {name for fact in FACTS.values() for name in inputs_of(fact)}
    read |= {CASE_ID, LINE, PAYER_POLICY, PLAN, PLAN_TYPE}  # what `with_policy` reads
    return frozenset(column.name for column in COLUMNS if column.name not in read)


def _named(column: str) -> pl.Expr:
    return pl.col(column).is_not_null() & (pl.col(column) != "")


def with_policy(
    frame: pl.DataFrame, policy: str | None, plans: PlanLibrary | None = None
) -> pl.DataFrame:
    """The pack each line is decided under: the one asked for, else the case's own, else the
    one its plan document sits over, else Medicare's for a Medicare plan, else the default
    (as `dermcover check` chooses); and the program it is decided by: the pack, or the pack
    under the plan document the case names."""
    over = {plan_id: plan.spec.policy for plan_id, plan in (plans.plans if plans else {}).items()}
    if policy is not None:
        chosen = pl.lit(policy)
    else:
        chosen = (
            pl.when(_named(PAYER_POLICY))
            .then(pl.col(PAYER_POLICY))
            .when(pl.col(PLAN).is_in(sorted(over)).fill_null(False))
            .then(pl.col(PLAN).replace_strict(over, default=None, return_dtype=pl.String))
            .when(pl.col(PLAN_TYPE).is_in(_MEDICARE_PLANS).fill_null(False))
            .then(pl.lit("medicare"))
            .otherwise(pl.lit(DEFAULT_POLICY))
        )
    frame = frame.with_columns(chosen.alias(POLICY))
    return frame.with_columns(
        pl.when(_named(PLAN))
        .then(pl.concat_str(pl.col(POLICY), pl.lit("+"), pl.col(PLAN)))
        .otherwise(pl.col(POLICY))
        .alias(PROGRAM)
    )


def program_key(policy: str, plan: str | None = None) -> str:
    """How `with_policy` names the program of a pack, or of a pack under a plan document."""
    return policy if plan is None else f"{policy}+{plan}"


def decided(frame: pl.DataFrame, decider: Decider) -> pl.DataFrame:
    """Every line decided under its program (its pack, or its pack under its plan document),
    in input order."""
    return decider.decide(frame, PROGRAM)


def case_starts() -> pl.Expr:
    """The first line of each case. A case's lines are consecutive (`sources` numbers the
    cases by runs of one case_id), so no grouping is needed to find them."""
    return pl.col(CASE).ne_missing(pl.col(CASE).shift(1))


def with_case_outcome(frame: pl.DataFrame) -> pl.DataFrame:
    """A case's outcome: its lines' one outcome, or mixed (as a determination's is). Its
    lines are consecutive, so it is mixed when the outcome changes from one of its lines to
    the next: the changes are counted along the lines, and a case whose count at its last
    line is above the count at its first has one."""
    start = case_starts()
    end = pl.col(CASE).ne_missing(pl.col(CASE).shift(-1))
    outcome = pl.col("outcome")
    changes = (outcome.ne_missing(outcome.shift(1)) & ~start).cast(pl.UInt32).cum_sum()
    at_start = pl.when(start).then(changes).forward_fill()
    at_end = pl.when(end).then(changes).backward_fill()
    return frame.with_columns(
        pl.when(at_end == at_start)
        .then(outcome)
        .otherwise(pl.lit(Outcome.mixed.value))
        .alias(CASE_OUTCOME)
    )
