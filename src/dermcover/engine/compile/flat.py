"""The flat per-line layout: one row per procedure line, the case's fields as columns.

The columns come from the case model itself, so a field added to the case is a column at once:
a nested section's fields are named by their dotted path (`condition.lesion_count`), the line's
procedure fields by `procedure.<field>`, lists of values and of small records stay lists. Every
row also carries `case_id` and `line` (the procedure's position in its case, from 0). The spec is
docs/spec/batch-format.md.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from dermcover.case import MAX_PROCEDURES, Case

CASE_ID = "case_id"
LINE = "line"
LINES_FIELD = "procedures"
LINE_PREFIX = "procedure"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the flat table: its name, where it sits in a case, and its value type:
    str, int, float, bool, date, a list of one of those, or a list of records."""

    name: str
    section: str  # the case field it belongs to (`procedures` for the line's own fields)
    path: tuple[str, ...]  # the keys under a case (or, for a line's fields, under a procedure)
    kind: str  # "str" | "int" | "float" | "bool" | "date" | "list"
    item: str | None = None  # a list's item kind, or "record"
    record: tuple[tuple[str, str], ...] = ()  # a record's fields and their kinds

    @property
    def line_level(self) -> bool:
        return self.section == LINES_FIELD


def bare(annotation: Any) -> Any:
    """The type under Optional and Annotated."""
    if get_origin(annotation) is Annotated:
        return bare(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        inner = [arg for arg in get_args(annotation) if arg is not type(None)]
        return bare(inner[0]) if len(inner) == 1 else annotation
    return annotation


def _scalar_kind(annotation: Any) -> str:
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return "bool"
        if issubclass(annotation, Enum | str):
            return "str"
        if issubclass(annotation, int):
            return "int"
        if issubclass(annotation, float):
            return "float"
        if issubclass(annotation, date):
            return "date"
    raise TypeError(f"the flat layout has no column type for {annotation!r}")


def _field_columns(annotation: Any, section: str, path: tuple[str, ...]) -> Iterator[Column]:
    """The columns of one case field: itself, or a nested section's fields."""
    annotation = bare(annotation)
    dotted = ".".join(path) if section != LINES_FIELD else ".".join((LINE_PREFIX, *path))
    if get_origin(annotation) is list:
        item = bare(get_args(annotation)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            record = tuple(
                (field, _scalar_kind(bare(sub.annotation)))
                for field, sub in item.model_fields.items()
            )
            yield Column(dotted, section, path, "list", "record", record)
        else:
            yield Column(dotted, section, path, "list", _scalar_kind(item))
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            yield from _field_columns(info.annotation, section, (*path, name))
    else:
        yield Column(dotted, section, path, _scalar_kind(annotation))


def _layout() -> tuple[Column, ...]:
    columns: list[Column] = []
    for name, info in Case.model_fields.items():
        if name == "id":
            columns.append(Column(CASE_ID, name, (name,), "str"))
        elif name == LINES_FIELD:
            procedure = bare(get_args(bare(info.annotation))[0])
            for field, sub in procedure.model_fields.items():
                columns.extend(_field_columns(sub.annotation, LINES_FIELD, (field,)))
        else:
            columns.extend(_field_columns(info.annotation, name, (name,)))
    return tuple(columns)


COLUMNS: tuple[Column, ...] = _layout()
BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}


Places = dict[str, "str | dict[str, str]"]


def _places(columns: Iterable[Column]) -> Places:
    """Where each key of a case (or of a procedure line) goes: a column's name, or for a
    section such as `payer`, the column of each of its fields."""
    places: Places = {}
    for column in columns:
        first, *rest = column.path
        if not rest:
            places[first] = column.name
            continue
        if len(rest) > 1:
            raise TypeError(f"the flat layout reaches one section deep, not to {column.path}")
        section = places.setdefault(first, {})
        assert isinstance(section, dict)
        section[rest[0]] = column.name
    return places


_CASE_COLUMNS = tuple(column for column in COLUMNS if not column.line_level)
_LINE_COLUMNS = tuple(column for column in COLUMNS if column.line_level)
_CASE_PLACES = _places(_CASE_COLUMNS)
_LINE_PLACES = _places(_LINE_COLUMNS)
_NO_VALUES = dict.fromkeys(column.name for column in COLUMNS)


def _fill(row: dict[str, Any], data: Any, places: Places) -> None:
    """`row` given the columns of the values `data` holds: only the keys given are visited
    (a case read from JSON gives a dozen of the layout's fifty columns); a key the layout does
    not know, or a section that is no mapping, gives nothing."""
    if not isinstance(data, Mapping):
        return
    for key, value in data.items():
        place = places.get(key)
        if place is None or value is None:
            continue
        if isinstance(place, str):
            row[place] = value
        elif isinstance(value, Mapping):
            for field, item in value.items():
                name = place.get(field)
                if name is not None:
                    row[name] = item


def rows_of(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A case (as JSON-ready data, e.g. `case.model_dump(mode="json")`) as its flat rows:
    every column of the layout, null where the case gives nothing."""
    shared = dict(_NO_VALUES)
    _fill(shared, case, _CASE_PLACES)
    rows = []
    for number, procedure in enumerate(case.get(LINES_FIELD) or ()):
        row = dict(shared)
        row[LINE] = number
        _fill(row, procedure, _LINE_PLACES)
        rows.append(row)
    return rows


# What `plain` lets through in a column of each kind: exactly the types the flat table holds
# there, so that the column takes the value as it is (an int within 64 bits; a date as text).
_INT64 = (-(2**63), 2**63 - 1)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
Fits = Callable[[Any], bool]


def _an_int(value: Any) -> bool:
    return type(value) is int and _INT64[0] <= value <= _INT64[1]


def _a_date(value: Any) -> bool:
    if type(value) is not str or not _ISO_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_SCALARS: dict[str, Fits] = {
    "str": lambda value: type(value) is str,
    "int": _an_int,
    "float": lambda value: type(value) is float or _an_int(value),
    "bool": lambda value: type(value) is bool,
    "date": _a_date,
}


def _fields_fit(fields: Mapping[str, Fits]) -> Fits:
    """A mapping with none but these keys, each value null or fitting its field."""

    def fits(value: Any) -> bool:
        return type(value) is dict and all(
            key in fields and (item is None or fields[key](item)) for key, item in value.items()
        )

    return fits


def _items_fit(item: Fits) -> Fits:
    """A list whose every item fits (none of them null)."""
    return lambda value: (
        type(value) is list and all(entry is not None and item(entry) for entry in value)
    )


def _column_fits(column: Column) -> Fits:
    if column.kind != "list":
        return _SCALARS[column.kind]
    if column.item == "record":
        return _items_fit(_fields_fit({name: _SCALARS[kind] for name, kind in column.record}))
    return _items_fit(_SCALARS[column.item or "str"])


def _shape(places: Places) -> dict[str, Fits]:
    """Each key of a case (or of a procedure line) and what fits under it, by `_places`."""
    shape: dict[str, Fits] = {}
    for key, place in places.items():
        if isinstance(place, str):
            shape[key] = _column_fits(BY_NAME[place])
        else:  # a section such as `payer`
            shape[key] = _fields_fit({f: _column_fits(BY_NAME[n]) for f, n in place.items()})
    return shape


_CASE_SHAPE = _shape(_CASE_PLACES)
_LINE_FITS = _fields_fit(_shape(_LINE_PLACES))


def plain(case: Any) -> bool:
    """Whether a case as read from JSON (or a nested Parquet row) is plain: no key the case
    does not know, every value null or of exactly its column's type, one to MAX_PROCEDURES
    procedure lines. Its `rows_of` are then what the flat table holds for it before the
    section checks (batch/check.py), which validate and normalise its values as they do a
    flat file's. Whatever is not plain (a number given as text, an unknown key, a list with
    a null in it) goes through the case model whole, which knows what to make of it or how
    to say what is wrong."""
    if type(case) is not dict:
        return False
    lines = case.get(LINES_FIELD)
    if type(lines) is not list or not 1 <= len(lines) <= MAX_PROCEDURES:
        return False
    return all(_LINE_FITS(line) for line in lines) and all(
        key == LINES_FIELD or value is None or (key in _CASE_SHAPE and _CASE_SHAPE[key](value))
        for key, value in case.items()
    )


def nested(row: Mapping[str, Any], columns: tuple[Column, ...] = COLUMNS) -> dict[str, Any]:
    """A flat row back as case data (with its one procedure line), leaving out what is null so
    that unknown stays unknown."""
    case: dict[str, Any] = {}
    procedure: dict[str, Any] = {}
    for column in columns:
        value = row.get(column.name)
        if value is None:
            continue
        if column.kind == "list" and column.item == "record":
            value = [
                {key: item for key, item in entry.items() if item is not None} for entry in value
            ]
        target = procedure if column.line_level else case
        for key in column.path[:-1]:
            target = target.setdefault(key, {})
        target[column.path[-1]] = value
    case[LINES_FIELD] = [procedure]
    return case


def case_of(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A case's flat rows, its lines in order, back as case data (`nested` with every line)."""
    case = nested(rows[0], _CASE_COLUMNS)
    case[LINES_FIELD] = [nested(row, _LINE_COLUMNS)[LINES_FIELD][0] for row in rows]
    return case
