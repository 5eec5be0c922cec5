"""Facts as columns of the flat table, for the dataframe back ends.

Most facts are a column as it stands (`condition.lesion_count`). The rest are derived from a few
columns by the reference code itself (the condition kind from the diagnoses and the cause, the
age from the birth date, the depth a code implies...), and so are the tests the back ends have no
expression for (`Opaque`): each is computed once per distinct combination of its input columns
and joined back, never once per line. A fact the tables below do not name is derived from the
columns its `fields` name, so a new fact works without an entry here. (On polars the plain ones
are expressions instead: polars_facts.py; Spark joins them all.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from dermcover.case import Case
from dermcover.engine.compile.flat import BY_NAME, LINE_PREFIX, nested
from dermcover.engine.compile.ir import (
    AnyPrefix,
    Between,
    InSet,
    IsFlag,
    LeafIR,
    Opaque,
    Overlaps,
    Program,
)
from dermcover.engine.facts import FACTS, Fact, LineView, line_views
from dermcover.engine.logic import MET, NOT_MET

KIND_FACT = "procedure_kind"

# Facts whose value is one column of the (validated) flat table, unchanged.
DIRECT: dict[str, str] = {
    "procedure_code": "procedure.code",
    "sessions": "procedure.sessions",
    "area_cm2": "procedure.area_cm2",
    "device_fda_cleared": "procedure.device_fda_cleared",
    "weeks_given": "procedure.weeks_given",
    "course_treatments": "procedure.course_treatments",
    "body_surface_percent": "condition.body_surface_percent",
    "impairment_significant": "impairment_significant",
    "improvement_expected": "improvement_expected",
    "member_state": "patient.state",
    "diagnosis": "condition.diagnoses",
    "severity": "condition.severity",
    "lesion_count": "condition.lesion_count",
    "months_since_onset": "condition.months_since_onset",
    "purpose": "purpose",
    "impairment": "impairment",
    "documentation": "documentation",
    "provider_type": "provider.type",
    "setting": "provider.setting",
    "plan_type": "payer.plan_type",
    "network": "payer.network",
}

# Facts read from more columns than the fields they ask about.
EXTRA_INPUTS: dict[str, tuple[str, ...]] = {
    "condition_kind": ("condition.cause",),
    "depth": ("procedure.code",),
    "site": ("procedure.code",),
}

# The value type a fact's column needs, by the tests made on it.
VALUE_KIND = {InSet: "str", IsFlag: "bool", Between: "float", Overlaps: "list", AnyPrefix: "list"}


def _column_of(path: str) -> str:
    """`procedures[{i}].kind` -> `procedure.kind`."""
    if path.startswith("procedures[{i}]."):
        return f"{LINE_PREFIX}.{path.removeprefix('procedures[{i}].')}"
    return path


def inputs_of(fact: Fact) -> tuple[str, ...]:
    """The flat columns a fact's value is computed from."""
    columns = [_column_of(path) for path in fact.fields] + list(EXTRA_INPUTS.get(fact.name, ()))
    if fact.line_level or any(BY_NAME[c].line_level for c in columns if c in BY_NAME):
        # A line needs its kind or code to be a procedure at all.
        columns += ["procedure.kind", "procedure.code"]
    return tuple(dict.fromkeys(column for column in columns if column in BY_NAME))


@dataclass(frozen=True)
class Derived:
    """A column computed in Python once per distinct value of its inputs."""

    name: str
    inputs: tuple[str, ...]
    kind: str  # the value type: "str" | "float" | "bool" | "list" | "status" (met = True)
    compute: Callable[[LineView], Any]


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def _status(leaf: LeafIR) -> Callable[[LineView], bool | None]:
    def compute(view: LineView) -> bool | None:
        status = leaf.leaf.status(view)
        return True if status is MET else False if status is NOT_MET else None

    return compute


def _value(fact: Fact) -> Callable[[LineView], Any]:
    return lambda view: _encode(fact.read(view))


@dataclass
class Columns:
    """Where each fact and each opaque test of a program is found in the batch table."""

    facts: dict[str, str]  # fact name -> column
    derived: list[Derived]
    opaque: dict[int, str]  # leaf number -> its status column
    kind_column: str


def opaque_column(leaf: LeafIR) -> str:
    """An opaque test's column, named by what it tests: the same test in two packs (or in a
    pack and the pack under a plan document) is one column, computed once."""
    spec = json.dumps(leaf.leaf.test.spec, sort_keys=True, default=str)
    return f"leaf:{leaf.fact.name}:{hashlib.sha1(spec.encode()).hexdigest()[:12]}"


def columns_for(program: Program) -> Columns:
    derived: dict[str, Derived] = {}
    facts: dict[str, str] = {}
    opaque: dict[int, str] = {}
    kinds: dict[str, set[str]] = {}
    for leaf in program.leaves:
        if isinstance(leaf.test, Opaque):
            name = opaque_column(leaf)
            opaque[leaf.number] = name
            derived[name] = Derived(name, inputs_of(leaf.fact), "status", _status(leaf))
        else:
            kinds.setdefault(leaf.fact.name, set()).add(VALUE_KIND[type(leaf.test)])
    for name in [*kinds, KIND_FACT]:
        fact = FACTS[name]
        # A fact is read from its column as it stands only while it still reads that one field;
        # a fact that grew another source is derived like any other.
        if name in DIRECT and [_column_of(path) for path in fact.fields] == [DIRECT[name]]:
            facts[name] = DIRECT[name]
            continue
        column = f"fact:{name}"
        facts[name] = column
        (kind,) = kinds.get(name, {"str"})
        derived[column] = Derived(column, inputs_of(fact), kind, _value(fact))
    return Columns(facts, list(derived.values()), opaque, facts[KIND_FACT])


class DerivedValues:
    """Derived columns' values by input values, computed on first sight and remembered."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._known: dict[tuple[str, tuple[Any, ...]], Any] = {}

    def values(self, column: Derived, rows: Iterable[Mapping[str, Any]]) -> list[Any]:
        out = []
        for row in rows:
            key = (column.name, tuple(_hashable(row.get(name)) for name in column.inputs))
            if key not in self._known:
                self._known[key] = column.compute(self._view(row, column.inputs))
            out.append(self._known[key])
        return out

    def _view(self, row: Mapping[str, Any], inputs: tuple[str, ...]) -> LineView:
        data = nested(row, tuple(BY_NAME[name] for name in inputs))
        if not data["procedures"][0]:
            data["procedures"] = [{"kind": "microneedling"}]  # any line: the fact is the case's
        try:
            case = Case.model_validate(data)
        except ValidationError as exc:  # the batch checks rows first; this is a defect
            raise ValueError(f"a checked row does not make a case: {exc}") from None
        return line_views(case, self.today)[0]


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, Mapping):
        return tuple(sorted((key, _hashable(item)) for key, item in value.items()))
    if isinstance(value, BaseModel):
        return _hashable(value.model_dump())
    return value
