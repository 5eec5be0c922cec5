"""The clinic's case form, drawn from the case model and read back into a case."""

from __future__ import annotations

from dermcover.case import Case, ConditionKind, DocumentationItem, ProcedureKind
from dermcover.web.case_form import (
    NONE,
    FormField,
    all_fields,
    build_form,
    read_form,
    values_from_case,
)


def by_name(values: dict[str, list[str]] | None = None) -> dict[str, FormField]:
    return {f.name: f for f in all_fields(build_form(values or {}))}


def test_every_value_of_every_enum_is_a_choice() -> None:
    fields = by_name()
    kind = fields["procedures[0].kind"]
    assert [c.value for c in kind.choices] == [k.value for k in ProcedureKind]
    condition = fields["condition.kind"]
    assert {c.value for c in condition.choices} == {k.value for k in ConditionKind}
    documentation = fields["documentation"]
    assert documentation.widget == "choices"
    assert len(documentation.choices) == len(DocumentationItem)


def test_every_fact_of_the_case_model_has_a_field() -> None:
    names = set(by_name())
    for top in Case.model_fields:
        assert any(name == top or name.startswith((top + ".", top + "[")) for name in names), top
    assert "provider.npi" in names and "patient.birth_date" in names


def test_the_model_limits_reach_the_form() -> None:
    age = by_name()["patient.age"]
    assert (age.minimum, age.maximum) == ("0", "130")


def test_a_filled_form_becomes_the_case_and_back() -> None:
    values = {
        "patient.name": ["Jordan Rivera"],
        "procedures[0].kind": ["fractional_ablative_laser"],
        "procedures[0].code": ["0479t"],
        "procedures[0].sessions": ["3"],
        "procedures[1].sessions": ["1"],  # the spare row, untouched but for its default
        "condition.diagnoses": ["l90.5, T23.302S"],
        "impairment": ["restricted_range_of_motion", "itching"],
        "documentation": [NONE],
        "prior_treatments[0].name": ["silicone_sheeting"],
        "prior_treatments[0].outcome": ["failed"],
        "prior_treatments[0].months": ["6"],
        "procedures[0].device_fda_cleared": ["no"],
    }
    reading = read_form(values)
    assert reading.errors == {}
    case = reading.case
    assert case is not None
    assert len(case.procedures) == 1
    assert case.procedures[0].code == "0479T"
    assert case.procedures[0].device_fda_cleared is False
    assert case.condition is not None and case.condition.diagnoses == ["L90.5", "T23.302S"]
    assert case.documentation == []  # "None of these" is a known none
    assert case.purpose is None  # left blank: unknown, not false
    assert case.prior_treatments is not None and case.prior_treatments[0].months == 6
    again = values_from_case(case)
    assert again["condition.diagnoses"] == ["L90.5, T23.302S"]
    assert again["documentation"] == [NONE]
    assert again["prior_treatments[0].months"] == ["6"]


def test_bad_input_names_the_field_the_value_and_what_is_allowed() -> None:
    reading = read_form(
        {
            "patient.age": ["200"],
            "purpose": ["beauty"],
            "procedures[0].sessions": ["1"],
            "procedures[1].code": ["17999"],
            "impairment": [NONE, "itching"],
        }
    )
    assert reading.case is None
    assert reading.errors["patient.age"] == "Age = '200': Input should be less than or equal to 130"
    assert reading.errors["purpose"].startswith("What it is for = 'beauty' is not an allowed value")
    assert "allowed: appearance, function" in reading.errors["purpose"]
    # The second row was typed, the first left blank: the error stays on the row typed.
    assert reading.errors["procedures[1].kind"].startswith("Kind (procedure 2): code 17999")
    assert "pick either" in reading.errors["impairment"]
    assert reading.values["patient.age"] == ["200"], "what was typed is kept"


def test_a_form_without_a_procedure_says_one_is_needed() -> None:
    reading = read_form({"patient.name": ["Lee"]})
    assert "at least one procedure" in reading.errors["procedures[0].kind"]


def test_the_engines_questions_mark_their_fields() -> None:
    fields = by_name({})
    assert not any(f.needed for f in fields.values())
    sections = build_form({}, needed=["purpose", "provider.setting"])
    marked = [f.name for f in all_fields(sections) if f.needed]
    assert marked == ["purpose", "provider.setting"]
    assert [s.title for s in sections if s.needed] == ["Medical need", "Provider"]


def test_every_list_of_diagnoses_gets_the_code_picker_and_none_is_kept() -> None:
    fields = by_name()
    assert fields["condition.diagnoses"].picker == "icd10"
    assert fields["procedures[0].code"].picker == "procedures"
    case = Case.model_validate(
        {"procedures": [{"kind": "microneedling"}], "condition": {"diagnoses": []}}
    )
    values = values_from_case(case)
    assert values["condition.diagnoses"] == ["none"]
    again = read_form(values).case
    assert again is not None and again.condition is not None
    assert again.condition.diagnoses == []  # a known "none", not turned into unknown


def test_the_plan_document_is_a_choice_of_the_plans_held_and_blank_means_not_checked() -> None:
    plan = by_name()["payer.plan"]
    assert plan.widget == "choice"
    assert {"uhc-mmc-2026", "uhc-coc-sample"} <= {c.value for c in plan.choices}
    line = {"procedures[0].kind": ["dermabrasion"]}
    chosen = read_form({**line, "payer.policy": ["uhc"], "payer.plan": ["uhc-mmc-2026"]})
    assert chosen.case is not None and chosen.case.payer is not None
    assert chosen.case.payer.plan == "uhc-mmc-2026"
    blank = read_form({**line, "payer.policy": ["uhc"], "payer.plan": [""]})
    assert blank.case is not None and (blank.case.payer is None or blank.case.payer.plan is None)
    wrong = read_form({**line, "payer.plan": ["acme-2026"]})
    error = wrong.errors["payer.plan"]
    assert "acme-2026" in error and "uhc-mmc-2026" in error
