"""How a line is decided: unknowns that matter become questions; unknowns that do not, don't."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dermcover.case import Case
from dermcover.determination import Outcome, PriorAuthorizationNeed, Status
from dermcover.engine import determine
from dermcover.engine.library import PolicyLibrary, load_pack

TODAY = date(2026, 11, 22)

# A small pack in the shape of a real one: a cosmetic exclusion, then one covered indication
# (>= 10 lesions after a failed topical), otherwise not medically necessary.
BODY = """\
criteria:
  t.lesions:
    text: At least 10 lesions
    citation: {source: src, section: "2.1"}
    when: {fact: lesion_count, at_least: 10}
    ask: How many lesions are there?
  t.failed-topical:
    text: A topical treatment failed or could not be used
    citation: {source: src, section: "2.2"}
    when: {fact: prior_treatment, names: [fluorouracil_topical, imiquimod]}
rules:
  - id: t.cosmetic
    stage: cosmetic
    text: Treatment for appearance is cosmetic
    citation: {source: src, section: "1"}
    when: {fact: purpose, in: [appearance]}
    outcome: not_covered_cosmetic
    reason: It is for appearance.
  - id: t.peel
    stage: indication
    procedures: [chemical_peel]
    text: A peel for 10 or more lesions after a failed topical is covered
    citation: {source: src, section: "2"}
    when: {all: [t.lesions, t.failed-topical]}
    outcome: covered
    prior_authorization: required
    reason: The criteria are met.
    documentation: [lesion_map]
otherwise:
  outcome: not_covered_not_medically_necessary
  text: Otherwise not medically necessary
  citation: {source: src, section: "3"}
  reason: The criteria are not met.
documentation:
  - {item: photos, why: Photos of the lesions}
"""


@pytest.fixture
def packs(write_pack: Any) -> PolicyLibrary:
    folder: Path = write_pack(BODY, otherwise=False)
    return PolicyLibrary(folder.parent, {"t": load_pack(folder)})


def decide(packs: PolicyLibrary, **fields: Any) -> Any:
    case = Case.model_validate({"procedures": [{"kind": "chemical_peel"}], **fields})
    return determine(case, "t", today=TODAY, packs=packs)


def test_all_criteria_met_is_covered_with_prior_auth(packs: PolicyLibrary) -> None:
    result = decide(
        packs,
        purpose="disease_treatment",
        condition={"lesion_count": 12},
        prior_treatments=[{"name": "imiquimod", "outcome": "failed"}],
    )
    line = result.lines[0]
    assert line.outcome is Outcome.covered_with_prior_auth
    assert line.prior_authorization is PriorAuthorizationNeed.required
    assert line.decided_by == "t.peel"
    assert result.questions == []
    statuses = {c.id: c.status for c in line.criteria}
    assert statuses == {
        "t.lesions": Status.met,
        "t.failed-topical": Status.met,
        "t.cosmetic": Status.not_met,
        "t.peel": Status.met,
    }
    assert all(c.citation.startswith("Test policy, ") for c in line.criteria)


def test_an_unknown_that_could_change_the_outcome_becomes_a_question(packs: PolicyLibrary) -> None:
    result = decide(
        packs,
        purpose="disease_treatment",
        prior_treatments=[{"name": "imiquimod", "outcome": "failed"}],
    )
    assert result.outcome is Outcome.insufficient_information
    assert result.lines[0].prior_authorization is PriorAuthorizationNeed.unknown
    assert [(q.field, q.ask) for q in result.questions] == [
        ("condition.lesion_count", "How many lesions are there?")
    ]


def test_an_unknown_that_cannot_change_the_outcome_asks_nothing(packs: PolicyLibrary) -> None:
    # Lesion count and treatments are unknown, but the aim is appearance: the cosmetic rule
    # decides before the indication is weighed, so nothing about lesions is asked.
    appearance = decide(packs, purpose="appearance")
    assert appearance.outcome is Outcome.not_covered_cosmetic
    assert appearance.questions == []


def test_purpose_unknown_with_criteria_met_asks_the_purpose(packs: PolicyLibrary) -> None:
    result = decide(
        packs,
        condition={"lesion_count": 12},
        prior_treatments=[{"name": "imiquimod", "outcome": "failed"}],
    )
    assert result.outcome is Outcome.insufficient_information
    assert [q.field for q in result.questions] == ["purpose"]


def test_an_empty_list_is_a_known_none_and_absence_is_unknown(packs: PolicyLibrary) -> None:
    tried_nothing = decide(
        packs, purpose="disease_treatment", condition={"lesion_count": 12}, prior_treatments=[]
    )
    assert tried_nothing.outcome is Outcome.not_covered_not_medically_necessary
    not_asked = decide(packs, purpose="disease_treatment", condition={"lesion_count": 12})
    assert not_asked.outcome is Outcome.insufficient_information
    assert [q.field for q in not_asked.questions] == ["prior_treatments"]


def test_a_contraindicated_treatment_counts_as_tried(packs: PolicyLibrary) -> None:
    result = decide(
        packs,
        purpose="disease_treatment",
        condition={"lesion_count": 10},
        prior_treatments=[{"name": "fluorouracil_topical", "outcome": "contraindicated"}],
    )
    assert result.outcome is Outcome.covered_with_prior_auth


def test_a_treatment_whose_outcome_is_not_given_is_unknown(packs: PolicyLibrary) -> None:
    result = decide(
        packs,
        purpose="disease_treatment",
        condition={"lesion_count": 10},
        prior_treatments=[{"name": "imiquimod"}],
    )
    assert result.outcome is Outcome.insufficient_information


def test_lines_are_decided_on_their_own_and_mixed_overall(packs: PolicyLibrary) -> None:
    case = Case.model_validate(
        {
            "procedures": [{"kind": "chemical_peel"}, {"kind": "microneedling"}],
            "purpose": "disease_treatment",
            "condition": {"lesion_count": 12},
            "prior_treatments": [{"name": "imiquimod", "outcome": "failed"}],
        }
    )
    result = determine(case, "t", today=TODAY, packs=packs)
    assert [line.outcome for line in result.lines] == [
        Outcome.covered_with_prior_auth,
        Outcome.not_covered_not_medically_necessary,
    ]
    assert result.outcome is Outcome.mixed


def test_the_checklist_marks_what_is_on_file(packs: PolicyLibrary) -> None:
    result = decide(
        packs,
        purpose="disease_treatment",
        condition={"lesion_count": 12},
        prior_treatments=[{"name": "imiquimod", "outcome": "failed"}],
        documentation=["photos"],
    )
    assert {(c.item.value, c.status) for c in result.documentation} == {
        ("photos", "present"),
        ("lesion_map", "missing"),
    }


def test_no_checklist_for_a_line_that_cannot_be_covered(packs: PolicyLibrary) -> None:
    assert decide(packs, purpose="appearance").documentation == []


def test_without_the_trace_the_answer_is_the_same(packs: PolicyLibrary) -> None:
    case = Case.model_validate(
        {"procedures": [{"kind": "chemical_peel"}], "condition": {"lesion_count": 3}}
    )
    full = determine(case, "t", today=TODAY, packs=packs, trace="full")
    bare = determine(case, "t", today=TODAY, packs=packs, trace="none")
    assert bare.lines[0].criteria == []
    assert full.lines[0].criteria
    assert bare.outcome is full.outcome
    assert bare.questions == full.questions


def test_the_full_trace_shows_the_facts_behind_each_criterion(packs: PolicyLibrary) -> None:
    case = Case.model_validate(
        {"procedures": [{"kind": "chemical_peel"}], "condition": {"lesion_count": 3}}
    )
    result = determine(case, "t", today=TODAY, packs=packs, trace="full")
    lesions = next(c for c in result.lines[0].criteria if c.id == "t.lesions")
    assert lesions.facts is not None
    [fact] = lesions.facts
    assert (fact.fact, fact.value, fact.status) == ("lesion_count", 3, Status.not_met)
    assert fact.fields == ["condition.lesion_count"]


def test_a_cause_given_as_unknown_is_unknown() -> None:
    case = Case.model_validate(
        {"procedures": [{"kind": "microneedling"}], "condition": {"cause": "unknown"}}
    )
    result = determine(case, "generic", today=TODAY)
    assert any(q.field == "condition.cause" for q in result.questions)


@pytest.mark.parametrize(
    ("payer", "expected"),
    [
        ({"policy": "generic"}, "generic"),
        ({"plan_type": "medicare"}, "medicare"),
        ({"plan_type": "medicare_advantage"}, "medicare"),
        ({"plan_type": "commercial"}, "generic"),
        (None, "generic"),
    ],
)
def test_the_policy_follows_the_case_unless_one_is_asked_for(payer: Any, expected: str) -> None:
    from dermcover.engine import choose_policy

    case = Case.model_validate({"procedures": [{"kind": "microneedling"}], "payer": payer})
    assert choose_policy(case) == expected
    assert choose_policy(case, "aetna") == "aetna"


def test_a_field_is_asked_once_even_when_two_criteria_word_it_differently(
    write_pack: Any,
) -> None:
    body = """\
criteria:
  t.hurts:
    text: Pain
    citation: {source: src, section: "1"}
    when: {fact: impairment, any: [pain_requiring_analgesics]}
    ask: Does it hurt enough to need painkillers?
  t.moves:
    text: Movement
    citation: {source: src, section: "1"}
    when: {fact: impairment, any: [restricted_range_of_motion]}
rules:
  - id: t.either
    stage: indication
    text: Pain or restricted movement is covered
    citation: {source: src, section: "2"}
    when: {any: [t.hurts, t.moves]}
    outcome: covered
    prior_authorization: required
    reason: Because.
"""
    folder = write_pack(body)
    packs = PolicyLibrary(folder.parent, {"t": load_pack(folder)})
    result = decide(packs)
    assert [q.field for q in result.questions] == ["impairment"]
    assert result.questions[0].criteria == ["t.hurts", "t.moves"]


@pytest.mark.parametrize(
    ("treatments", "expected"),
    [
        ([{"name": "cryotherapy", "outcome": "failed"}], Outcome.not_covered_cosmetic),
        (
            [
                {"name": "cryotherapy", "outcome": "failed"},
                {"name": "cryotherapy", "outcome": "failed"},
            ],
            Outcome.not_covered_cosmetic,
        ),
        (
            [{"name": "cryotherapy", "outcome": "failed"}, {"name": "imiquimod"}],
            Outcome.insufficient_information,
        ),
        (
            [
                {"name": "cryotherapy", "outcome": "failed"},
                {"name": "imiquimod", "outcome": "not_tolerated"},
            ],
            Outcome.covered,
        ),
    ],
)
def test_a_count_of_failed_treatments_counts_different_treatments(
    write_pack: Any, treatments: list[dict[str, str]], expected: Outcome
) -> None:
    body = """\
rules:
  - id: t.two-failed
    stage: indication
    text: Two different treatments failed
    citation: {source: src, section: "1"}
    when: {fact: prior_treatment, at_least: 2}
    outcome: covered
    prior_authorization: not_required
    reason: Because.
"""
    folder = write_pack(body)
    packs = PolicyLibrary(folder.parent, {"t": load_pack(folder)})
    assert decide(packs, prior_treatments=treatments).outcome is expected
