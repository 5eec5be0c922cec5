"""Staff accounts: the only people who can see case records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dermcover.inputs import InputError
from dermcover.store.audit import record
from dermcover.store.database import Sessions
from dermcover.store.models import AuditAction, StaffUser
from dermcover.store.passwords import check_strength, hash_password, needs_rehash, password_matches

# One @, something either side, a dot in the domain, no spaces: enough to catch a typo without
# pretending to validate deliverability.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Staff:
    id: int
    email: str
    name: str | None
    active: bool
    created_at: datetime


class UserExists(InputError):
    """An account with that email is already there."""


def normalise_email(email: str) -> str:
    """Emails compare without case; an invalid one is an InputError naming it."""
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.fullmatch(cleaned):
        raise InputError(f"email = {email!r}: not an email address (expected name@example.org)")
    return cleaned


class UserRepository:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def add_user(self, email: str, password: str, *, name: str | None = None) -> Staff:
        """Create a staff account; weak passwords and taken emails are refused (InputError)."""
        address = normalise_email(email)
        check_strength(password, address)
        display_name = name.strip() if name and name.strip() else None
        if display_name is not None and len(display_name) > 200:
            raise InputError("name: is longer than 200 characters")
        with self._sessions.begin() as session:
            if _by_email(session, address) is not None:
                raise UserExists(f"email = {address!r}: a staff account with it already exists")
            user = StaffUser(
                email=address, name=display_name, password_hash=hash_password(password)
            )
            session.add(user)
            try:
                session.flush()
            except IntegrityError:  # added by someone else since the check above
                raise UserExists(
                    f"email = {address!r}: a staff account with it already exists"
                ) from None
            record(session, user.id, AuditAction.user_added, None)
            return _staff(user)

    def get_user(self, user_id: int) -> Staff | None:
        with self._sessions() as session:
            user = session.get(StaffUser, user_id)
            return _staff(user) if user is not None else None

    def get_user_by_email(self, email: str) -> Staff | None:
        with self._sessions() as session:
            user = _by_email(session, email.strip().lower())
            return _staff(user) if user is not None else None

    def verify_password(self, email: str, password: str) -> Staff | None:
        """The active account whose password this is, else None; either way, audited."""
        with self._sessions.begin() as session:
            user = _by_email(session, email.strip().lower())
            matches = password_matches(user.password_hash if user else None, password)
            if user is None or not matches or not user.active:
                record(session, user.id if user else None, AuditAction.sign_in_failed, None)
                return None
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            record(session, user.id, AuditAction.signed_in, None)
            return _staff(user)


def _by_email(session: Session, email: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(StaffUser.email == email)).one_or_none()


def _staff(user: StaffUser) -> Staff:
    return Staff(
        id=user.id,
        email=user.email,
        name=user.name,
        active=user.active,
        created_at=user.created_at,
    )
