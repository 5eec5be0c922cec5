"""The intermediate form as polars expressions over the flat table, one row per procedure line.

Unknown is null: polars' `&`, `|` and `~` on nullable booleans are Kleene's, so a criteria tree
is the same expression it is in the pack. Named criteria become columns (dependencies first), then
each rule's status, then the walk: the first rule met decides; a rule still unknown before it
keeps its outcome possible; when the possible outcomes differ the line is
insufficient_information and the unknown facts inside the undecided rules become its questions.

`decide(program, frame, today)` adds the columns `outcome`, `decided_by`,
`prior_authorization` (enums: `results_table`) and `questions` (the case fields whose answers
would settle the line).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import reduce
from itertools import islice
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
from dermcover.engine.compile.polars_facts import fact_expression

LINE_COLUMN = "line"
OUTPUT = ("outcome", "decided_by", "prior_authorization", "questions")
# The result columns' types: codes, not text (`results_table`). The fields asked are codes
# too: the same few are asked of line after line, so each line's list is gathered from its
# pattern's as codes, and written as them.
OUTCOME = pl.Enum([outcome.value for outcome in Outcome])
PRIOR_AUTHORIZATION = pl.Enum([need.value for need in PriorAuthorizationNeed])
QUESTIONS = pl.List(pl.Categorical())
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
    """Flat rows (JSON-ready values of their columns' types, as `flat.rows_of` gives them of
    a case dumped by the case model or of a plain one) as a polars table."""
    layout = schema()
    dates = [name for name, dtype in layout.items() if dtype == pl.Date()]
    lists = [name for name, dtype in layout.items() if dtype.is_nested()]
    scalars = {
        name: pl.String() if name in dates else dtype
        for name, dtype in layout.items()
        if name not in lists
    }
    frame = pl.DataFrame(rows, schema=scalars).with_columns(
        *(_list_column(name, layout[name], rows) for name in lists),
        *(pl.col(name).str.to_date() for name in dates),
    )
    return frame.select(list(layout))


def _list_column(name: str, dtype: pl.DataType, rows: list[dict[str, Any]]) -> pl.Series:
    """A list column with each distinct list made once and gathered onto its rows. The same
    lists come back row after row (diagnoses, treatments tried, documents on file), and
    polars makes a list from Python objects several times slower than a number (on the
    bench's cases the five list columns cost three times all the others)."""
    numbers: dict[Any, int] = {}
    distinct: list[Any] = []
    at: list[int | None] = []
    for row in rows:
        value = row.get(name)
        if value is None:
            at.append(None)
            continue
        try:
            key = tuple(tuple(v.items()) if isinstance(v, dict) else v for v in value)
            number = numbers.setdefault(key, len(distinct))
        except TypeError:  # an item that cannot be a key: made for its row alone
            number = len(distinct)
        if number == len(distinct):
            distinct.append(value)
        at.append(number)
    made = pl.Series(name, distinct, dtype=dtype, strict=False)
    return made.gather(pl.Series(at, dtype=pl.UInt32))


_FEW = 8  # values a membership test compares one by one; more go through `is_in`
_LIST_PASSES = 3  # values from which a list's overlap is one set lookup, not a pass per value

# A derived text fact takes a few values (an enum's) and is compared with many: categorical,
# its comparisons are of integer codes, several times faster than of text.
_DERIVED_TYPE = {
    "str": pl.Categorical(),
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
        self._asked: dict[tuple[int, ...], tuple[str, ...]] = {}
        self._fields: dict[tuple[str, int], str] = {}
        self._asked_places: list[tuple[LeafIR, pl.Expr]] | None = None
        self._word_exprs: list[pl.Expr] | None = None
        self._status_stages: list[dict[str, pl.Expr]] | None = None

    def leaf(self, leaf: LeafIR) -> pl.Expr:
        test = leaf.test
        if isinstance(test, Opaque):
            return pl.col(self.columns.opaque[leaf.number])
        value = pl.col(self.columns.facts[leaf.fact.name])
        if isinstance(test, InSet):
            return _one_of(value, test.values)
        if isinstance(test, IsFlag):
            return value == test.expected
        if isinstance(test, Between):
            bounds = [value >= test.low] if test.low is not None else []
            bounds += [value <= test.high] if test.high is not None else []
            return reduce(lambda a, b: a & b, bounds)
        if isinstance(test, Overlaps):
            items = sorted(test.values)
            if len(items) < _LIST_PASSES:
                # A vectorised pass per value: much faster than an expression run per list.
                return reduce(lambda a, b: a | b, [value.list.contains(v) for v in items])
            # Every item looked up in the set at once: one pass over the items. A pass per
            # value costs more from three values on (at six, two and a half times as much).
            return value.list.eval(pl.element().is_in(items)).list.any()
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
        applies = _one_of(pl.col(self.columns.kind_column), rule.procedures)
        return pl.when(applies.fill_null(False)).then(status).otherwise(pl.lit(False))

    def criteria_stages(self) -> Iterator[dict[str, pl.Expr]]:
        """The named criteria as columns, in stages where each refers only to earlier ones."""
        for level in criteria_levels(self.program):
            yield {criterion_column(cid): self.node(self.program.criteria[cid]) for cid in level}

    def statuses(self, lines: pl.LazyFrame) -> pl.LazyFrame:
        """The fact tests, named criteria (dependencies first) and rules as columns, then
        `_deciding`: the first rule met (a null condition does not pick its branch), and
        `_ambiguous`: whether the line's possible outcomes differ."""
        for stage in self._stages():
            lines = lines.with_columns(**stage)
        return lines

    def _stages(self) -> list[dict[str, pl.Expr]]:
        """`statuses`' columns, stage by stage, made once: every chunk's plan uses them."""
        if self._status_stages is not None:
            return self._status_stages
        stages = [self.leaf_stage(), *self.criteria_stages()]
        rules = self.program.rules
        stages.append({rule_column(rule): self.rule(rule) for rule in rules})
        deciding: pl.Expr = pl.lit(rules[-1].index)
        for rule in reversed(rules[:-1]):
            deciding = pl.when(pl.col(rule_column(rule))).then(rule.index).otherwise(deciding)
        stages.append({"_deciding": deciding})
        decided = pl.col("_deciding")
        ambiguity = []
        for rule in rules[:-1]:
            # Still possible, and a later rule with another outcome decided.
            others = [o.index for o in rules[rule.index + 1 :] if o.outcome != rule.outcome]
            if others:
                ambiguity.append(pl.col(rule_column(rule)).is_null() & decided.is_in(others))
        ambiguous = pl.any_horizontal(ambiguity).fill_null(False) if ambiguity else pl.lit(False)
        stages.append({"_ambiguous": ambiguous})
        self._status_stages = stages
        return stages

    def outcomes(self, lines: pl.LazyFrame, first: int) -> tuple[pl.LazyFrame, pl.LazyFrame]:
        """Two plans over the same statuses: `_at` and `_result` of every line, the row of
        the results table (`results_table`) that gives its outcome, deciding rule and prior
        authorization: 0 for the lines whose possible outcomes differ, else `first` plus the
        deciding rule's index; and, for the lines of row 0 alone, `_at`, the line and the
        words of the places they are asked about (`Decider._questions` makes the fields of them).
        The words are most of a plan's expressions, and under half the lines are ambiguous;
        the results stay integers until the chunk's lines are back in order."""
        lines = self.statuses(lines)
        is_ambiguous = pl.col("_ambiguous")
        asked = lines.filter(is_ambiguous).select("_at", LINE_COLUMN, *self._words())
        decided = pl.col("_deciding")
        result = pl.when(is_ambiguous).then(0).otherwise(decided + first).cast(pl.UInt32)
        return lines.select("_at", result.alias("_result")), asked

    def _places(self) -> list[tuple[LeafIR, pl.Expr]]:
        """Every (rule, fact test) place the reference walk may ask about, with when it does."""
        if self._asked_places is None:
            places: list[tuple[LeafIR, pl.Expr]] = []
            for rule in self.program.rules:
                if rule.root is None:
                    continue
                undecided = pl.col(rule_column(rule)).is_null() & (pl.col("_deciding") > rule.index)
                for leaf, path in leaf_paths(self.program, rule.root):
                    unknown = [self.node(node).is_null() for node in path]
                    asked = reduce(lambda a, b: a & b, unknown, undecided).fill_null(False)
                    places.append((leaf, asked))
            self._asked_places = places
        return self._asked_places

    def _words(self) -> list[pl.Expr]:
        """Which places a line is asked about, one bit each, packed 64 to a word."""
        if self._word_exprs is not None:
            return self._word_exprs
        places = self._places()
        zero, words = pl.lit(0, dtype=pl.UInt64), []
        for start in range(0, len(places), 64):
            bits = [
                pl.when(asked).then(pl.lit(1 << bit, dtype=pl.UInt64)).otherwise(zero)
                for bit, (_, asked) in enumerate(places[start : start + 64])
            ]
            words.append(pl.sum_horizontal(bits).alias(f"_w{start // 64}"))
        self._word_exprs = words
        return words

    def word_count(self) -> int:
        """How many words `outcomes`' second plan gives a line: 0 when nothing is asked."""
        return len(self._words())

    def asked(self, line: int, pattern: Sequence[int]) -> tuple[str, ...]:
        """The fields asked of a line with these words, in the order the reference walk asks
        them, each once (remembered: the words of a line take few distinct values)."""
        key = (line, *pattern)
        known = self._asked.get(key)
        if known is None:
            places = self._places()
            fields = []
            for number, word in enumerate(pattern):
                while word:  # the set bits, lowest first: the places in their order
                    low = word & -word
                    leaf = places[number * 64 + low.bit_length() - 1][0]
                    fields.append(self._field(leaf, line))
                    word ^= low
            known = tuple(dict.fromkeys(fields))
            self._asked[key] = known
        return known

    def _field(self, leaf: LeafIR, line: int) -> str:
        """The field a fact test asks about on a line (remembered)."""
        key = (leaf.fact.name, line)
        field = self._fields.get(key)
        if field is None:
            field = self._fields[key] = leaf.fact.fields_for(line)[0]
        return field


def _one_of(value: pl.Expr, values: Iterable[str]) -> pl.Expr:
    """`value` is one of `values`: null on a null. A few equalities cost a quarter of `is_in`
    on text, and nearly every set in the packs is small."""
    items = sorted(str(item) for item in values)
    if len(items) > _FEW:
        return value.is_in(items)
    return reduce(lambda a, b: a | b, [value == item for item in items])


def _derived_series(
    column: Derived, values: DerivedValues, rows: list[dict[str, Any]]
) -> pl.Series:
    computed = values.values(column, rows)
    if column.kind == "list":
        return _strings_series(column.name, computed)
    return pl.Series(column.name, computed, dtype=_DERIVED_TYPE[column.kind])


def _strings_series(name: str, lists: Sequence[Any]) -> pl.Series:
    """A List(String) column from Python lists: a chunk's distinct values of a derived fact,
    or the fields asked never asked before (on the bench's cases a few hundred a chunk of
    200,000 lines, about 4 µs each). Not through `pyarrow.array`, faster per list but
    importing pandas on its first call wherever pandas is installed (the Spark extra brings
    it): 0.3 s at the start of every run, a tenth of a million-case run."""
    return pl.Series(name, lists, dtype=pl.List(pl.String()))


def leaf_column(leaf: LeafIR) -> str:
    return f"test:{leaf.number}"


def criterion_column(criterion_id: str) -> str:
    return f"criterion:{criterion_id}"


def rule_column(rule: RuleIR) -> str:
    return f"rule:{rule.index}"


def with_derived(
    frame: pl.DataFrame, derived: list[Derived], values: DerivedValues
) -> tuple[pl.DataFrame, dict[str, pl.Expr]]:
    """Each derived column computed once per distinct value of its inputs: the frame with,
    for each set of inputs, the number of each line's value (a column `_slot:<n>`), and for
    each derived column the expression that gives it on any of the frame's lines (its
    values gathered by that number). The columns read from the same inputs share one
    grouping of the lines by those inputs (on every line, whichever programs read them: one
    grouping costs less than one per set of programs); each program's plan gathers the
    columns it reads onto its own lines alone (on the shipped packs, a third as many values
    as every column gathered onto every line)."""
    by_inputs: dict[tuple[str, ...], list[Derived]] = {}
    for column in derived:
        by_inputs.setdefault(column.inputs, []).append(column)
    groups = list(by_inputs.values())
    # Every group's distinct inputs with their lines, at once: the groupings run side by side.
    lines = frame.lazy().with_row_index("_at")
    tables = pl.collect_all(
        [lines.group_by(group[0].inputs).agg("_at") for group in groups], engine="in-memory"
    )
    slots, gathered = [], {}
    for number, (group, distinct) in enumerate(zip(groups, tables, strict=True)):
        rows = distinct.select(group[0].inputs).rows(named=True)
        slot = f"_slot:{number}"
        slots.append(_group_of_each_line(distinct, frame.height).alias(slot))
        for column in group:
            computed = pl.lit(_derived_series(column, values, rows))
            gathered[column.name] = computed.gather(pl.col(slot)).alias(column.name)
    return frame.hstack(slots), gathered


def _group_of_each_line(groups: pl.DataFrame, lines: int) -> pl.Series:
    """The row of `groups` (whose `_at` column lists the lines of each) that each of `lines`
    lines is in; null for a line in none. Lists made per group are then put at their lines'
    places with one `gather`, where a join back on the group's key costs about twice as much."""
    places = groups.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_group"), "_at").explode(
        "_at"
    )
    slot = pl.repeat(None, lines, dtype=pl.UInt32, eager=True)
    return slot.scatter(places["_at"], places["_group"])


class Decider:
    """Decides flat tables under several programs at once, chunk after chunk.

    The derived facts every program present needs and no expression gives (polars_facts.py)
    are derived once per distinct value of their inputs, for all lines; then each program's
    lines are decided by one lazy plan of their own, which gathers the derived facts it reads
    and computes its expressed ones on those lines alone (the plans run side by side), and
    only the lines with open questions go on to have them made."""

    def __init__(self, programs: Mapping[str, Program], values: DerivedValues) -> None:
        self.programs = dict(programs)
        self.values = values
        self._columns = {key: columns_for(program) for key, program in self.programs.items()}
        self._expressions = {
            key: Expressions(program, self._columns[key]) for key, program in self.programs.items()
        }
        self._expressed = {
            key: {
                column.name: expression
                for column in columns.derived
                if (expression := fact_expression(column.name, values.today)) is not None
            }
            for key, columns in self._columns.items()
        }
        self._first: dict[str, int] = {}
        rows: list[RuleIR | None] = [None]  # row 0: the lines whose outcome is open
        for key, program in self.programs.items():
            self._first[key] = len(rows)
            rows.extend(program.rules)
        self._results = results_table(rows)
        self._lists = _Lists()

    def columns_read(self) -> set[str]:
        """The flat layout's columns the programs read: their plans' and their derived facts'
        inputs."""
        names = {LINE_COLUMN}
        for key, expressions in self._expressions.items():
            plan = [expression for stage in expressions._stages() for expression in stage.values()]
            plan += [*expressions._words(), *self._expressed[key].values()]
            names.update(name for expression in plan for name in expression.meta.root_names())
            names.update(name for column in self._columns[key].derived for name in column.inputs)
        return {name for name in names if name in BY_NAME or name == LINE_COLUMN}

    def present(self, frame: pl.DataFrame, key: str | None) -> list[str]:
        """The programs the frame's `key` column names (every program, without one)."""
        if key is None:
            return list(self.programs)
        wanted = set(frame[key].drop_nulls().unique().to_list())
        return [name for name in self.programs if name in wanted]

    def with_derived(
        self, frame: pl.DataFrame, present: Sequence[str]
    ) -> tuple[pl.DataFrame, dict[str, pl.Expr]]:
        """`with_derived` for the derived facts the `present` programs read and no expression
        gives."""
        derived = {
            column.name: column
            for name in present
            for column in self._columns[name].derived
            if column.name not in self._expressed[name]
        }
        return with_derived(frame, list(derived.values()), self.values)

    def program_lines(
        self, work: pl.DataFrame, key: str | None, name: str, gathered: Mapping[str, pl.Expr]
    ) -> pl.LazyFrame:
        """Program `name`'s lines of `work`, with the derived facts it reads gathered and
        those with expressions of their own computed, on its lines alone."""
        lines = work.lazy()
        if key is not None:
            lines = lines.filter(pl.col(key) == name)
        mine = [gathered[c.name] for c in self._columns[name].derived if c.name in gathered]
        return lines.with_columns(*self._expressed[name].values(), *mine)

    def decide(self, frame: pl.DataFrame, key: str | None = None) -> pl.DataFrame:
        """Every line decided under the program its `key` column names (the only program,
        without one); the four result columns are added, in the frame's own order. A line
        whose key names no program gets nulls."""
        frame = frame.drop([name for name in frame.columns if name in OUTPUT or ":" in name])
        present = self.present(frame, key)
        work, gathered = self.with_derived(frame, present)
        work = work.with_row_index("_at")
        plans: list[pl.LazyFrame] = []
        for name in present:
            lines = self.program_lines(work, key, name, gathered)
            plans.extend(self._expressions[name].outcomes(lines, self._first[name]))
        # The in-memory engine: these plans are wide rather than long, and the streaming
        # engine's morsels cost about a third more CPU on them.
        results = pl.collect_all(plans, engine="in-memory")
        parts = [results[2 * number] for number in range(len(present))]
        asked = {name: results[2 * number + 1] for number, name in enumerate(present)}
        ids = pl.DataFrame(schema={"_at": pl.UInt32(), "_result": pl.UInt32()})
        decided = pl.concat([ids, *parts], how="vertical")
        complete = decided.height == frame.height
        # Each line's row of the results table put at its place (null for a line no program
        # decides): the lines back in order without sorting them.
        slot = pl.repeat(None, frame.height, dtype=pl.UInt32, eager=True)
        slot.scatter(decided["_at"], decided["_result"])
        columns = [self._results[name].gather(slot) for name in OUTPUT[:-1]]
        # Each line's fields asked: one of the ambiguous lines' lists for those, the empty
        # list (number 0) for the other decided lines, none (null: unknown) for a line no
        # program decides. Each distinct list is made once and gathered onto its lines.
        lists, places = self._questions(asked)
        which = pl.repeat(0, frame.height, dtype=pl.UInt32, eager=True)
        if not complete:
            which = which.zip_with(slot.is_not_null(), slot)  # null where `slot` is
        which.scatter(places["_at"], places["_list"])
        return frame.hstack([*columns, lists.gather(which).alias("questions")])

    def _questions(self, asked: Mapping[str, pl.DataFrame]) -> tuple[pl.Series, pl.DataFrame]:
        """The distinct lists of fields the ambiguous lines are asked (the empty list first),
        and the number of each such line's list (`_list`) by its row (`_at`), from each
        program's ambiguous lines with their words (`outcomes`' second plans).

        The programs' lines are grouped together by program, line and words, so that the
        fields of each pattern are named once (one grouping for all the programs instead of
        a table and a join for each), and each distinct list is made once in a run
        (`_Lists`)."""
        names = [name for name, frame in asked.items() if frame.height]
        names = [name for name in names if self._expressions[name].word_count()]
        width = max((self._expressions[name].word_count() for name in names), default=0)
        words = [f"_w{n}" for n in range(width)]
        asked_of: list[tuple[str, ...]] = []
        places = pl.DataFrame(schema={"_at": pl.UInt32(), "_list": pl.UInt32()})
        if names:
            zero = pl.lit(0, dtype=pl.UInt64)
            together = pl.concat(
                [
                    asked[name].select(
                        "_at",
                        pl.lit(number, dtype=pl.UInt32).alias("_program"),
                        LINE_COLUMN,
                        *(
                            pl.col(word) if word in asked[name].columns else zero.alias(word)
                            for word in words
                        ),
                    )
                    for number, name in enumerate(names)
                ],
                how="vertical",
            )
            groups = together.group_by("_program", LINE_COLUMN, *words).agg("_at")
            patterns = groups.select("_program", LINE_COLUMN, *words).iter_rows()
            for number, line, *pattern in patterns:
                expressions = self._expressions[names[number]]
                asked_of.append(expressions.asked(line, pattern[: expressions.word_count()]))
        numbers, lists = self._lists.numbered(asked_of)
        if names:
            numbered = pl.Series("_list", numbers, dtype=pl.UInt32)
            places = groups.select("_at", numbered).explode("_at")
        return lists, places


class _Lists:
    """The distinct lists of fields asked, each numbered once in a run (the empty list is
    number 0), and a column of them by number, made longer only when a chunk asks a list
    never asked before: most chunks ask only lists asked before. Both deciding threads use
    it; the lock keeps the numbers and the column one sequence."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._numbers: dict[tuple[str, ...], int] = {(): 0}
        self._column = _strings_series("questions", [[]]).cast(QUESTIONS)

    def numbered(self, asked: Iterable[tuple[str, ...]]) -> tuple[list[int], pl.Series]:
        """The number of each list in `asked`, and every list numbered so far, by number."""
        with self._lock:
            numbers = [self._numbers.setdefault(fields, len(self._numbers)) for fields in asked]
            made = self._column.len()
            if made < len(self._numbers):
                new = [list(fields) for fields in islice(self._numbers, made, None)]
                more = _strings_series("questions", new).cast(QUESTIONS)
                self._column = pl.concat([self._column, more], rechunk=True)
            return numbers, self._column


def results_table(rules: Sequence[RuleIR | None]) -> pl.DataFrame:
    """The outcome, deciding rule and prior authorization a line decided by each rule gets;
    None stands for the lines whose possible outcomes differ.

    The columns are enums: each takes a few values, and carried as codes they cost less to
    gather onto the lines, compare, count and write than text (a Parquet file of them holds
    the same dictionary-encoded text either way)."""
    return pl.DataFrame(
        {
            "outcome": [
                Outcome.insufficient_information.value if r is None else r.outcome.value
                for r in rules
            ],
            "decided_by": [None if r is None else r.id for r in rules],
            "prior_authorization": [
                PriorAuthorizationNeed.unknown.value if r is None else r.prior_authorization.value
                for r in rules
            ],
        },
        schema={
            "outcome": OUTCOME,
            "decided_by": pl.Enum(sorted({r.id for r in rules if r is not None})),
            "prior_authorization": PRIOR_AUTHORIZATION,
        },
    )


def decide(program: Program, frame: pl.DataFrame, values: DerivedValues) -> pl.DataFrame:
    """Decide every line of a flat table under one program; the four result columns are
    added to it."""
    return Decider({program.pack.id: program}, values).decide(frame)
