"""Clinics and roles in the store: who joins where, with which role, and what each role may do."""

from __future__ import annotations

import pytest
from store_support import MISSING, TODAY, Store, burn_case

from dermcover.inputs import InputError
from dermcover.store.clinics import (
    PERMISSIONS,
    ClinicNotFound,
    ClinicRepository,
    NotPermitted,
    Permission,
)
from dermcover.store.models import Role
from dermcover.store.timeline import EventKind

PASSWORD = "lanterns along the quay"


@pytest.fixture
def clinics(store: Store) -> ClinicRepository:
    return ClinicRepository(store.sessions)


def test_the_first_member_of_a_clinic_is_its_admin_and_the_next_a_viewer(store: Store) -> None:
    first = store.users.add_user("first@clinic.example", PASSWORD)
    second = store.users.add_user("second@clinic.example", PASSWORD)
    assert [(m.clinic, m.role) for m in store.users.memberships(first.id)] == [
        ("default", Role.admin)
    ]
    assert [(m.clinic, m.role) for m in store.users.memberships(second.id)] == [
        ("default", Role.viewer)
    ]


def test_with_several_clinics_a_new_account_must_name_one(
    store: Store, clinics: ClinicRepository
) -> None:
    clinics.add_clinic("north", "North Skin Clinic")
    with pytest.raises(InputError, match="there are several clinics"):
        store.users.add_user("someone@clinic.example", PASSWORD)
    with pytest.raises(ClinicNotFound, match="'south': no such clinic; known: default, north"):
        store.users.add_user("someone@clinic.example", PASSWORD, clinic="south")
    assert store.users.get_user_by_email("someone@clinic.example") is None


def test_clinic_ids_are_checked(clinics: ClinicRepository) -> None:
    with pytest.raises(InputError, match="not a clinic id"):
        clinics.add_clinic("North Clinic!", "North")
    clinics.add_clinic("north", "North Skin Clinic")
    with pytest.raises(InputError, match="'north': a clinic with this id exists"):
        clinics.add_clinic("North", "Another")
    assert [c.slug for c in clinics.list_clinics()] == ["default", "north"]


def test_roles_allow_what_the_table_says() -> None:
    assert PERMISSIONS[Role.viewer] == {Permission.read_cases}
    assert Permission.record_events not in PERMISSIONS[Role.clinician]
    assert Permission.write_letters in PERMISSIONS[Role.clinician]
    assert Permission.write_documents not in PERMISSIONS[Role.clinician]
    assert Permission.manage_staff not in PERMISSIONS[Role.biller]
    assert PERMISSIONS[Role.admin] > PERMISSIONS[Role.biller] > PERMISSIONS[Role.clinician]


def test_a_role_change_applies_to_the_very_next_call(store: Store, staff: int) -> None:
    case_id = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    store.users.set_role("avery.front-desk@clinic.example", "default", Role.viewer)
    with pytest.raises(NotPermitted, match="the viewer role may not record payer events"):
        store.cases.add_event(case_id, EventKind.pa_submitted, TODAY, actor=staff, today=TODAY)
    store.users.set_role("avery.front-desk@clinic.example", "default", None)
    assert store.cases.get_case(case_id, actor=staff) is None
    assert store.cases.list_cases(actor=staff) == []


def test_staff_of_two_clinics_see_both_and_must_say_where_a_case_goes(
    store: Store, clinics: ClinicRepository, staff: int
) -> None:
    clinics.add_clinic("north", "North Skin Clinic")
    store.users.set_role("avery.front-desk@clinic.example", "north", Role.biller)
    with pytest.raises(InputError, match="several clinics; name one of: default, north"):
        store.cases.create_case(burn_case(), actor=staff, today=TODAY)
    here = store.cases.create_case(burn_case(), actor=staff, clinic="default", today=TODAY)
    there = store.cases.create_case(burn_case(), actor=staff, clinic="north", today=TODAY)
    assert {(row.id, row.clinic) for row in store.cases.list_cases(actor=staff)} == {
        (here.id, "default"),
        (there.id, "north"),
    }


def test_a_clinic_s_audit_log_holds_only_its_own_entries(
    store: Store, clinics: ClinicRepository, staff: int
) -> None:
    north = clinics.add_clinic("north", "North Skin Clinic")
    other = store.users.add_user("kim@north.example", PASSWORD, clinic="north", role=Role.biller)
    ours = store.cases.create_case(burn_case(), actor=staff, today=TODAY).id
    theirs = store.cases.create_case(burn_case(), actor=other.id, today=TODAY).id
    assert store.cases.get_case(ours, actor=other.id) is None
    north_log = store.audit.entries(clinic_ids=[north.id])
    assert {e.case_id for e in north_log if e.case_id} == {theirs}
    assert store.cases.get_case(MISSING, actor=other.id) is None


def test_disabling_an_account_stops_its_sign_in(store: Store, staff: int) -> None:
    store.users.disable_user("Avery.Front-Desk@clinic.example")
    assert (
        store.users.verify_password("avery.front-desk@clinic.example", "correct horse battery")
        is None
    )
    with pytest.raises(InputError, match="no staff account has this email"):
        store.users.disable_user("nobody@clinic.example")


def test_the_user_list_shows_clinics_and_roles(
    store: Store, clinics: ClinicRepository, staff: int
) -> None:
    clinics.add_clinic("north", "North Skin Clinic")
    store.users.set_role("avery.front-desk@clinic.example", "north", Role.clinician)
    [listing] = store.users.list_users()
    assert listing.staff.id == staff
    assert [(m.clinic, m.role) for m in listing.memberships] == [
        ("default", Role.admin),
        ("north", Role.clinician),
    ]
