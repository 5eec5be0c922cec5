"""Server-side staff sessions: they end when revoked, when idle, and at their absolute age."""

from __future__ import annotations

from datetime import timedelta

import pytest
from store_support import Store

from dermcover.store.models import now
from dermcover.store.sessions import SessionStore

PASSWORD = "correct horse battery"


@pytest.fixture
def staff_sessions(store: Store) -> SessionStore:
    return SessionStore(store.sessions, idle=timedelta(minutes=30), absolute=timedelta(hours=12))


def test_a_session_resumes_from_its_token_alone(staff_sessions: SessionStore, staff: int) -> None:
    token, started = staff_sessions.start(staff)
    resumed = staff_sessions.resume(token)
    assert resumed is not None and resumed.user_id == staff
    assert resumed.csrf_token == started.csrf_token
    assert staff_sessions.resume(token + "x") is None
    assert staff_sessions.resume("") is None and staff_sessions.resume("t" * 10_000) is None


def test_sign_out_ends_the_session(staff_sessions: SessionStore, staff: int) -> None:
    token, _ = staff_sessions.start(staff)
    staff_sessions.end(token)
    assert staff_sessions.resume(token) is None


def test_an_idle_session_ends(staff_sessions: SessionStore, staff: int) -> None:
    token, _ = staff_sessions.start(staff)
    assert staff_sessions.resume(token, at=now() + timedelta(minutes=29)) is not None
    assert staff_sessions.resume(token, at=now() + timedelta(minutes=29 + 31)) is None
    assert staff_sessions.resume(token) is None, "an ended session is gone for good"


def test_a_busy_session_still_ends_at_its_absolute_age(
    staff_sessions: SessionStore, staff: int
) -> None:
    token, _ = staff_sessions.start(staff)
    moment = now()
    for _ in range(35):  # used every twenty minutes for eleven hours and forty minutes
        moment += timedelta(minutes=20)
        assert staff_sessions.resume(token, at=moment) is not None
    assert staff_sessions.resume(token, at=moment + timedelta(minutes=25)) is None


def test_disabling_the_account_ends_its_sessions(
    store: Store, staff_sessions: SessionStore, staff: int
) -> None:
    token, _ = staff_sessions.start(staff)
    store.users.disable_user("avery.front-desk@clinic.example")
    assert staff_sessions.resume(token) is None


def test_a_password_change_ends_every_session(
    store: Store, staff_sessions: SessionStore, staff: int
) -> None:
    first, _ = staff_sessions.start(staff)
    second, _ = staff_sessions.start(staff)
    store.users.change_password(staff, PASSWORD, "a brand new passphrase")
    assert staff_sessions.resume(first) is None and staff_sessions.resume(second) is None
    assert store.users.verify_password("avery.front-desk@clinic.example", PASSWORD) is None


def test_the_sweep_deletes_only_sessions_that_ran_out(
    staff_sessions: SessionStore, staff: int
) -> None:
    old, _ = staff_sessions.start(staff)
    assert staff_sessions.sweep(at=now() + timedelta(hours=1)) == 1
    fresh, _ = staff_sessions.start(staff)
    assert staff_sessions.sweep() == 0
    assert staff_sessions.resume(fresh) is not None and staff_sessions.resume(old) is None
