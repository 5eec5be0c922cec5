"""Every read and write of a case is audited: who, what, when, and nothing from the case."""

from __future__ import annotations

from datetime import UTC, date, datetime

from store_support import MISSING, TODAY, Store, burn_case

from dermcover.store.models import AuditAction, Role
from dermcover.store.timeline import EventKind


def test_each_read_and_write_leaves_who_what_and_when(store: Store, staff: int) -> None:
    other = store.users.add_user(
        "blake.billing@clinic.example", "another long passphrase", role=Role.biller
    ).id
    before = datetime.now(UTC)
    case_id = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    store.cases.get_case(case_id, actor=other)
    store.cases.add_event(case_id, EventKind.pa_denied, date(2026, 3, 2), actor=other, today=TODAY)
    store.cases.update_case(case_id, burn_case(), actor=staff, today=TODAY)
    store.cases.list_cases(actor=other)
    after = datetime.now(UTC)

    entries = [e for e in reversed(store.audit.entries()) if e.action != AuditAction.user_added]
    assert [(e.user_id, e.action, e.case_id) for e in entries] == [
        (staff, AuditAction.case_created, case_id),
        (other, AuditAction.case_read, case_id),
        (other, AuditAction.event_added, case_id),
        (staff, AuditAction.case_updated, case_id),
        (other, AuditAction.cases_listed, case_id),  # the list names each case it showed
    ]
    assert all(before <= e.at <= after for e in entries)
    assert entries[1].user_email == "blake.billing@clinic.example"


def test_an_attempt_to_read_a_missing_case_is_audited_too(store: Store, staff: int) -> None:
    assert store.cases.get_case(MISSING, actor=staff) is None
    [entry] = store.audit.entries(case_id=MISSING)
    assert (entry.user_id, entry.action) == (staff, AuditAction.case_refused)


def test_one_case_s_trail_leaves_out_the_others(store: Store, staff: int) -> None:
    first = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    second = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    store.cases.get_case(second, actor=staff)
    assert [e.action for e in store.audit.entries(case_id=first)] == [AuditAction.case_created]
    assert [e.action for e in store.audit.entries(case_id=second)] == [
        AuditAction.case_read,
        AuditAction.case_created,
    ]
