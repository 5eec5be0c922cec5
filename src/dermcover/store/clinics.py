"""Clinics (the tenants) and what each role may do in one.

A clinic owns its cases, its staff and its audit log. A staff member belongs to one or more
clinics with one role in each:

| role | may |
| --- | --- |
| `admin` | everything below, and manage the clinic's staff |
| `biller` | read and write cases, record payer events, write every document |
| `clinician` | read and write cases, write letters (medical necessity, appeal) |
| `viewer` | read cases |

`scope_of` reads a staff member's memberships inside the caller's transaction, so a role changed
or removed a moment ago applies to the very next request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dermcover.inputs import InputError
from dermcover.store.audit import record
from dermcover.store.database import Sessions
from dermcover.store.models import AuditAction, Clinic, ClinicMember, Role

DEFAULT_CLINIC = "default"
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


class Permission(StrEnum):
    read_cases = "read cases"
    write_cases = "write cases"
    record_events = "record payer events"
    write_letters = "write letters"
    write_documents = "write documents"
    manage_staff = "manage staff"


_VIEWER = frozenset({Permission.read_cases})
_CLINICIAN = _VIEWER | {Permission.write_cases, Permission.write_letters}
_BILLER = _CLINICIAN | {Permission.record_events, Permission.write_documents}
PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.viewer: _VIEWER,
    Role.clinician: _CLINICIAN,
    Role.biller: _BILLER,
    Role.admin: _BILLER | {Permission.manage_staff},
}


class NotPermitted(PermissionError):
    """The staff member's role in the case's clinic does not allow this (403)."""

    def __init__(self, role: Role | None, permission: Permission) -> None:
        if role is None:
            message = f"you are in no clinic where you may {permission.value}"
        else:
            message = f"the {role.value} role may not {permission.value}"
        super().__init__(f"{message}; ask the clinic's admin")
        self.role = role
        self.permission = permission


class NotAMember(NotPermitted):
    """A staff member named a clinic they are not in (403). The answer is the same whether the
    clinic exists or not, so that no one learns which clinics the service holds."""

    def __init__(self, slug: str) -> None:
        PermissionError.__init__(
            self, f"clinic = {slug[:80]!r}: you are not a member of this clinic"
        )
        self.role = None
        self.permission = Permission.write_cases


class ClinicNotFound(InputError):
    """A clinic named that does not exist (or the staff member is not in it)."""


@dataclass(frozen=True)
class ClinicInfo:
    id: int
    slug: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Scope:
    """The clinics one staff member is in, and their role in each (clinic id -> role)."""

    user_id: int
    roles: Mapping[int, Role]

    def clinics_allowing(self, permission: Permission) -> list[int]:
        return sorted(c for c, role in self.roles.items() if permission in PERMISSIONS[role])

    def check(self, clinic_id: int, permission: Permission) -> None:
        """Raise NotPermitted unless the role in `clinic_id` allows `permission`."""
        role = self.roles.get(clinic_id)
        if role is None or permission not in PERMISSIONS[role]:
            raise NotPermitted(role, permission)


def scope_of(session: Session, user_id: int) -> Scope:
    rows = session.execute(
        select(ClinicMember.clinic_id, ClinicMember.role).where(ClinicMember.user_id == user_id)
    )
    return Scope(user_id=user_id, roles={clinic: role for clinic, role in rows})


def check_slug(slug: str) -> str:
    cleaned = slug.strip().lower()
    if not _SLUG.fullmatch(cleaned):
        raise InputError(
            f"clinic = {slug[:80]!r}: not a clinic id; use 1 to 64 lowercase letters, digits "
            "and hyphens, starting with a letter or digit"
        )
    return cleaned


def clinic_by_slug(session: Session, slug: str) -> Clinic:
    found = session.scalars(select(Clinic).where(Clinic.slug == check_slug(slug))).one_or_none()
    if found is None:
        known = ", ".join(session.scalars(select(Clinic.slug).order_by(Clinic.slug)))
        raise ClinicNotFound(f"clinic = {slug[:80]!r}: no such clinic; known: {known or 'none'}")
    return found


class ClinicRepository:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def add_clinic(self, slug: str, name: str, *, actor: int | None = None) -> ClinicInfo:
        cleaned = check_slug(slug)
        title = name.strip()
        if not title or len(title) > 200:
            raise InputError("clinic name: give 1 to 200 characters")
        with self._sessions.begin() as session:
            clinic = Clinic(slug=cleaned, name=title)
            session.add(clinic)
            try:
                session.flush()
            except IntegrityError:
                raise InputError(f"clinic = {cleaned!r}: a clinic with this id exists") from None
            record(session, actor, AuditAction.clinic_added, None, clinic_id=clinic.id)
            return _info(clinic)

    def list_clinics(self) -> list[ClinicInfo]:
        with self._sessions() as session:
            return [_info(c) for c in session.scalars(select(Clinic).order_by(Clinic.slug))]

    def get_clinic(self, slug: str) -> ClinicInfo:
        with self._sessions() as session:
            return _info(clinic_by_slug(session, slug))


def _info(clinic: Clinic) -> ClinicInfo:
    return ClinicInfo(
        id=clinic.id, slug=clinic.slug, name=clinic.name, created_at=clinic.created_at
    )
