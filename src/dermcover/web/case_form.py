"""The clinic's case form: one field per case fact, drawn from the case model itself.

Nothing here lists the case's fields or their allowed values by hand. The form walks `Case`:
a nested model becomes a section of fields, a list of models (procedures, treatments tried) a
table of rows, an enum a choice of its values, a list of enums a set of checkboxes with "none"
as an answer of its own, a yes/no a three-way choice. A field added to the case model, or a value
added to one of its enums, appears on the form without a change here.

Three-valued facts survive the round trip: a field left blank is *unknown* and stays out of the
case; "None of these" is the known empty list. Whatever was typed is kept as it was typed, so a
form shown again with its errors loses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from types import NoneType, UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from dermcover.case import Case
from dermcover.inputs import field_path
from dermcover.web.labels import FIELDS, field_label, label

Widget = Literal["text", "number", "date", "choice", "choices", "yes_no", "codes"]
Values = Mapping[str, Sequence[str]]

NONE = "__none__"

# How the form groups the case's top-level fields; a field not named here gets its own section.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Patient", ("patient",)),
    ("Plan", ("payer",)),
    ("Procedures", ("procedures",)),
    ("Condition", ("condition",)),
    ("Medical need", ("purpose", "impairment", "prior_treatments", "documentation")),
    ("Provider", ("provider",)),
    ("Prior authorization", ("prior_authorization",)),
    ("Reference", ("id",)),
)
# Blank rows offered below the filled ones, for adding without a script.
SPARE_ROWS = {"procedures": 1, "prior_treatments": 2}
# Free-text fields whose usual values the browser suggests as the person types.
SUGGESTIONS: dict[str, str] = {"prior_treatments.name": "treatment-names", "payer.policy": ""}
# Code fields get a search picker: which code set each one searches.
PICKERS = {"condition.diagnoses": "icd10", "procedures.code": "procedures"}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class FormField:
    name: str  # the form's field name, which is the case path: procedures[0].kind
    path: str  # the path without row numbers: procedures.kind
    label: str
    widget: Widget
    choices: list[Choice] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    error: str | None = None
    needed: bool = False
    picker: str | None = None
    suggestions: str | None = None
    step: str | None = None
    minimum: str | None = None
    maximum: str | None = None
    help: str | None = None
    default: str | None = None
    row: str | None = None  # "procedure 2" for a field in a table's row

    @property
    def full_label(self) -> str:
        return f"{self.label} ({self.row})" if self.row else self.label

    @property
    def value(self) -> str:
        return self.values[0] if self.values else ""

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@dataclass
class Row:
    number: int
    fields: list[FormField]


@dataclass
class Table:
    name: str
    label: str
    rows: list[Row]


@dataclass
class Section:
    title: str
    items: list[FormField | Table]

    @property
    def needed(self) -> bool:
        return any(f.needed for f in _leaves(self.items))


# ---- reading the model ----------------------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """`Annotated[int, ...] | None` -> `int`."""
    while True:
        origin = get_origin(annotation)
        if origin in (Union, UnionType):
            args = [a for a in get_args(annotation) if a is not NoneType]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        elif origin is not None and str(origin).endswith("Annotated"):
            annotation = get_args(annotation)[0]
        elif hasattr(annotation, "__metadata__"):
            annotation = annotation.__origin__
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_enum(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Enum)


def _list_item(annotation: Any) -> Any | None:
    if get_origin(annotation) is list:
        return _unwrap(get_args(annotation)[0])
    return None


def _field_bounds(info: FieldInfo) -> tuple[str | None, str | None]:
    """The lower and upper limits the model sets on a number, for the browser to check too."""
    low = high = None
    constraints = list(info.metadata)
    for arg in get_args(info.annotation):
        constraints.extend(getattr(arg, "__metadata__", ()))
    for item in list(constraints):
        if isinstance(item, FieldInfo):
            constraints.extend(item.metadata)
    for item in constraints:
        for name in ("ge", "gt"):
            if getattr(item, name, None) is not None:
                low = str(getattr(item, name))
        if getattr(item, "le", None) is not None:
            high = str(item.le)
    return low, high


def _leaf(name: str, path: str, info: FieldInfo, policies: Sequence[str]) -> FormField:
    annotation = _unwrap(info.annotation)
    item = _list_item(annotation)
    text = field_label(path)
    made = FormField(name=name, path=path, label=text, widget="text", help=info.description)
    if _is_enum(annotation):
        made.widget = "choice"
        made.choices = [Choice(member.value, label(member)) for member in annotation]
    elif item is not None and _is_enum(item):
        made.widget = "choices"
        made.choices = [Choice(member.value, label(member)) for member in item]
    elif item is str:
        made.widget = "codes"
    elif annotation is bool:
        made.widget = "yes_no"
        made.choices = [Choice("yes", "Yes"), Choice("no", "No")]
    elif annotation in (int, float):
        made.widget = "number"
        made.step = "1" if annotation is int else "any"
        made.minimum, made.maximum = _field_bounds(info)
    elif annotation is date:
        made.widget = "date"
    if path == "payer.policy" and policies:
        made.widget = "choice"
        made.choices = [Choice(policy, policy) for policy in policies]
    if path == "payer.plan":
        made.widget = "choice"
        made.choices = _plan_choices()
    if not info.is_required() and isinstance(info.default, int | float | str):
        made.default = str(info.default)
    made.picker = PICKERS.get(path)
    if made.picker is None and made.widget == "codes" and path.endswith("diagnoses"):
        made.picker = "icd10"  # every list of diagnosis codes, wherever the model puts one
    made.suggestions = SUGGESTIONS.get(path) or None
    return made


def _plan_choices() -> list[Choice]:
    """The plan documents dermcover holds, each named with its pack: blank is "not checked"."""
    from dermcover.engine.plans import plan_library

    plans = plan_library().plans.values()
    return [Choice(plan.id, f"{plan.spec.title} ({plan.spec.policy})") for plan in plans]


_ROW_NAMES = {"procedures": "procedure", "prior_treatments": "treatment"}


def _model_fields(
    model: type[BaseModel], prefix: str, base: str, policies: Sequence[str], row: int | None
) -> list[FormField]:
    made = []
    for name, info in model.model_fields.items():
        leaf = _leaf(f"{prefix}.{name}", f"{base}.{name}", info, policies)
        if row is not None:
            leaf.label = FIELDS.get(f"{base}.{name}") or label(name)
            leaf.row = f"{_ROW_NAMES.get(base, base)} {row + 1}"
        made.append(leaf)
    return made


def _item_for(
    name: str, info: FieldInfo, counts: Mapping[str, int], policies: Sequence[str]
) -> FormField | Table:
    annotation = _unwrap(info.annotation)
    item = _list_item(annotation)
    if _is_model(annotation):
        section_fields = _model_fields(annotation, name, name, policies, None)
        return Table(name=name, label=field_label(name), rows=[Row(0, section_fields)])
    if item is not None and _is_model(item):
        rows = [
            Row(number, _model_fields(item, f"{name}[{number}]", name, policies, number))
            for number in range(counts.get(name, 0) + SPARE_ROWS.get(name, 1))
        ]
        return Table(name=name, label=field_label(name), rows=rows)
    return _leaf(name, name, info, policies)


def _row_counts(values: Values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key, typed in values.items():
        found = re.match(r"^(\w+)\[(\d+)\]\.", key)
        if found and any(typed):
            counts[found[1]] = max(counts.get(found[1], 0), int(found[2]) + 1)
    return counts


def build_form(
    values: Values,
    *,
    errors: Mapping[str, str] | None = None,
    needed: Iterable[str] = (),
    policies: Sequence[str] = (),
) -> list[Section]:
    """The form's sections, filled with `values` (form name -> what was typed)."""
    errors = errors or {}
    wanted = set(needed)
    counts = _row_counts(values)
    placed: set[str] = set()
    sections: list[Section] = []
    model_fields = Case.model_fields
    layout = [*SECTIONS, *((label(n), (n,)) for n in model_fields if not _in_layout(n))]
    for title, names in layout:
        items = []
        for name in names:
            if name not in model_fields:
                continue
            placed.add(name)
            items.append(_item_for(name, model_fields[name], counts, policies))
        for f in _leaves(items):
            f.values = list(values.get(f.name, ()))
            f.error = errors.get(f.name)
            f.needed = f.name in wanted or f.path in wanted
        if items:
            sections.append(Section(title, items))
    return sections


def _in_layout(name: str) -> bool:
    return any(name in names for _, names in SECTIONS)


def _leaves(items: Iterable[FormField | Table]) -> list[FormField]:
    found: list[FormField] = []
    for item in items:
        if isinstance(item, Table):
            found.extend(f for row in item.rows for f in row.fields)
        else:
            found.append(item)
    return found


def all_fields(sections: Iterable[Section]) -> list[FormField]:
    return [f for section in sections for f in _leaves(section.items)]


# ---- from a case to the form's values ---------------------------------------------------------


def values_from_case(case: Case) -> dict[str, list[str]]:
    """What the form shows for a case already on file."""
    values: dict[str, list[str]] = {}
    _flatten(case.model_dump(mode="json", exclude_none=True), "", values)
    for f in all_fields(build_form(values)):
        if f.widget == "codes" and f.name in values:
            # One text box holds the list; "none" is the known empty list.
            codes = values[f.name]
            values[f.name] = ["none"] if codes == [NONE] else [", ".join(codes)]
    return values


def _flatten(data: Any, prefix: str, into: dict[str, list[str]]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _flatten(value, f"{prefix}.{key}" if prefix else key, into)
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for number, item in enumerate(data):
            _flatten(item, f"{prefix}[{number}]", into)
    elif isinstance(data, list):
        into[prefix] = [str(item) for item in data] if data else [NONE]
    elif isinstance(data, bool):
        into[prefix] = ["yes" if data else "no"]
    elif isinstance(data, float):
        into[prefix] = [f"{data:g}"]
    else:
        into[prefix] = [str(data)]


# ---- from the form's values to a case ---------------------------------------------------------


@dataclass
class Reading:
    """The form read back: the case when it validates, else the errors by field name."""

    values: dict[str, list[str]]
    case: Case | None
    errors: dict[str, str]

    @property
    def summary(self) -> str:
        count = len(self.errors)
        return f"{count} field{'s' if count != 1 else ''} need{'s' if count == 1 else ''} a fix"


def read_form(values: Values, policies: Sequence[str] = ()) -> Reading:
    kept = {key: [v.strip() for v in items] for key, items in values.items() if key != "csrf_token"}
    sections = build_form(kept, policies=policies)
    fields = all_fields(sections)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    only_defaults = _rows_with_only_defaults(fields, kept)
    for f in fields:
        typed = [v for v in kept.get(f.name, []) if v]
        if not typed or f.name.partition(".")[0] in only_defaults:
            continue
        try:
            value = _value(f, typed)
        except ValueError as exc:
            errors[f.name] = str(exc)
            continue
        _put(data, f.name, value)
    rows: dict[str, list[int]] = {}
    data = _drop_blank_rows(data, rows)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        return Reading(kept, None, {**_errors_by_field(exc, fields, rows), **errors})
    return Reading(kept, None if errors else case, errors)


def _rows_with_only_defaults(fields: Sequence[FormField], values: Values) -> set[str]:
    """Rows (`procedures[1]`) where nothing was typed but what the form already showed."""
    typed: dict[str, bool] = {}
    for f in fields:
        row, _, _ = f.name.partition(".")
        if "[" not in row:
            continue
        given = [v for v in values.get(f.name, []) if v]
        meaningful = bool(given) and given != [f.default]
        typed[row] = typed.get(row, False) or meaningful
    return {row for row, anything in typed.items() if not anything}


def _value(f: FormField, typed: list[str]) -> Any:
    allowed = {choice.value for choice in f.choices}
    if f.widget == "choices":
        if NONE in typed:
            if len(typed) > 1:
                raise ValueError(
                    f"{f.full_label}: pick either “None of these” or some of them, not both"
                )
            return []
        wrong = [v for v in typed if v not in allowed]
        if wrong:
            raise ValueError(_not_allowed(f, wrong[0]))
        return typed
    value = typed[0]
    if f.widget in ("choice", "yes_no") and value not in allowed:
        raise ValueError(_not_allowed(f, value))
    if f.widget == "yes_no":
        return value == "yes"
    if f.widget == "codes":
        if value.lower() in ("none", NONE):
            return []
        return [code for code in re.split(r"[\s,;]+", value) if code]
    return value


def _not_allowed(f: FormField, value: str) -> str:
    return f"{f.full_label} = {value!r} is not an allowed value; allowed: " + ", ".join(
        choice.value for choice in f.choices
    )


def _put(data: dict[str, Any], name: str, value: Any) -> None:
    """Set `procedures[0].kind` in nested data, rows kept by their number."""
    parts = name.split(".")
    current: dict[str, Any] = data
    for part in parts[:-1]:
        found = re.match(r"^(\w+)\[(\d+)\]$", part)
        if found:
            rows = current.setdefault(found[1], {})
            current = rows.setdefault(int(found[2]), {})
        else:
            current = current.setdefault(part, {})
    current[parts[-1]] = value


def _drop_blank_rows(data: dict[str, Any], rows: dict[str, list[int]]) -> dict[str, Any]:
    """Rows become lists in their order; a row with nothing in it is no row. `rows` records
    which form row each list item came from, so that errors land on the row that was typed."""
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value and all(isinstance(k, int) for k in value):
            kept = [number for number in sorted(value) if value[number]]
            rows[key] = kept
            cleaned[key] = [value[number] for number in kept]
        elif isinstance(value, dict):
            cleaned[key] = _drop_blank_rows(value, rows)
        else:
            cleaned[key] = value
    return cleaned


def _errors_by_field(
    exc: ValidationError, fields: Sequence[FormField], rows: Mapping[str, list[int]]
) -> dict[str, str]:
    """Each pydantic problem on the field it is about, naming the value and what is allowed."""
    by_name = {f.name: f for f in fields}
    errors: dict[str, str] = {}
    for problem in exc.errors(include_url=False):
        loc = list(p for p in problem["loc"] if not (isinstance(p, str) and "[" in p))
        if len(loc) > 1 and isinstance(loc[1], int) and str(loc[0]) in rows:
            loc[1] = rows[str(loc[0])][loc[1]]
        name = field_path(loc)
        target = by_name.get(name) or next(
            (f for f in fields if f.name.startswith(name + ".") or f.name.startswith(name + "[")),
            None,
        )
        if target is None:
            continue
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "missing" and name != "procedures":
            message = "required"
        elif problem["type"] in ("too_short", "missing") and name == "procedures":
            message = "at least one procedure is needed: give its kind, its code or both"
        shown = problem.get("input")
        text = f"{target.full_label}: {message}"
        typed = isinstance(shown, str | int | float)
        if target.name == name and problem["type"] != "missing" and typed:
            text = f"{target.full_label} = {shown!r}: {message}"
        if target.choices and target.name == name:
            text += "; allowed: " + ", ".join(choice.value for choice in target.choices)
        errors.setdefault(target.name, text)
    return errors
