"""A completed QuestionnaireResponse back onto the case: each item's linkId is the case field it
answers. An answer that cannot go into the case is a FhirError naming the item and the value."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from dermcover.case import Case
from dermcover.interop.clinical import listed
from dermcover.interop.dtr.questionnaire import NONE_CODE
from dermcover.interop.fhir import FhirError, JsonObject, first_problem
from dermcover.web.questions import AnswerError, set_path, widget_for

VALUE_KEYS = (
    "valueCoding",
    "valueBoolean",
    "valueInteger",
    "valueDecimal",
    "valueString",
)


def _items(items: Any) -> Iterator[JsonObject]:
    for item in listed(items):
        if isinstance(item, dict):
            yield item


def _value(answer: JsonObject) -> Any:
    for key in VALUE_KEYS:
        if key in answer:
            value = answer[key]
            return value.get("code") if key == "valueCoding" and isinstance(value, dict) else value
    return None


def _treatment(group: JsonObject) -> dict[str, Any] | None:
    entry: dict[str, Any] = {}
    for item in _items(group.get("item")):
        values = [_value(a) for a in _items(item.get("answer"))]
        if not values or values[0] is None:
            continue
        field = str(item.get("linkId", "")).rsplit(".", 1)[-1]
        if field in ("name", "outcome", "months"):
            entry[field] = values[0]
    return entry if "name" in entry else None


def answered_fields(response: JsonObject) -> dict[str, Any]:
    """Every case field the response answers, with the value the case model takes."""
    found: dict[str, Any] = {}
    treatments: list[dict[str, Any]] = []
    for item in _items(response.get("item")):
        link = item.get("linkId")
        if not isinstance(link, str):
            continue
        if link == "prior_treatments":
            for group in [item, *_items(item.get("item"))]:
                tried = _treatment(group)
                if tried is not None:
                    treatments.append(tried)
            if item.get("answer") == [] or treatments:
                found[link] = treatments
            continue
        values = [_value(a) for a in _items(item.get("answer"))]
        values = [v for v in values if v is not None]
        if not values:
            continue  # unanswered stays unknown
        try:
            widget = widget_for(link, "")
        except KeyError:
            raise FhirError(
                f"QuestionnaireResponse item {link[:60]!r}: not a question this service asks"
            ) from None
        if widget.kind in ("choices", "codes"):
            found[link] = [] if values == [NONE_CODE] else [v for v in values if v != NONE_CODE]
        else:
            found[link] = values[0]
    return found


def apply_answers(case: Case, response: JsonObject) -> Case:
    """The case with the response's answers in it; answers win over what was there."""
    document = case.model_dump(mode="json", exclude_none=True)
    for field, value in answered_fields(response).items():
        try:
            set_path(document, field, value)
        except AnswerError as exc:
            raise FhirError(f"QuestionnaireResponse item {field!r}: {exc}") from None
    try:
        return Case.model_validate(document)
    except ValidationError as exc:
        raise FhirError(f"QuestionnaireResponse: {first_problem(exc)}") from None
