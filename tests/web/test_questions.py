"""The newer case fields as a patient meets them: the right kind of answer, in plain words."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import FormData

from dermcover.engine.facts import FACTS
from dermcover.web.questions import AnswerError, answer_value, widget_for

from .test_patient_pages import asked, reply, start


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        ("impairment_significant", "yes_no"),
        ("improvement_expected", "yes_no"),
        ("condition.recurrent", "yes_no"),
        ("condition.days_since_injury", "number"),
        ("condition.body_surface_percent", "number"),
        ("procedures[0].weeks_given", "number"),
        ("procedures[0].course_treatments", "number"),
        ("procedures[0].claim_diagnoses", "codes"),
        ("patient.state", "choice"),
        ("provider.state", "choice"),
    ],
)
def test_each_new_field_is_asked_with_the_widget_its_type_needs(field: str, kind: str) -> None:
    assert widget_for(field, "?").kind == kind


def test_states_are_offered_by_name_and_answered_by_code() -> None:
    widget = widget_for("patient.state", "Where do you live?")
    labels = {option.value: option.label for option in widget.options}
    assert labels["TX"] == "Texas"
    assert answer_value(widget, FormData([("answer", "TX")])) == "TX"


def test_a_number_of_weeks_must_be_a_whole_number() -> None:
    widget = widget_for("procedures[0].weeks_given", "How many weeks?")
    with pytest.raises(AnswerError, match="whole number"):
        answer_value(widget, FormData([("answer", "six")]))


def test_the_new_facts_ask_in_plain_words() -> None:
    for name in (
        "impairment_significant",
        "improvement_expected",
        "days_since_injury",
        "body_surface_percent",
        "weeks_given",
        "course_treatments",
        "member_state",
        "recurrent",
        "individual_treatment_impractical",
    ):
        ask = FACTS[name].ask
        assert ask.endswith("?") or ask.endswith(".)"), name
        assert "_" not in ask, f"{name} asks with a field name: {ask}"


def test_the_patient_is_asked_whether_the_problem_is_significant_when_it_decides(
    client: TestClient,
) -> None:
    page = start(client, "scar_revision", policy="anthem")
    answers = {
        "condition.kind": "surgical_scar",
        "condition.cause": "surgery",
        "condition.severity": "moderate",
        "purpose": "function",
        "impairment": "ulceration",
        "improvement_expected": "yes",
        "impairment_significant": "yes",
    }
    seen: list[str] = []
    while 'id="verdict"' not in page.text:
        field = asked(page)
        assert field in answers, f"unexpected question {field}"
        seen.append(field)
        if field == "impairment_significant":
            assert "really gets in the way" in page.text
        page = reply(client, page, "answer", answer=answers[field])
    assert "impairment_significant" in seen
    assert "Covered" in page.text


def test_the_result_says_the_plans_own_exclusions_were_not_checked(client: TestClient) -> None:
    page = start(client, "laser_hair_removal", policy="uhc")
    while 'id="verdict"' not in page.text:
        page = reply(client, page, "skip")
    assert "What this answer did not check" in page.text
    assert "plan&#39;s own exclusions" in page.text or "plan's own exclusions" in page.text
