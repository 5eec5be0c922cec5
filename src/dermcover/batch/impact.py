"""Policy impact analysis: the lines whose result changes from one version of a pack to
another, and how many went from what to what, by which rule."""

from __future__ import annotations

import polars as pl

from dermcover.batch.sources import ROW
from dermcover.engine.compile.flat import CASE_ID, LINE

_COMPARED = ("outcome", "decided_by", "prior_authorization")
CHANGE_COLUMNS: dict[str, pl.DataType] = {
    ROW: pl.Int64(),
    CASE_ID: pl.String(),
    LINE: pl.Int64(),
    "procedure.kind": pl.String(),
    "procedure.code": pl.String(),
    "outcome_before": pl.String(),
    "outcome_after": pl.String(),
    "decided_by_before": pl.String(),
    "decided_by_after": pl.String(),
    "prior_authorization_before": pl.String(),
    "prior_authorization_after": pl.String(),
}


def changed_lines(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """The lines (same rows, same order) whose outcome, deciding rule or prior-authorization
    need differs between the two results."""
    # As text: each version's rules are an enum of their own.
    compared = [pl.col(name).cast(pl.String) for name in _COMPARED]
    joined = before.select(ROW, CASE_ID, LINE, "procedure.kind", "procedure.code", *compared)
    joined = joined.rename({name: f"{name}_before" for name in _COMPARED}).with_columns(
        after.select(compared).rename({name: f"{name}_after" for name in _COMPARED})
    )
    differs = pl.any_horizontal(
        pl.col(f"{name}_before").ne_missing(pl.col(f"{name}_after")) for name in _COMPARED
    )
    return joined.filter(differs).select(list(CHANGE_COLUMNS)).cast(CHANGE_COLUMNS)  # type: ignore[arg-type]


def change_table(changed: pl.DataFrame) -> pl.DataFrame:
    """How many lines changed from each outcome to each other, and by which rules."""
    return (
        changed.group_by("outcome_before", "outcome_after", "decided_by_before", "decided_by_after")
        .agg(pl.len().alias("lines"))
        .sort("lines", "outcome_before", "outcome_after", descending=[True, False, False])
    )
