"""The intermediate form as Spark SQL column expressions, for clusters.

The same walk as engine/compile/polars.py: SQL's AND, OR and NOT are Kleene's on nullable
booleans, so a tree is one expression; named criteria and rules become columns; the first rule
met decides; unknown rules before it keep their outcomes possible. Derived facts and opaque
tests are computed on the driver once per distinct value of their inputs (few, even over
millions of lines) and joined back with a broadcast join.
"""

from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING, Any

from pyspark.sql import Column as SparkColumn
from pyspark.sql import functions as F
from pyspark.sql import types as T

from dermcover.determination import Outcome, PriorAuthorizationNeed
from dermcover.engine.compile.derived import Columns, Derived, DerivedValues, columns_for
from dermcover.engine.compile.flat import BY_NAME, Column
from dermcover.engine.compile.ir import (
    AllIR,
    AnyIR,
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

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

OUTPUT = ("outcome", "decided_by", "prior_authorization", "questions")
_SCALAR: dict[str, T.DataType] = {
    "str": T.StringType(),
    "int": T.LongType(),
    "float": T.DoubleType(),
    "bool": T.BooleanType(),
    "date": T.DateType(),
}
_DERIVED: dict[str, T.DataType] = {
    "str": T.StringType(),
    "float": T.DoubleType(),
    "bool": T.BooleanType(),
    "status": T.BooleanType(),
    "list": T.ArrayType(T.StringType()),
}


def col(name: str) -> SparkColumn:
    """A column by its flat-table name (the names hold dots, which Spark would read as
    struct fields unless quoted)."""
    return F.col(f"`{name}`")


def data_type(column: Column) -> T.DataType:
    if column.kind != "list":
        return _SCALAR[column.kind]
    if column.item == "record":
        return T.ArrayType(
            T.StructType([T.StructField(name, _SCALAR[kind]) for name, kind in column.record])
        )
    return T.ArrayType(_SCALAR[column.item or "str"])


def schema() -> T.StructType:
    """The flat table's schema, in Spark's types."""
    fields = [T.StructField(name, data_type(column)) for name, column in BY_NAME.items()]
    fields.insert(1, T.StructField("line", T.LongType()))
    return T.StructType(fields)


def _and(parts: list[SparkColumn]) -> SparkColumn:
    return reduce(lambda a, b: a & b, parts)


def _or(parts: list[SparkColumn]) -> SparkColumn:
    return reduce(lambda a, b: a | b, parts)


class Expressions:
    """A program's trees as Spark columns. Each fact test is a column of its own (`leaf_stage`),
    and so is each `all` or `any` on the way to a test the questions ask about (`path_stage`):
    a question's condition then names those columns instead of repeating every tree above its
    test, so each test and node is computed once a line (bench/README.md has what it saves)."""

    def __init__(self, program: Program, columns: Columns) -> None:
        self.program = program
        self.columns = columns
        self._paths: dict[int, tuple[str, NodeIR]] | None = None

    def leaf(self, leaf: LeafIR) -> SparkColumn:
        test = leaf.test
        if isinstance(test, Opaque):
            return col(self.columns.opaque[leaf.number])
        value = col(self.columns.facts[leaf.fact.name])
        if isinstance(test, InSet):
            return value.isin(sorted(test.values))
        if isinstance(test, IsFlag):
            return value == F.lit(test.expected)
        if isinstance(test, Between):
            bounds = [value >= F.lit(test.low)] if test.low is not None else []
            bounds += [value <= F.lit(test.high)] if test.high is not None else []
            return _and(bounds)
        if isinstance(test, Overlaps):
            wanted = sorted(test.values)
            return F.exists(value, lambda item: item.isin(wanted))
        if isinstance(test, AnyPrefix):
            prefixes = test.prefixes
            return F.exists(value, lambda item: _or([item.startswith(p) for p in prefixes]))
        raise TypeError(f"no Spark expression for {test!r}")

    def leaf_stage(self) -> dict[str, SparkColumn]:
        """Every fact test as a column, which `node` then refers to."""
        return {_leaf_column(leaf): self.leaf(leaf) for leaf in self.program.leaves}

    def node(self, node: NodeIR) -> SparkColumn:
        if isinstance(node, LeafIR):
            return col(_leaf_column(node))
        if isinstance(node, RefIR):
            return col(f"criterion:{node.criterion_id}")
        if isinstance(node, NotIR):
            return ~self.node(node.child)
        parts = [self.node(child) for child in node.children]
        return _and(parts) if isinstance(node, AllIR) else _or(parts)

    def rule(self, rule: RuleIR) -> SparkColumn:
        status = self.node(rule.root) if rule.root is not None else F.lit(True)
        if rule.procedures is None:
            return status
        applies = F.coalesce(
            col(self.columns.kind_column).isin(sorted(rule.procedures)), F.lit(False)
        )
        return F.when(applies, status).otherwise(F.lit(False))

    def path_stage(self) -> dict[str, SparkColumn]:
        """Each `all` and `any` on the way to an asked-about test as a column (made after the
        named criteria, which they may refer to)."""
        return {name: self.node(node) for name, node in self._path_nodes().values()}

    def _path_nodes(self) -> dict[int, tuple[str, NodeIR]]:
        if self._paths is None:
            self._paths = {}
            for rule in self.program.rules:
                if rule.root is None:
                    continue
                for _, path in leaf_paths(self.program, rule.root):
                    for node in path:
                        while isinstance(node, NotIR):  # `_unknown` looks through a `not`
                            node = node.child
                        if isinstance(node, (AllIR, AnyIR)) and id(node) not in self._paths:
                            self._paths[id(node)] = (f"path:{len(self._paths)}", node)
        return self._paths

    def _unknown(self, node: NodeIR) -> SparkColumn:
        """Whether a node on a question's way is unknown, from the columns made for it."""
        if isinstance(node, NotIR):
            return self._unknown(node.child)  # a `not` is unknown when its child is
        if isinstance(node, (AllIR, AnyIR)):
            return col(self._path_nodes()[id(node)][0]).isNull()
        return self.node(node).isNull()

    def questions(self, ambiguous: SparkColumn, deciding: SparkColumn) -> SparkColumn:
        asked: list[SparkColumn] = []
        for rule in self.program.rules:
            if rule.root is None:
                continue
            undecided = ambiguous & col(f"rule:{rule.index}").isNull() & (deciding > rule.index)
            for leaf, path in leaf_paths(self.program, rule.root):
                unknown = _and([undecided, *(self._unknown(n) for n in path)])
                asked.append(F.when(unknown, _field(leaf)))
        if not asked:
            return F.array().cast(T.ArrayType(T.StringType()))
        return F.array_distinct(F.array_compact(F.array(*asked)))


def _leaf_column(leaf: LeafIR) -> str:
    return f"test:{leaf.number}"


def _field(leaf: LeafIR) -> SparkColumn:
    template = leaf.fact.fields[0]
    if "{i}" not in template:
        return F.lit(template)
    return F.format_string(template.replace("{i}", "%d"), col("line"))


def _lookup(mapping: dict[int, Any], key: SparkColumn) -> SparkColumn:
    pairs = [item for index, value in mapping.items() for item in (F.lit(index), F.lit(value))]
    return F.element_at(F.create_map(*pairs), key)


def distinct_values(frame: DataFrame, groups: list[list[str]]) -> list[list[dict[str, Any]]]:
    """Each group's distinct combinations of values, all in one pass over the data."""
    if not groups:
        return []
    sets = [
        F.collect_set(F.struct(*(col(name).alias(f"c{n}") for n, name in enumerate(names))))
        for names in groups
    ]
    (row,) = frame.agg(*(s.alias(f"g{k}") for k, s in enumerate(sets))).collect()
    out = []
    for k, names in enumerate(groups):
        combos = [item.asDict(recursive=True) for item in row[f"g{k}"]]
        out.append([{name: c[f"c{n}"] for n, name in enumerate(names)} for c in combos])
    return out


def with_derived(
    spark: SparkSession, frame: DataFrame, derived: list[Derived], values: DerivedValues
) -> DataFrame:
    """Add each derived column, in one pass over the data: the distinct values of every set
    of inputs collected at once, each column computed on the driver from its inputs' distinct
    values, and one broadcast join per set of inputs (the prior-treatment tests all read the
    same list, so they come in one table)."""
    by_inputs: dict[tuple[str, ...], list[Derived]] = {}
    for column in derived:
        by_inputs.setdefault(column.inputs, []).append(column)
    groups = list(by_inputs)
    every = distinct_values(frame, [list(inputs) for inputs in groups])
    for inputs, distinct in zip(groups, every, strict=True):
        columns = by_inputs[inputs]
        computed = [values.values(column, distinct) for column in columns]
        keys = [f"_key{n}" for n in range(len(inputs))]
        table_schema = T.StructType(
            [
                *(
                    T.StructField(key, data_type(BY_NAME[name]))
                    for key, name in zip(keys, inputs, strict=True)
                ),
                *(T.StructField(column.name, _DERIVED[column.kind]) for column in columns),
            ]
        )
        rows = [
            (*(row[name] for name in inputs), *(value[n] for value in computed))
            for n, row in enumerate(distinct)
        ]
        table = spark.createDataFrame(rows, table_schema)
        match = _and(
            [col(name).eqNullSafe(table[key]) for name, key in zip(inputs, keys, strict=True)]
        )
        frame = frame.join(F.broadcast(table), match, "left").drop(*keys)
    return frame


def derived_of(programs: list[Program]) -> list[Derived]:
    """The derived columns the programs read, each once (a column's name says what it is)."""
    return list({c.name: c for p in programs for c in columns_for(p).derived}.values())


def decide(
    spark: SparkSession, program: Program, frame: DataFrame, values: DerivedValues
) -> DataFrame:
    """Decide every line of a flat Spark table; the four result columns are added to it."""
    original = frame.columns
    derived = with_derived(spark, frame, columns_for(program).derived, values)
    keep = [name for name in original if name not in OUTPUT]
    return decided_with_derived(program, derived).select(*map(col, keep), *map(col, OUTPUT))


def decided_with_derived(program: Program, frame: DataFrame) -> DataFrame:
    """`decide` on a table that has the program's derived columns already (`with_derived`,
    made once for several programs): the four result columns added, every column kept."""
    expressions = Expressions(program, columns_for(program))
    frame = frame.withColumns(expressions.leaf_stage())
    for level in criteria_levels(program):
        frame = frame.withColumns(
            {f"criterion:{cid}": expressions.node(program.criteria[cid]) for cid in level}
        )
    rules = program.rules
    frame = frame.withColumns({f"rule:{rule.index}": expressions.rule(rule) for rule in rules})
    deciding: SparkColumn = F.lit(rules[-1].index)
    for rule in reversed(rules[:-1]):
        deciding = F.when(col(f"rule:{rule.index}"), F.lit(rule.index)).otherwise(deciding)
    frame = frame.withColumn("_deciding", deciding)
    frame = frame.withColumn(
        "_outcome", _lookup({r.index: r.outcome.value for r in rules}, col("_deciding"))
    )
    ambiguity = [
        col(f"rule:{rule.index}").isNull()
        & (col("_deciding") > rule.index)
        & (col("_outcome") != F.lit(rule.outcome.value))
        for rule in rules[:-1]
    ]
    frame = frame.withColumn("_ambiguous", _or(ambiguity) if ambiguity else F.lit(False))
    frame = frame.withColumns(expressions.path_stage())
    ambiguous, decided = col("_ambiguous"), col("_deciding")
    frame = frame.withColumns(
        {
            "outcome": F.when(ambiguous, F.lit(Outcome.insufficient_information.value)).otherwise(
                col("_outcome")
            ),
            "decided_by": F.when(ambiguous, F.lit(None).cast(T.StringType())).otherwise(
                _lookup({r.index: r.id for r in rules}, decided)
            ),
            "prior_authorization": F.when(
                ambiguous, F.lit(PriorAuthorizationNeed.unknown.value)
            ).otherwise(_lookup({r.index: r.prior_authorization.value for r in rules}, decided)),
            "questions": expressions.questions(ambiguous, decided),
        }
    )
    return frame
