"""Files kept with a case: accepted only when the bytes are what the name says, within the size
limit; kept with the case; counted as on file in its checklist; never reachable from another
case. Also: every open deadline across cases, for the "due soon" view and the calendar feed."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from store_support import TODAY, Store, burn_case

from dermcover.case import DocumentationItem
from dermcover.inputs import InputError
from dermcover.store.attachments import MAX_ATTACHMENT_BYTES, checked_file
from dermcover.store.cases import CaseNotFound
from dermcover.store.clinics import ClinicRepository
from dermcover.store.models import Role
from dermcover.store.timeline import EventKind

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def checklist(store: Store, case_id: int, staff: int) -> dict[str, str]:
    view = store.cases.get_case(case_id, actor=staff)
    assert view is not None
    return {check.item.value: check.status for check in view.determination.documentation}


def test_a_record_attached_counts_as_on_file(store: Store, staff: int) -> None:
    case_id = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    # The generic pack asks for medical records; the burn case has photos but no records.
    assert checklist(store, case_id, staff)["medical_records"] == "missing"
    added = store.cases.add_attachment(
        case_id, DocumentationItem.medical_records, "notes 2026-11.pdf", PDF, actor=staff
    )
    assert (added.filename, added.media_type, added.size) == (
        "notes 2026-11.pdf",
        "application/pdf",
        len(PDF),
    )
    assert checklist(store, case_id, staff)["medical_records"] == "present"
    [listed] = store.cases.attachments(case_id, actor=staff)
    assert listed == added
    view, content = store.cases.attachment_content(case_id, added.id, actor=staff)
    assert view == added and content == PDF


def test_a_file_of_another_case_is_not_reachable_through_this_one(store: Store, staff: int) -> None:
    first = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    second = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    photo = store.cases.add_attachment(
        first, DocumentationItem.photos, "hand.png", PNG, actor=staff
    )
    with pytest.raises(CaseNotFound):
        store.cases.attachment_content(second, photo.id, actor=staff)
    with pytest.raises(CaseNotFound):
        store.cases.attachment_content(str(uuid.uuid4()), photo.id, actor=staff)
    assert store.cases.attachments(second, actor=staff) == []


def test_another_clinics_staff_reach_neither_the_files_nor_the_deadlines(
    store: Store, staff: int
) -> None:
    ClinicRepository(store.sessions).add_clinic("north", "North Skin Clinic")
    outsider = store.users.add_user(
        "sam@north.example", "a long walk by the river", clinic="north", role=Role.admin
    ).id
    case_id = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    photo = store.cases.add_attachment(
        case_id, DocumentationItem.photos, "hand.png", PNG, actor=staff
    )
    store.cases.add_event(case_id, EventKind.pa_denied, date(2025, 1, 10), actor=staff, today=TODAY)
    with pytest.raises(CaseNotFound):
        store.cases.attachments(case_id, actor=outsider)
    with pytest.raises(CaseNotFound):
        store.cases.attachment_content(case_id, photo.id, actor=outsider)
    with pytest.raises(CaseNotFound):
        store.cases.add_attachment(case_id, DocumentationItem.photos, "x.png", PNG, actor=outsider)
    assert store.cases.open_deadlines(actor=outsider) == []
    assert [d.due for _, d in store.cases.open_deadlines(actor=staff)] == [date(2025, 7, 9)]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("photo.png", PDF, "its contents are not a .png file"),
        ("records.pdf", PNG, "its contents are not a .pdf file"),
        ("script.exe", b"MZ" + b"\x00" * 10, ".exe is not accepted; allowed: .jpg"),
        ("empty.jpg", b"", "is empty"),
        ("", PNG, "has no name"),
        ("big.pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES, "at most 10,000,000 are allowed"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused(
    name: str, content: bytes, expected: str
) -> None:
    with pytest.raises(InputError, match=expected.replace(".", r"\.")):
        checked_file(name, content)


def test_a_refused_file_leaves_the_case_as_it_was(store: Store, staff: int) -> None:
    case_id = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    with pytest.raises(InputError):
        store.cases.add_attachment(
            case_id, DocumentationItem.medical_records, "x.pdf", PNG, actor=staff
        )
    assert store.cases.attachments(case_id, actor=staff) == []
    assert checklist(store, case_id, staff)["medical_records"] == "missing"


def test_the_path_in_a_file_name_is_dropped() -> None:
    assert checked_file("../../etc/photo.png", PNG) == ("photo.png", "image/png")
    assert checked_file("C:\\Users\\me\\hand.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 8)[0] == (
        "hand.JPG"
    )


def test_every_open_deadline_across_cases_soonest_first(store: Store, staff: int) -> None:
    add = store.cases.add_event
    denied = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    add(denied, EventKind.pa_denied, date(2025, 1, 10), actor=staff, today=TODAY)
    waiting = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    add(waiting, EventKind.pa_submitted, date(2025, 1, 6), actor=staff, today=TODAY)
    store.cases.create_case(burn_case(), actor=staff, today=TODAY)  # nothing due
    everything = store.cases.open_deadlines(actor=staff)
    # C1: a denial received 2025-01-10 may be appealed until 2025-07-09. C5: a pre-service
    # request submitted 2025-01-06 is decided in 15 days (2025-01-21), or with the plan's one
    # extension in 15 more (2025-02-05).
    assert [(summary.id, deadline.due) for summary, deadline in everything] == [
        (waiting, date(2025, 1, 21)),
        (waiting, date(2025, 2, 5)),
        (denied, date(2025, 7, 9)),
    ]
    soon = store.cases.open_deadlines(actor=staff, until=date(2025, 2, 1))
    assert [summary.id for summary, _ in soon] == [waiting]
