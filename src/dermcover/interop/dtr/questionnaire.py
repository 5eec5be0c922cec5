"""A FHIR Questionnaire made from the questions the engine still needs for a case (the same ones
the patient flow asks), with answer options from the case model's enums, and a
QuestionnaireResponse pre-filled with what the case already knows.

Each item's linkId is the case field it fills (`condition.cause`, `provider.setting`), so a
completed response maps straight back onto the case.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dermcover.case import Case
from dermcover.determination import Determination
from dermcover.interop.fhir import JsonObject, checked
from dermcover.web.labels import label
from dermcover.web.questions import TREATMENT_OUTCOMES, TREATMENTS, Widget, get_path, widget_for

NONE_CODE = "none"
DOCUMENTATION_ASK = "Which of these documents are on file and can be sent?"


def value_system(base_url: str, field: str) -> str:
    """The code system of one field's answers: dermcover's own vocabulary (the enum's values)."""
    return f"{base_url}/fhir/CodeSystem/{field.split('.')[-1].replace('_', '-')}"


def _coding(system: str, code: str, display: str) -> JsonObject:
    return {"system": system, "code": code, "display": display}


def _item(widget: Widget, base_url: str) -> JsonObject:
    item: JsonObject = {"linkId": widget.field, "text": widget.ask}
    system = value_system(base_url, widget.field)
    if widget.kind in ("choice", "choices"):
        item["type"] = "choice"
        options = [_coding(system, o.value, o.label) for o in widget.options]
        if widget.kind == "choices":
            item["repeats"] = True
            options.append(_coding(system, NONE_CODE, "None of these"))
        item["answerOption"] = [{"valueCoding": coding} for coding in options]
    elif widget.kind == "yes_no":
        item["type"] = "boolean"
    elif widget.kind == "number":
        item["type"] = "integer" if widget.integer else "decimal"
    elif widget.kind == "codes":
        item.update(type="string", repeats=True)
    elif widget.kind == "treatments":
        item.update(type="group", repeats=True)
        item["item"] = [
            {
                "linkId": f"{widget.field}.name",
                "text": "Treatment",
                "type": "open-choice",
                "answerOption": [
                    {"valueCoding": _coding(value_system(base_url, "treatment"), name, label(name))}
                    for name in TREATMENTS
                ],
            },
            {
                "linkId": f"{widget.field}.outcome",
                "text": "How did it go?",
                "type": "choice",
                "answerOption": [
                    {"valueCoding": _coding(value_system(base_url, "outcome"), code, text)}
                    for code, text in TREATMENT_OUTCOMES.items()
                ],
            },
            {"linkId": f"{widget.field}.months", "text": "For how many months?", "type": "decimal"},
        ]
    else:
        item["type"] = "string"
    return item


def widgets(determination: Determination) -> list[Widget]:
    """The fields to ask, in the engine's order, each once; then the documents not yet on file."""
    seen: set[str] = set()
    found: list[Widget] = []
    for question in determination.questions:
        for field in question.fields or [question.field]:
            if field in seen:
                continue
            seen.add(field)
            try:
                found.append(
                    widget_for(
                        field,
                        question.ask if field == question.field else label(field.split(".")[-1]),
                    )
                )
            except KeyError:
                continue
    if any(check.status == "missing" for check in determination.documentation):
        found.append(widget_for("documentation", DOCUMENTATION_ASK))
    return found


def questionnaire(
    questionnaire_id: str, determination: Determination, *, base_url: str, today: date
) -> JsonObject:
    url = f"{base_url}/fhir/Questionnaire/{questionnaire_id}"
    made: JsonObject = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id,
        "url": url,
        "version": determination.policy.reviewed.isoformat(),
        "name": "DermcoverCoverageQuestions",
        "title": f"What {determination.policy.title} still needs to know"[:200],
        "status": "active",
        "subjectType": ["Patient"],
        "date": today.isoformat(),
        "publisher": "dermcover",
        "description": "The facts the coverage policy still needs for this order, and only those.",
        "item": [_item(widget, base_url) for widget in widgets(determination)],
    }
    return checked(made, "Questionnaire")


def _answers(widget: Widget, known: Any, base_url: str) -> list[JsonObject]:
    system = value_system(base_url, widget.field)
    if known is None:
        return []
    if widget.kind == "choice":
        match = [o for o in widget.options if o.value == known]
        return [{"valueCoding": _coding(system, o.value, o.label)} for o in match]
    if widget.kind == "choices" and isinstance(known, list):
        if not known:
            return [{"valueCoding": _coding(system, NONE_CODE, "None of these")}]
        options = {o.value: o for o in widget.options}
        return [
            {"valueCoding": _coding(system, v, options[v].label)} for v in known if v in options
        ]
    if widget.kind == "yes_no" and isinstance(known, bool):
        return [{"valueBoolean": known}]
    if widget.kind == "number" and isinstance(known, int | float):
        return [{"valueInteger": int(known)} if widget.integer else {"valueDecimal": known}]
    if widget.kind == "codes" and isinstance(known, list):
        return [{"valueString": str(code)} for code in known]
    if widget.kind == "text" and isinstance(known, str):
        return [{"valueString": known}]
    return []


def prefilled(
    form: JsonObject,
    case: Case,
    determination: Determination,
    *,
    base_url: str,
    patient: str | None,
) -> JsonObject:
    """The response to `form` with every answer the case already gives filled in."""
    document = case.model_dump(mode="json", exclude_none=True)
    items: list[JsonObject] = []
    for widget in widgets(determination):
        if widget.kind == "treatments":
            continue
        answers = _answers(widget, get_path(document, widget.field), base_url)
        item: JsonObject = {"linkId": widget.field, "text": widget.ask}
        if answers:
            item["answer"] = answers
        items.append(item)
    response: JsonObject = {
        "resourceType": "QuestionnaireResponse",
        "id": f"{form['id']}-response",
        "questionnaire": form["url"],
        "status": "in-progress",
        "item": items,
    }
    if patient:
        response["subject"] = {"reference": patient}
    return checked(response, "QuestionnaireResponse")
