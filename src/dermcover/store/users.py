"""Staff accounts, the only people who can see case records, and their clinics and roles.

A new account joins a clinic: the one named, else the only one there is. The first member of a
clinic becomes its admin; later members are viewers unless a role is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dermcover.inputs import InputError
from dermcover.store.audit import record
from dermcover.store.clinics import ClinicNotFound, clinic_by_slug
from dermcover.store.database import Sessions
from dermcover.store.models import AuditAction, Clinic, ClinicMember, Role, StaffSession, StaffUser
from dermcover.store.passwords import check_strength, hash_password, needs_rehash, password_matches

# One @, something either side, a dot in the domain, no spaces: enough to catch a typo without
# pretending to validate deliverability.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class WrongPassword(InputError):
    """The current password given to change it is not the account's (403 on the API: the
    request is well formed, the proof of who is asking is not)."""


@dataclass(frozen=True)
class Staff:
    id: int
    email: str
    name: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class Membership:
    clinic: str
    clinic_name: str
    role: Role


@dataclass(frozen=True)
class StaffListing:
    staff: Staff
    memberships: list[Membership]


class UserExists(InputError):
    """An account with that email is already there."""


class UserNotFound(InputError):
    """No account with that email."""


def normalise_email(email: str) -> str:
    """Emails compare without case; an invalid one is an InputError naming it."""
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.fullmatch(cleaned):
        raise InputError(f"email = {email!r}: not an email address (expected name@example.org)")
    return cleaned


class UserRepository:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def add_user(
        self,
        email: str,
        password: str,
        *,
        name: str | None = None,
        clinic: str | None = None,
        role: Role | None = None,
    ) -> Staff:
        """Create a staff account in `clinic` (default: the only clinic) with `role` (default:
        admin for a clinic's first member, else viewer); weak passwords, taken emails and
        unknown clinics are refused (InputError)."""
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
            joined = _clinic_to_join(session, clinic)
            if role is None:
                first = session.scalars(
                    select(ClinicMember.user_id).where(ClinicMember.clinic_id == joined.id)
                ).first()
                role = Role.admin if first is None else Role.viewer
            session.add(ClinicMember(clinic_id=joined.id, user_id=user.id, role=role))
            record(session, user.id, AuditAction.user_added, None, clinic_id=joined.id)
            return _staff(user)

    def list_users(self) -> list[StaffListing]:
        """Every account with its clinics and roles, by email."""
        with self._sessions() as session:
            users = session.scalars(select(StaffUser).order_by(StaffUser.email)).all()
            rows = session.execute(
                select(ClinicMember.user_id, Clinic.slug, Clinic.name, ClinicMember.role)
                .join(Clinic, Clinic.id == ClinicMember.clinic_id)
                .order_by(Clinic.slug)
            ).all()
        memberships: dict[int, list[Membership]] = {}
        for user_id, slug, clinic_name, role in rows:
            memberships.setdefault(user_id, []).append(Membership(slug, clinic_name, role))
        return [StaffListing(_staff(u), memberships.get(u.id, [])) for u in users]

    def memberships(self, user_id: int) -> list[Membership]:
        with self._sessions() as session:
            rows = session.execute(
                select(Clinic.slug, Clinic.name, ClinicMember.role)
                .join(Clinic, Clinic.id == ClinicMember.clinic_id)
                .where(ClinicMember.user_id == user_id)
                .order_by(Clinic.slug)
            ).all()
        return [Membership(slug, clinic_name, role) for slug, clinic_name, role in rows]

    def disable_user(self, email: str, *, actor: int | None = None) -> Staff:
        """Disable the account and end every session it has, at once."""
        with self._sessions.begin() as session:
            user = _existing(session, email)
            user.active = False
            session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
            record(session, actor, AuditAction.user_disabled, None)
            return _staff(user)

    def set_role(
        self, email: str, clinic: str, role: Role | None, *, actor: int | None = None
    ) -> Membership | None:
        """Give the account `role` in `clinic` (joining it if need be); None removes it."""
        with self._sessions.begin() as session:
            user = _existing(session, email)
            found = clinic_by_slug(session, clinic)
            member = session.get(ClinicMember, (found.id, user.id))
            if role is None:
                if member is not None:
                    session.delete(member)
            elif member is None:
                session.add(ClinicMember(clinic_id=found.id, user_id=user.id, role=role))
            else:
                member.role = role
            record(session, actor, AuditAction.role_changed, None, clinic_id=found.id)
            return Membership(found.slug, found.name, role) if role is not None else None

    def change_password(self, user_id: int, current: str, new: str) -> Staff:
        """Set a new password (the current one must match) and end every session the account
        has: whoever else held one must sign in again."""
        with self._sessions.begin() as session:
            user = session.get(StaffUser, user_id)
            if user is None or not password_matches(user.password_hash, current):
                raise WrongPassword("current password: is not this account's password")
            check_strength(new, user.email)
            user.password_hash = hash_password(new)
            session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
            record(session, user.id, AuditAction.password_changed, None)
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


def _clinic_to_join(session: Session, clinic: str | None) -> Clinic:
    if clinic is not None:
        return clinic_by_slug(session, clinic)
    clinics = session.scalars(select(Clinic).order_by(Clinic.slug).limit(2)).all()
    if len(clinics) == 1:
        return clinics[0]
    if not clinics:
        raise ClinicNotFound("clinic: there is no clinic yet; add one first")
    raise InputError("clinic: there are several clinics; name the one this account joins")


def _existing(session: Session, email: str) -> StaffUser:
    user = _by_email(session, email.strip().lower())
    if user is None:
        raise UserNotFound(f"email = {email[:254]!r}: no staff account has this email")
    return user


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
