"""The intermediate form as polars expressions over the flat table, one row per procedure line.

Unknown is null: polars' `&`, `|` and `~` on nullable booleans are Kleene's, so a criteria tree
is the same expression it is in the pack. Named criteria become columns (dependencies first), then
each rule's status, then the walk: the first rule met decides; a rule still unknown before it
keeps its outcome possible; when the possible outcomes differ the line is
insufficient_information and the unknown facts inside the undecided rules become its questions.

`decide(program, frame, today)` adds the columns `outcome`, `decided_by`,
`prior_authorization` and `questions` (the case fields whose answers would settle the line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import reduce
from typing import Any

import polars as pl

from dermcover.determination import Outcome, PriorAuthorizationNeed
from dermcover.engine.compile.derived import Columns, Derived, DerivedValues, columns_for
from dermcover.engine.compile.flat import BY_NAME, Column
from dermcover.engine.compile.ir import (
    AllIR,
    AnyPrefix,
    Between,
    InSet,
    IsFlag,
    LeafIR,
    NodeIR,
    NotIR,
    Opaque,
    Overlaps,
    Program,
    RefIR,
    RuleIR,
    criteria_levels,
    leaf_paths,
)

LINE_COLUMN = "line"
OUTPUT = ("outcome", "decided_by", "prior_authorization", "questions")
_SCALAR = {"str": pl.String, "int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean}
_SCALAR["date"] = pl.Date


def dtype_of(column: Column) -> pl.DataType:
    """The polars type of a flat-table column."""
    if column.kind != "list":
        return _SCALAR[column.kind]()
    if column.item == "record":
        return pl.List(pl.Struct({name: _SCALAR[kind]() for name, kind in column.record}))
    return pl.List(_SCALAR[column.item or "str"]())


def schema() -> dict[str, pl.DataType]:
    """The flat table's schema: case_id and line first, then every case field."""
    out: dict[str, pl.DataType] = {"case_id": pl.String(), "line": pl.Int64()}
    out.update({name: dtype_of(column) for name, column in BY_NAME.items()})
    return out


def frame_of(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Flat rows (JSON-ready values, as `flat.rows_of` gives them) as a polars table."""
    layout = schema()
    dates = [name for name, dtype in layout.items() if dtype == pl.Date()]
    as_text = {name: pl.String() if name in dates else dtype for name, dtype in layout.items()}
    frame = pl.DataFrame(rows, schema=as_text)
    return frame.with_columns(pl.col(name).str.to_date() for name in dates)


_DERIVED_TYPE = {
    "str": pl.String(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "status": pl.Boolean(),
    "list": pl.List(pl.String()),
}


class Expressions:
    """A program's trees as polars expressions over the columns `Columns` names."""

    def __init__(self, program: Program, columns: Columns) -> None:
        self.program = program
        self.columns = columns

    def leaf(self, leaf: LeafIR) -> pl.Expr:
        test = leaf.test
        if isinstance(test, Opaque):
            return pl.col(self.columns.opaque[leaf.number])
        value = pl.col(self.columns.facts[leaf.fact.name])
        if isinstance(test, InSet):
            return value.is_in(sorted(test.values))
        if isinstance(test, IsFlag):
            return value == test.expected
        if isinstance(test, Between):
            bounds = [value >= test.low] if test.low is not None else []
            bounds += [value <= test.high] if test.high is not None else []
            return reduce(lambda a, b: a & b, bounds)
        if isinstance(test, Overlaps):
            # One vectorised pass per value: much faster than an expression run per list.
            return reduce(lambda a, b: a | b, [value.list.contains(v) for v in sorted(test.values)])
        if isinstance(test, AnyPrefix):
            # The codes joined with a separator no code holds, then one regular expression.
            prefixes = "|".join(re.escape(prefix) for prefix in test.prefixes)
            return value.list.join("\x1f").str.contains(f"(?:^|\x1f)(?:{prefixes})")
        raise TypeError(f"no polars expression for {test!r}")

    def leaf_stage(self) -> dict[str, pl.Expr]:
        """Every fact test as a column of its own, computed once for the whole program."""
        return {leaf_column(leaf): self.leaf(leaf) for leaf in self.program.leaves}

    def node(self, node: NodeIR) -> pl.Expr:
        if isinstance(node, LeafIR):
            return pl.col(leaf_column(node))
        if isinstance(node, RefIR):
            return pl.col(criterion_column(node.criterion_id))
        if isinstance(node, NotIR):
            return ~self.node(node.child)
        parts = [self.node(child) for child in node.children]
        if isinstance(node, AllIR):
            return reduce(lambda a, b: a & b, parts)
        return reduce(lambda a, b: a | b, parts)

    def rule(self, rule: RuleIR) -> pl.Expr:
        status = self.node(rule.root) if rule.root is not None else pl.lit(True)
        if rule.procedures is None:
            return status
        applies = pl.col(self.columns.kind_column).is_in(sorted(rule.procedures))
        return pl.when(applies.fill_null(False)).then(status).otherwise(pl.lit(False))

    def criteria_stages(self) -> Iterator[dict[str, pl.Expr]]:
        """The named criteria as columns, in stages where each refers only to earlier ones."""
        for level in criteria_levels(self.program):
            yield {criterion_column(cid): self.node(self.program.criteria[cid]) for cid in level}

    def questions(self, lines: pl.DataFrame) -> pl.DataFrame:
        """For lines with open questions: `_at` and the fields asked, in the order the
        reference walk asks them, each once.

        Which of the program's (rule, fact test) places are asked is one flag each; the flags
        of a line, as a string of 0s and 1s, take few distinct values, so the lists of fields
        are made once per distinct pattern and joined back."""
        places: list[tuple[LeafIR, pl.Expr]] = []
        for rule in self.program.rules:
            if rule.root is None:
                continue
            undecided = pl.col(rule_column(rule)).is_null() & (pl.col("_deciding") > rule.index)
            for leaf, path in leaf_paths(self.program, rule.root):
                unknown = [self.node(node).is_null() for node in path]
                asked = reduce(lambda a, b: a & b, unknown, undecided).fill_null(False)
                places.append((leaf, asked))
        empty = pl.DataFrame(
            {"_at": [], "questions": []},
            schema={"_at": pl.UInt32(), "questions": pl.List(pl.String())},
        )
        if not places or not lines.height:
            return empty
        flags = [pl.when(asked).then(pl.lit("1")).otherwise(pl.lit("0")) for _, asked in places]
        keyed = lines.select("_at", LINE_COLUMN, pl.concat_str(flags).alias("_asked"))
        patterns = keyed.select(LINE_COLUMN, "_asked").unique()
        fields = [
            list(
                dict.fromkeys(
                    leaf.fact.fields_for(line)[0]
                    for (leaf, _), flag in zip(places, pattern, strict=True)
                    if flag == "1"
                )
            )
            for line, pattern in patterns.iter_rows()
        ]
        table = patterns.with_columns(pl.Series("questions", fields, dtype=pl.List(pl.String())))
        return keyed.join(table, on=[LINE_COLUMN, "_asked"], how="left").select("_at", "questions")


def leaf_column(leaf: LeafIR) -> str:
    return f"test:{leaf.number}"


def criterion_column(criterion_id: str) -> str:
    return f"criterion:{criterion_id}"


def rule_column(rule: RuleIR) -> str:
    return f"rule:{rule.index}"


def with_derived(
    frame: pl.DataFrame, derived: list[Derived], values: DerivedValues
) -> pl.DataFrame:
    """Add each derived column, computed once per distinct value of its inputs."""
    for column in derived:
        inputs = list(column.inputs)
        distinct = frame.select(inputs).unique()
        computed = values.values(column, distinct.iter_rows(named=True))
        table = distinct.with_columns(
            pl.Series(column.name, computed, dtype=_DERIVED_TYPE[column.kind])
        )
        frame = frame.join(table, on=inputs, how="left", nulls_equal=True, maintain_order="left")
    return frame


def decide(program: Program, frame: pl.DataFrame, values: DerivedValues) -> pl.DataFrame:
    """Decide every line of a flat table; the four result columns are added to it."""
    columns = columns_for(program)
    expressions = Expressions(program, columns)
    # Eager, stage by stage: each stage's columns are computed once and read by the next.
    missing = [column for column in columns.derived if column.name not in frame.columns]
    lazy = with_derived(frame, missing, values).with_columns(**expressions.leaf_stage())
    for stage in expressions.criteria_stages():
        lazy = lazy.with_columns(**stage)
    rules = program.rules
    lazy = lazy.with_columns(**{rule_column(rule): expressions.rule(rule) for rule in rules})
    # The first rule met decides (a null condition does not pick its branch).
    deciding: pl.Expr = pl.lit(rules[-1].index)
    for rule in reversed(rules[:-1]):
        deciding = pl.when(pl.col(rule_column(rule))).then(rule.index).otherwise(deciding)
    lazy = lazy.with_columns(deciding.alias("_deciding"))
    outcome_of = {rule.index: rule.outcome.value for rule in rules}
    lazy = lazy.with_columns(
        pl.col("_deciding").replace_strict(outcome_of, return_dtype=pl.String).alias("_outcome")
    )
    ambiguity = [
        pl.col(rule_column(rule)).is_null()
        & (pl.col("_deciding") > rule.index)
        & (pl.col("_outcome") != rule.outcome.value)
        for rule in rules[:-1]
    ]
    ambiguous = pl.any_horizontal(ambiguity) if ambiguity else pl.lit(False)
    lazy = lazy.with_columns(ambiguous.alias("_ambiguous"))
    is_ambiguous, decided = pl.col("_ambiguous"), pl.col("_deciding")
    lazy = lazy.with_columns(
        pl.when(is_ambiguous)
        .then(pl.lit(Outcome.insufficient_information.value))
        .otherwise(pl.col("_outcome"))
        .alias("outcome"),
        pl.when(is_ambiguous)
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(decided.replace_strict({r.index: r.id for r in rules}, return_dtype=pl.String))
        .alias("decided_by"),
        pl.when(is_ambiguous)
        .then(pl.lit(PriorAuthorizationNeed.unknown.value))
        .otherwise(
            decided.replace_strict(
                {r.index: r.prior_authorization.value for r in rules}, return_dtype=pl.String
            )
        )
        .alias("prior_authorization"),
    )
    decided_lines = lazy.with_row_index("_at")
    # Questions only for the lines that have some: the expression is large, and most lines are
    # decided.
    asked = expressions.questions(decided_lines.filter(is_ambiguous))
    no_questions = pl.lit([], dtype=pl.List(pl.String()))
    keep = [name for name in frame.columns if name not in OUTPUT and ":" not in name]
    return (
        decided_lines.join(asked, on="_at", how="left", maintain_order="left")
        .with_columns(pl.col("questions").fill_null(no_questions))
        .select(*keep, *OUTPUT)
    )
