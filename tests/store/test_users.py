"""Staff accounts: argon2 hashes, passwords strong enough for records of patients' health."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from store_support import Store

from dermcover.inputs import InputError
from dermcover.store.models import AuditAction, StaffUser
from dermcover.store.users import UserExists

PASSWORD = "plum orchard at dusk"


def test_a_staff_member_signs_in_with_their_password(store: Store) -> None:
    added = store.users.add_user("Morgan.Nurse@Clinic.example", PASSWORD, name="Morgan Lee")
    assert (added.email, added.name, added.active) == (
        "morgan.nurse@clinic.example",
        "Morgan Lee",
        True,
    )
    signed_in = store.users.verify_password("morgan.nurse@clinic.example", PASSWORD)
    assert signed_in == added
    assert store.users.verify_password("MORGAN.NURSE@clinic.example", PASSWORD) == added
    assert store.users.get_user(added.id) == added


def test_a_wrong_password_or_unknown_email_does_not_sign_in(store: Store) -> None:
    store.users.add_user("morgan@clinic.example", PASSWORD)
    assert store.users.verify_password("morgan@clinic.example", PASSWORD + "!") is None
    assert store.users.verify_password("nobody@clinic.example", PASSWORD) is None


def test_passwords_are_stored_as_argon2id_hashes(store: Store) -> None:
    store.users.add_user("morgan@clinic.example", PASSWORD)
    with store.sessions() as session:
        stored = session.scalars(select(StaffUser.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_sign_ins_are_audited_whether_they_succeed_or_not(store: Store) -> None:
    user = store.users.add_user("morgan@clinic.example", PASSWORD)
    store.users.verify_password("morgan@clinic.example", "not the password at all")
    store.users.verify_password("morgan@clinic.example", PASSWORD)
    store.users.verify_password("stranger@clinic.example", PASSWORD)
    assert [(e.user_id, e.action) for e in reversed(store.audit.entries())] == [
        (user.id, AuditAction.user_added),
        (user.id, AuditAction.sign_in_failed),
        (user.id, AuditAction.signed_in),
        (None, AuditAction.sign_in_failed),
    ]


def test_a_deactivated_account_cannot_sign_in(store: Store) -> None:
    user = store.users.add_user("morgan@clinic.example", PASSWORD)
    with store.sessions.begin() as session:
        session.get_one(StaffUser, user.id).active = False
    assert store.users.verify_password("morgan@clinic.example", PASSWORD) is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "password: is empty"),
        ("   ", "password: is empty"),
        ("short pass", "is 10 characters long; it needs at least 12"),
        ("aaaaaaaaaaaaaaaa", "one character repeated"),
        ("morgan.lee.rn@clinic.example", "is the email address"),
        ("Morgan.Lee.RN", "is the email address"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule(
    store: Store, password: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        store.users.add_user("morgan.lee.rn@clinic.example", password)
    assert store.users.get_user_by_email("morgan.lee.rn@clinic.example") is None


def test_an_email_can_have_only_one_account(store: Store) -> None:
    store.users.add_user("morgan@clinic.example", PASSWORD)
    with pytest.raises(
        UserExists, match=re.escape("'morgan@clinic.example': a staff account with it")
    ):
        store.users.add_user("MORGAN@clinic.example", "a different passphrase")


@pytest.mark.parametrize("email", ["", "morgan", "morgan@clinic", "mor gan@clinic.example"])
def test_an_address_that_is_not_an_email_is_refused(store: Store, email: str) -> None:
    with pytest.raises(InputError, match=r"email = .*not an email address"):
        store.users.add_user(email, PASSWORD)
