"""The flat per-line layout: one row per procedure line, the case's fields as columns.

The columns come from the case model itself, so a field added to the case is a column at once:
a nested section's fields are named by their dotted path (`condition.lesion_count`), the line's
procedure fields by `procedure.<field>`, lists of values and of small records stay lists. Every
row also carries `case_id` and `line` (the procedure's position in its case, from 0). The spec is
docs/spec/batch-format.md.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from dermcover.case import Case

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


def _get(data: Mapping[str, Any] | None, path: tuple[str, ...]) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def rows_of(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A case (as JSON-ready data, e.g. `case.model_dump(mode="json")`) as its flat rows."""
    shared = {column.name: _get(case, column.path) for column in COLUMNS if not column.line_level}
    rows = []
    for number, procedure in enumerate(case.get(LINES_FIELD) or ()):
        row = dict(shared)
        row[LINE] = number
        for column in COLUMNS:
            if column.line_level:
                row[column.name] = _get(procedure, column.path)
        rows.append(row)
    return rows


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
