"""Prior-authorization records and coverage answers, on both databases: kept whole, read back the
same, and every change and read by a calling system on the record's trail."""

from __future__ import annotations

from datetime import date

from store_support import Store

from dermcover.case import Case
from dermcover.engine import determine
from dermcover.store.database import Sessions
from dermcover.store.prior_auths import CoverageAssertions, PriorAuthorizations

REQUEST = {"resourceType": "Bundle", "type": "collection", "entry": []}
CASE = Case.model_validate({"payer": {"policy": "generic"}, "procedures": [{"code": "0479T"}]})


def test_a_record_keeps_request_and_answer_and_its_trail(
    sessions: Sessions, store: Store, staff: int
) -> None:
    case_id = store.cases.create_case(CASE, actor=staff).id
    records = PriorAuthorizations(sessions)
    made = records.record(
        reference="PA-1",
        claim_identifier="urn:trn|111",
        member_id="M-1",
        case_id=case_id,
        status="pended",
        request=REQUEST,
        response={"resourceType": "Bundle", "entry": [{"resource": {"id": "x"}}]},
        client="https://ehr.example",
    )
    assert made.request == REQUEST and made.status == "pended"
    read = records.latest_for_claim("urn:trn|111", client="https://ehr.example")
    assert read is not None and read.reference == "PA-1"
    decided = records.decide(made.id, "approved", {"resourceType": "Bundle"}, user_id=staff)
    assert decided.status == "approved"
    assert [(line.action, line.status) for line in decided.log] == [
        ("submitted", "pended"),
        ("inquired", "pended"),
        ("decided", "approved"),
    ]
    assert decided.log[0].client == "https://ehr.example" and decided.log[2].user_id == staff
    assert [r.reference for r in records.for_case(case_id)] == ["PA-1"]
    assert records.latest_for_claim("urn:trn|nope", client=None) is None


def test_coverage_answers_are_found_by_id_and_by_subject_once_answered(sessions: Sessions) -> None:
    answers = CoverageAssertions(sessions)
    determination = determine(CASE, today=date(2026, 12, 1))
    answers.save("a" * 32, "p1|0479T", CASE, determination, coverage="Coverage/c1")
    found = answers.get("a" * 32)
    assert found is not None and found.case == CASE and found.coverage == "Coverage/c1"
    assert answers.answered_for("p1|0479T") is None  # not answered by a form yet
    answers.save("a" * 32, "p1|0479T", CASE, determination, answered=True)
    answered = answers.answered_for("p1|0479T")
    assert answered is not None and answered.determination == determination
    assert answered.coverage == "Coverage/c1"  # kept when not given again
