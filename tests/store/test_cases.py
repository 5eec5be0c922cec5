"""Case records: what staff store, read back and see change as the payer answers.

Deadline dates are the research's worked examples (cost-and-rules.md, table C) and the rules of
§4.1-4.3; statuses are the table in `dermcover.store.timeline`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from store_support import MISSING, TODAY, Store, burn_case, example

from dermcover.case import Case
from dermcover.determination import Outcome
from dermcover.engine import determine
from dermcover.inputs import InputError
from dermcover.store.cases import CaseNotFound
from dermcover.store.timeline import CaseStatus, Clock, EventKind


def with_plan(case: Case, plan_type: str | None) -> Case:
    data: dict[str, Any] = case.model_dump(mode="json", exclude_none=True)
    data["payer"] = {**data.get("payer", {}), "plan_type": plan_type}
    return Case.model_validate(data)


def test_a_case_reads_back_as_stored_with_its_determination(store: Store, staff: int) -> None:
    case = burn_case()
    created = store.cases.create_case(case, actor=staff, today=TODAY)
    read = store.cases.get_case(created.id, actor=staff)
    assert read is not None
    assert read.case == case
    assert read.reference == "burn-hand-01"
    # The generic pack's fixture: covered once prior authorization is approved.
    assert read.determination.outcome is Outcome.covered_with_prior_auth
    assert read.determination == determine(case, today=TODAY)
    assert read.status is CaseStatus.needs_prior_auth
    assert read.events == [] and read.next_deadline is None
    assert read.created_by == staff


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("pico-laser-prp-melasma.yaml", CaseStatus.not_covered),
        ("microneedling-unknown-reason.yaml", CaseStatus.needs_information),
    ],
)
def test_a_new_case_takes_its_status_from_the_determination(
    store: Store, staff: int, name: str, status: CaseStatus
) -> None:
    assert store.cases.create_case(example(name), actor=staff, today=TODAY).status is status


def test_a_case_that_states_its_prior_authorization_was_denied_starts_as_denied(
    store: Store, staff: int
) -> None:
    data = burn_case().model_dump(mode="json", exclude_none=True)
    data["prior_authorization"] = {"status": "denied"}
    created = store.cases.create_case(Case.model_validate(data), actor=staff, today=TODAY)
    assert created.status is CaseStatus.denied


def test_a_missing_case_reads_as_none(store: Store, staff: int) -> None:
    assert store.cases.get_case(MISSING, actor=staff) is None


def test_staff_record_a_denial_and_see_the_appeal_deadline_appear(store: Store, staff: int) -> None:
    case_id = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    submitted = store.cases.add_event(
        case_id, EventKind.pa_submitted, date(2025, 1, 2), actor=staff, today=TODAY
    )
    # ERISA pre-service claim: decided within 15 days, 30 with the one extension (§4.1).
    assert [(d.clock, d.due) for d in submitted.deadlines] == [
        (Clock.payer_decision, date(2025, 1, 17)),
        (Clock.payer_decision, date(2025, 2, 1)),
    ]
    denied = store.cases.add_event(
        case_id,
        EventKind.pa_denied,
        date(2025, 1, 10),
        actor=staff,
        notes="Denied: not medically necessary",
        today=TODAY,
    )
    # C1: denial received 2025-01-10, appeal by 2025-07-09 (180 days).
    assert [(d.clock, d.due) for d in denied.deadlines] == [(Clock.appeal_filing, date(2025, 7, 9))]
    assert "2560.503-1" in denied.deadlines[0].basis
    view = store.cases.get_case(case_id, actor=staff)
    assert view is not None
    assert view.status is CaseStatus.denied
    # The payer answered, so its decision clock no longer counts; only the appeal window is open.
    assert [d.due for d in view.open_deadlines] == [date(2025, 7, 9)]
    assert [(e.kind, e.notes) for e in view.events] == [
        (EventKind.pa_submitted, None),
        (EventKind.pa_denied, "Denied: not medically necessary"),
    ]
    [row] = store.cases.list_cases(actor=staff)
    assert (row.id, row.status, row.next_deadline) == (case_id, CaseStatus.denied, date(2025, 7, 9))


def test_the_full_commercial_path_to_external_review(store: Store, staff: int) -> None:
    case_id = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    add = store.cases.add_event
    add(case_id, EventKind.pa_submitted, date(2025, 9, 2), actor=staff, today=TODAY)
    add(case_id, EventKind.pa_denied, date(2025, 9, 15), actor=staff, today=TODAY)
    appeal = add(case_id, EventKind.appeal_filed, date(2025, 10, 1), actor=staff, today=TODAY)
    # A pre-service appeal is decided within 30 days (§4.1).
    assert [d.due for d in appeal.deadlines] == [date(2025, 10, 31)]
    in_appeal = store.cases.get_case(case_id, actor=staff)
    assert in_appeal is not None and in_appeal.status is CaseStatus.in_appeal
    assert [d.due for d in in_appeal.open_deadlines] == [date(2025, 10, 31)]

    final = add(case_id, EventKind.pa_denied, date(2025, 10, 30), actor=staff, today=TODAY)
    # C2: final denial received 2025-10-30; no 2026-02-30, so 2026-03-01, a Sunday: 2026-03-02.
    assert [(d.clock, d.due) for d in final.deadlines] == [
        (Clock.external_review_filing, date(2026, 3, 2))
    ]
    denied = store.cases.get_case(case_id, actor=staff)
    assert denied is not None and denied.status is CaseStatus.denied
    assert denied.next_deadline is not None and denied.next_deadline.due == date(2026, 3, 2)

    add(case_id, EventKind.external_review_requested, date(2025, 11, 10), actor=staff, today=TODAY)
    reviewed = store.cases.get_case(case_id, actor=staff)
    assert reviewed is not None and reviewed.status is CaseStatus.in_external_review
    assert reviewed.open_deadlines == []

    add(case_id, EventKind.pa_approved, date(2025, 12, 1), actor=staff, today=TODAY)
    approved = store.cases.get_case(case_id, actor=staff)
    assert approved is not None and approved.status is CaseStatus.approved


def test_medicare_advantage_runs_on_the_cms_clocks(store: Store, staff: int) -> None:
    case = with_plan(burn_case(), "medicare_advantage")
    case_id = store.cases.create_case(case, actor=staff, today=TODAY).id
    submitted = store.cases.add_event(
        case_id, EventKind.pa_submitted, date(2026, 2, 2), actor=staff, today=TODAY
    )
    # C9: a standard request received 2026-02-02 is decided by 2026-02-09 (CMS-0057-F).
    assert [d.due for d in submitted.deadlines] == [date(2026, 2, 9)]
    denied = store.cases.add_event(
        case_id, EventKind.pa_denied, date(2026, 3, 2), actor=staff, today=TODAY
    )
    # C10: notice dated 2026-03-02: reconsideration by 2026-05-01; 2026-05-06 the outer limit.
    assert [d.due for d in denied.deadlines] == [date(2026, 5, 1), date(2026, 5, 6)]
    [row] = store.cases.list_cases(actor=staff)
    assert row.next_deadline == date(2026, 5, 1)


@pytest.mark.parametrize(
    ("plan_type", "words"),
    [(None, "plan type"), ("self_pay", "self-pay"), ("medicaid", "fair-hearing")],
)
def test_a_denial_with_no_clock_on_file_says_why(
    store: Store, staff: int, plan_type: str | None, words: str
) -> None:
    case = with_plan(burn_case(), plan_type)
    case_id = store.cases.create_case(case, actor=staff, today=TODAY).id
    denied = store.cases.add_event(
        case_id, EventKind.pa_denied, date(2026, 3, 2), actor=staff, today=TODAY
    )
    assert denied.deadlines == []
    assert any(words in note for note in denied.deadline_notes)


def test_a_peer_to_peer_call_is_the_next_date_and_leaves_the_status_alone(
    store: Store, staff: int
) -> None:
    case_id = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    store.cases.add_event(
        case_id, EventKind.pa_denied, date(2026, 11, 10), actor=staff, today=TODAY
    )
    store.cases.add_event(
        case_id, EventKind.peer_to_peer_scheduled, date(2026, 11, 25), actor=staff, today=TODAY
    )
    view = store.cases.get_case(case_id, actor=staff)
    assert view is not None
    assert view.status is CaseStatus.denied
    assert [(d.clock, d.due) for d in view.open_deadlines] == [
        (Clock.peer_to_peer, date(2026, 11, 25)),
        (Clock.appeal_filing, date(2027, 5, 9)),
    ]


def test_a_payer_answer_dated_after_today_is_refused(store: Store, staff: int) -> None:
    case_id = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    with pytest.raises(InputError, match=r"event date = '2026-12-01'.*after today"):
        store.cases.add_event(
            case_id, EventKind.pa_denied, date(2026, 12, 1), actor=staff, today=TODAY
        )


def test_an_event_for_a_missing_case_is_refused(store: Store, staff: int) -> None:
    with pytest.raises(CaseNotFound, match=f"case {MISSING}: no such case"):
        store.cases.add_event(
            MISSING, EventKind.pa_denied, date(2026, 1, 5), actor=staff, today=TODAY
        )


def test_the_case_list_puts_the_nearest_deadline_first(store: Store, staff: int) -> None:
    create, add = store.cases.create_case, store.cases.add_event
    quiet = create(example("pico-laser-prp-melasma.yaml"), actor=staff, today=TODAY).id
    later = create(burn_case(), actor=staff, today=TODAY).id
    sooner = create(burn_case(), actor=staff, today=TODAY).id
    add(later, EventKind.pa_denied, date(2026, 6, 1), actor=staff, today=TODAY)
    add(sooner, EventKind.pa_denied, date(2026, 5, 1), actor=staff, today=TODAY)
    rows = store.cases.list_cases(actor=staff)
    assert [(r.id, r.next_deadline) for r in rows] == [
        (sooner, date(2026, 10, 28)),
        (later, date(2026, 11, 28)),
        (quiet, None),
    ]
    assert rows[2].outcome is Outcome.not_covered_cosmetic
    assert rows[2].status is CaseStatus.not_covered
    denied = store.cases.list_cases(actor=staff, status=CaseStatus.denied)
    assert {r.id for r in denied} == {later, sooner}


def test_the_case_list_shows_who_the_case_is_about(store: Store, staff: int) -> None:
    store.cases.create_case(burn_case(), actor=staff, today=TODAY)
    [row] = store.cases.list_cases(actor=staff)
    assert row.patient_name == "Jordan Ellis"
    assert row.policy_id == "generic"


def test_revising_the_facts_decides_again_and_keeps_the_timeline(store: Store, staff: int) -> None:
    case_id = store.cases.create_case(
        example("microneedling-unknown-reason.yaml"), actor=staff, today=TODAY
    ).id
    store.cases.add_event(
        case_id, EventKind.peer_to_peer_scheduled, date(2026, 12, 3), actor=staff, today=TODAY
    )
    revised = store.cases.update_case(case_id, burn_case(), actor=staff, today=TODAY)
    assert revised.determination.outcome is Outcome.covered_with_prior_auth
    assert revised.status is CaseStatus.needs_prior_auth
    assert [e.kind for e in revised.events] == [EventKind.peer_to_peer_scheduled]
    assert revised.updated_at >= revised.created_at


def test_revising_a_missing_case_is_refused(store: Store, staff: int) -> None:
    with pytest.raises(CaseNotFound):
        store.cases.update_case(MISSING, burn_case(), actor=staff, today=TODAY)
