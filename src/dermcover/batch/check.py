"""Checking flat rows as the case model checks a case, once per distinct value.

A flat table's columns fall into the case's sections (payer, patient, the procedure line,
condition...). Each distinct combination of a section's values is validated once, by the same
pydantic model a case file goes through, and comes back normalised (`l718` becomes `L71.8`, a
code is trimmed and upper-cased); rows whose combination fails are rejects, with the same
one-line error the CLI gives. A section's free-text fields (names, phone numbers) take any
text, so they are left out of its combinations: they would make every row distinct.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from dermcover.case import MAX_PROCEDURES, Case, Procedure
from dermcover.engine.compile.flat import (
    COLUMNS,
    LINE,
    LINES_FIELD,
    Column,
    bare,
    nested,
    rows_of,
)
from dermcover.inputs import describe

WHERE = "\x00where\x00"  # stands for the row's place in the input until a row is known
LINE_PATH = f"{LINES_FIELD}[0]"


def _model_of(section: str) -> type[BaseModel] | None:
    if section == LINES_FIELD:
        return Procedure
    annotation = Case.model_fields[section].annotation
    for arg in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _free(column: Column) -> bool:
    """A field that takes any text: plain str, no constraint, no validator on its model."""
    model = _model_of(column.section)
    if (
        column.kind != "str"
        or model is None
        or len(column.path) != 1 + (column.section != LINES_FIELD)
    ):
        return False
    decorators = model.__pydantic_decorators__
    name = column.path[-1]
    info = model.model_fields[name]
    return (
        not decorators.model_validators
        and not any(name in v.info.fields for v in decorators.field_validators.values())
        and not info.metadata
        and bare(info.annotation) is str
    )


@dataclass(frozen=True)
class Section:
    name: str
    columns: tuple[Column, ...]  # the checked ones


def sections() -> list[Section]:
    grouped: dict[str, list[Column]] = {}
    for column in COLUMNS:
        if column.section == "id" or _free(column):
            continue
        grouped.setdefault(column.section, []).append(column)
    return [Section(name, tuple(columns)) for name, columns in grouped.items()]


SECTIONS = sections()


@dataclass(frozen=True)
class Checked:
    """One distinct combination of a section's values: normalised, or why it is refused."""

    values: dict[str, Any] | None
    error: str | None


class SectionChecker:
    """Validates combinations on first sight and remembers the answer."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, tuple[Any, ...]], Checked] = {}
        self._case = TypeAdapter(Case)

    def check(self, section: Section, combos: Iterable[Mapping[str, Any]]) -> list[Checked]:
        out = []
        for combo in combos:
            key = (section.name, tuple(_hashable(combo.get(c.name)) for c in section.columns))
            known = self._known.get(key)
            if known is None:
                known = self._validate(section, combo)
                self._known[key] = known
            out.append(known)
        return out

    def _validate(self, section: Section, combo: Mapping[str, Any]) -> Checked:
        data = nested(combo, section.columns)
        if section.name != LINES_FIELD:
            data[LINES_FIELD] = [{"kind": "microneedling"}]  # any valid line: not checked here
        elif not data[LINES_FIELD][0]:
            data[LINES_FIELD] = [{}]
        try:
            case = Case.model_validate(data)
        except ValidationError as exc:
            return Checked(None, describe(exc, Case, WHERE))
        row = rows_of(case.model_dump(mode="json"))[0]
        return Checked({c.name: row.get(c.name) for c in section.columns}, None)


@dataclass(frozen=True)
class LineRule:
    """What a flat row's `line` may be: its place in its case's `procedures`, so what the case
    model allows there (0 up to one less than the lines a case may have). The errors for a bad
    one are worded as the case model words its own; each engine builds them from these parts,
    the value going between `before` and `after`."""

    lowest: int
    highest: int
    missing: str
    before: str
    after: str

    def allows(self, line: int | None) -> bool:
        return line is not None and self.lowest <= line <= self.highest


LINE_RULE = LineRule(
    lowest=0,
    highest=MAX_PROCEDURES - 1,
    missing=f"{WHERE}: {LINE}: required field is missing",
    before=f"{WHERE}: {LINE} = ",
    after=f": should be from 0 to {MAX_PROCEDURES - 1} (the line's place in its case, which "
    f"has at most {MAX_PROCEDURES} lines)",
)


def where_error(error: str, where: str, line: int) -> str:
    """An error made for the combination, told for one row of the input."""
    return error.replace(WHERE, where, 1).replace(LINE_PATH, f"{LINES_FIELD}[{line}]")


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, Mapping):
        return tuple(sorted((key, _hashable(item)) for key, item in value.items()))
    return value
