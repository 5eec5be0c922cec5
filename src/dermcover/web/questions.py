"""From the engine's questions to form fields, and from a person's answers back to the case.

The patient's check is adaptive: the engine says which facts would settle the answer
(`Determination.questions`, each naming a case field), and the page asks the first of them that
the person has not yet answered or passed over. How a field is asked follows from its type in
the case model: one choice for an enum, several for a list of them, a number, yes or no, a list
of codes, or the prior-treatments table.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from enum import Enum
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from dermcover.case import Case, PriorTreatment, TreatmentOutcome, UsState
from dermcover.codes.states import STATE_NAMES
from dermcover.i18n import N_
from dermcover.web.labels import label

WidgetKind = Literal["choice", "choices", "number", "yes_no", "codes", "treatments", "text"]

# Spec: the canonical prior-treatment names, in the order a patient is likely to know them.
TREATMENTS = (
    "topical_retinoid",
    "topical_antibiotic",
    "oral_antibiotic",
    "isotretinoin",
    "metronidazole_topical",
    "ivermectin_topical",
    "azelaic_acid",
    "hydroquinone",
    "topical_corticosteroid",
    "calcipotriene",
    "coal_tar",
    "anthralin",
    "salicylic_acid",
    "fluorouracil_topical",
    "imiquimod",
    "diclofenac_topical",
    "podophyllotoxin",
    "tacrolimus_topical",
    "pimecrolimus_topical",
    "cryotherapy",
    "curettage",
    "electrodesiccation",
    "excision",
    "chemical_peel",
    "photodynamic_therapy",
    "phototherapy",
    "silicone_sheeting",
    "pressure_garments",
    "intralesional_steroid",
    "minoxidil",
)
# Fields a person answers by picking their state, whatever type the case gives them.
STATE_FIELDS = frozenset({"patient.state", "provider.state"})
TREATMENT_OUTCOMES: dict[str, str] = {
    "failed": "Tried; it did not work",
    "partial": "Tried; it helped a little",
    "success": "Tried; it worked",
    "not_tolerated": "Tried; could not tolerate it",
    "contraindicated": "Could not be used (medical reason)",
}
NONE = "__none__"
# The choice that leaves the field out: "not listed, or not sure" (the plan document).
NOT_LISTED = "__not_listed__"


class AnswerError(ValueError):
    """An answer that cannot go into the case; the message is for the person answering."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Widget:
    """How one case field is asked on a page."""

    field: str
    ask: str
    kind: WidgetKind
    options: list[Option] = default(default_factory=list)
    integer: bool = False
    treatments: Sequence[str] = ()


# --- field paths -----------------------------------------------------------------------------

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def path_parts(path: str) -> list[str | int]:
    """`procedures[0].depth` -> `["procedures", 0, "depth"]`."""
    parts: list[str | int] = []
    for name, index in _PART.findall(path):
        parts.append(int(index) if index else name)
    return parts


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional: `Annotated[int, ...] | None` -> `int`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            rest = [arg for arg in get_args(annotation) if arg is not NoneType]
            annotation = rest[0] if len(rest) == 1 else annotation
            if len(rest) != 1:
                return annotation
        else:
            return annotation


def field_type(path: str, model: type[BaseModel] = Case) -> Any:
    """The type the case model gives the field at `path`, unwrapped."""
    current: Any = model
    for part in path_parts(path):
        if isinstance(part, int):
            if get_origin(current) is list:
                current = _unwrap(get_args(current)[0])
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            raise KeyError(path)
        info = current.model_fields.get(part)
        if info is None:
            raise KeyError(path)
        current = _unwrap(info.annotation)
    return current


def get_path(data: Mapping[str, Any], path: str) -> Any:
    current: Any = data
    for part in path_parts(path):
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            return None
    return current


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Put `value` at `path`, making the mappings on the way; `None` removes the field."""
    parts = path_parts(path)
    if not parts:
        raise AnswerError(f"{path!r} is not a field of the case")
    current: Any = data
    for part, following in itertools.pairwise(parts):
        if isinstance(part, int):
            if not isinstance(current, list) or part >= len(current):
                raise AnswerError(f"{path!r} is not a field of this case")
            current = current[part]
            continue
        if not isinstance(current, dict):
            raise AnswerError(f"{path!r} is not a field of this case")
        if not isinstance(current.get(part), dict | list):
            current[part] = [] if isinstance(following, int) else {}
        current = current[part]
    last = parts[-1]
    if value is None:
        if isinstance(current, dict):
            current.pop(last, None)
    else:
        current[last] = value


# --- widgets ---------------------------------------------------------------------------------


def _enum_options(enum: type[Enum]) -> list[Option]:
    return [Option(member.value, label(member.value)) for member in enum]


def widget_for(path: str, ask: str) -> Widget:
    kind = field_type(path)
    if path == "prior_treatments":
        return Widget(path, ask, "treatments", _outcome_options(), treatments=TREATMENTS)
    if path in STATE_FIELDS:
        states = [Option(state.value, STATE_NAMES[state.value]) for state in UsState]
        return Widget(path, ask, "choice", sorted(states, key=lambda option: option.label))
    if isinstance(kind, type) and issubclass(kind, Enum):
        return Widget(path, ask, "choice", _enum_options(kind))
    if get_origin(kind) is list:
        item = _unwrap(get_args(kind)[0])
        if isinstance(item, type) and issubclass(item, Enum):
            return Widget(path, ask, "choices", _enum_options(item))
        return Widget(path, ask, "codes")
    if kind is bool:
        return Widget(path, ask, "yes_no", [Option("yes", "Yes"), Option("no", "No")])
    if kind in (int, float):
        return Widget(path, ask, "number", integer=kind is int)
    return Widget(path, ask, "text")


def _outcome_options() -> list[Option]:
    return [Option(value, text) for value, text in TREATMENT_OUTCOMES.items()]


# --- answers ---------------------------------------------------------------------------------


# An answer that is not one, as templates a Spanish page translates (web.refusal_words).
NOT_A_NUMBER = N_("“%(typed)s” is not %(kind)s.")
NOT_A_RESULT = N_("“%(typed)s” is not one of the listed results.")
MESSAGES = (NOT_A_NUMBER, NOT_A_RESULT)


def answer_value(widget: Widget, form: FormData) -> Any:
    """The value a submitted form gives `widget.field`, as the case model takes it."""
    if widget.kind == "treatments":
        return _treatments(form)
    if widget.kind == "choices":
        picked = [str(value) for value in form.getlist("answer")]
        if NONE in picked:
            if len(picked) > 1:
                raise AnswerError(N_("Pick “none of these” or some of the items, not both."))
            return []
        if not picked:
            raise AnswerError(N_("Pick at least one, “none of these”, or “I don't know”."))
        return picked
    raw = str(form.get("answer") or "").strip()
    if not raw:
        raise AnswerError(N_("Give an answer, or choose “I don't know”."))
    if raw == NOT_LISTED:
        return None
    if widget.kind == "yes_no":
        return raw == "yes"
    if widget.kind == "number":
        return _number(raw, widget.integer)
    if widget.kind == "codes":
        codes = [code for code in re.split(r"[\s,;]+", raw) if code]
        return codes
    return raw


def _number(raw: str, integer: bool) -> int | float:
    try:
        return int(raw) if integer else float(raw)
    except ValueError:
        kind = N_("a whole number") if integer else N_("a number")
        raise AnswerError(NOT_A_NUMBER % {"typed": raw[:20], "kind": kind}) from None


def _treatments(form: FormData) -> list[dict[str, Any]]:
    if form.get("none_tried"):
        return []
    tried: list[dict[str, Any]] = []
    names = list(TREATMENTS)
    other = str(form.get("other_name") or "").strip().lower().replace(" ", "_")
    if other:
        names.append(other)
    for name in names:
        key = "other" if name == other and name not in TREATMENTS else name
        outcome = str(form.get(f"outcome.{key}") or "")
        if not outcome:
            continue
        if outcome not in TREATMENT_OUTCOMES:
            raise AnswerError(NOT_A_RESULT % {"typed": outcome[:20]})
        entry: dict[str, Any] = {"name": name, "outcome": TreatmentOutcome(outcome).value}
        months = str(form.get(f"months.{key}") or "").strip()
        if months:
            entry["months"] = _number(months, integer=False)
        try:
            PriorTreatment.model_validate(entry)
        except ValidationError as exc:
            raise AnswerError(exc.errors()[0]["msg"]) from None
        tried.append(entry)
    if not tried:
        raise AnswerError(N_("Give the result for at least one treatment, or tick “none tried”."))
    return tried
