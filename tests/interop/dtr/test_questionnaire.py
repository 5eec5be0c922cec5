"""DTR forms from the rules: the form asks what the engine's questions name and nothing else,
offers the case model's own values, comes pre-filled with what is known, and its answers go back
onto the case."""

from __future__ import annotations

from datetime import date

import pytest

from dermcover.case import Case, Impairment, ProviderType, Setting
from dermcover.engine import determine
from dermcover.interop.dtr.answers import apply_answers
from dermcover.interop.dtr.questionnaire import prefilled, questionnaire
from dermcover.interop.fhir import FhirError

BASE = "https://payer.example"
TODAY = date(2026, 12, 1)


def laser_for_burn_scar(**extra: object) -> Case:
    return Case.model_validate(
        {
            "payer": {"policy": "generic"},
            "procedures": [{"code": "0479T"}],
            "condition": {"diagnoses": ["T23.361S"]},
            **extra,
        }
    )


def test_the_form_asks_exactly_the_fields_the_engine_still_needs() -> None:
    determination = determine(laser_for_burn_scar(), today=TODAY)
    form = questionnaire("a" * 32, determination, base_url=BASE, today=TODAY)
    needed = [f for q in determination.questions for f in (q.fields or [q.field])]
    asked = [item["linkId"] for item in form["item"]]
    assert asked == [*dict.fromkeys(needed), "documentation"]
    assert "patient.age" not in asked and "condition.diagnoses" not in asked


def test_a_decided_case_needs_no_questions() -> None:
    case = laser_for_burn_scar(purpose="appearance", impairment=[])
    determination = determine(case, today=TODAY)
    form = questionnaire("b" * 32, determination, base_url=BASE, today=TODAY)
    assert [item["linkId"] for item in form["item"]] in ([], ["documentation"])


def test_answer_options_are_the_case_models_values() -> None:
    determination = determine(laser_for_burn_scar(), today=TODAY)
    form = questionnaire("c" * 32, determination, base_url=BASE, today=TODAY)
    items = {item["linkId"]: item for item in form["item"]}

    def codes(link: str) -> list[str]:
        return [o["valueCoding"]["code"] for o in items[link]["answerOption"]]

    assert codes("provider.setting") == [s.value for s in Setting]
    assert codes("provider.type") == [p.value for p in ProviderType]
    assert codes("impairment") == [i.value for i in Impairment] + ["none"]
    assert items["impairment"]["repeats"] is True


def test_the_response_comes_pre_filled_with_what_is_known() -> None:
    case = laser_for_burn_scar(provider={"type": "dermatologist"}, documentation=["photos"])
    determination = determine(case, today=TODAY)
    form = questionnaire("d" * 32, determination, base_url=BASE, today=TODAY)
    asked = [item["linkId"] for item in form["item"]]
    assert "provider.setting" in asked and "provider.type" not in asked  # known: not asked
    response = prefilled(form, case, determination, base_url=BASE, patient="Patient/p1")
    answers = {i["linkId"]: i.get("answer") for i in response["item"]}
    assert [a["valueCoding"]["code"] for a in answers["documentation"]] == ["photos"]
    assert answers["provider.setting"] is None
    assert response["questionnaire"] == form["url"]
    assert response["subject"] == {"reference": "Patient/p1"}


def test_answers_go_back_onto_the_case_and_unanswered_stays_unknown() -> None:
    response = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [
            {"linkId": "purpose", "answer": [{"valueCoding": {"code": "function"}}]},
            {"linkId": "impairment", "answer": [{"valueCoding": {"code": "none"}}]},
            {"linkId": "condition.cause"},
        ],
    }
    case = apply_answers(laser_for_burn_scar(), response)
    assert case.purpose is not None and case.purpose.value == "function"
    assert case.impairment == []
    assert case.condition is not None and case.condition.cause is None


def test_an_answer_the_case_cannot_take_names_the_item() -> None:
    response = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [{"linkId": "provider.setting", "answer": [{"valueCoding": {"code": "beach"}}]}],
    }
    with pytest.raises(FhirError, match=r"provider\.setting"):
        apply_answers(laser_for_burn_scar(), response)
    unknown = {
        **response,
        "item": [{"linkId": "patient.shoe_size", "answer": [{"valueInteger": 9}]}],
    }
    with pytest.raises(FhirError, match=r"patient\.shoe_size"):
        apply_answers(laser_for_burn_scar(), unknown)
