"""The tables: clinics, staff users and their roles, sign-in sessions and throttling, case
records, their events and the audit log.

A clinic owns its cases and its audit entries; a staff member belongs to clinics through
`ClinicMember`, each membership with one role. A case is known outside the database only by its
`public_id`, a random UUID, so nobody can guess another case's address.

A case record keeps the case exactly as handed in and its latest determination, both as JSON in
the public contract's shape, so a record reads back as the same `Case` and `Determination`. The
status is stored beside them (derived, see `timeline.py`) so the case list can be filtered and
sorted without opening every document.

The audit log holds who, what and when, and never anything from inside a case: its `case_id` is
the case's public id as plain text, not a foreign key, so a refused read of a case that does not
exist (or is another clinic's) is recorded too.

Sessions are stored by the SHA-256 of their token: the cookie holds the token, so a copy of the
database does not hand out working sessions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from dermcover.store.timeline import CaseStatus, EventKind


class AuditAction(StrEnum):
    """What a staff member did. The audit log records nothing more specific than this."""

    case_created = "case_created"
    case_read = "case_read"
    case_updated = "case_updated"
    cases_listed = "cases_listed"
    event_added = "event_added"
    user_added = "user_added"
    signed_in = "signed_in"
    sign_in_failed = "sign_in_failed"
    case_refused = "case_refused"
    signed_out = "signed_out"
    password_changed = "password_changed"
    user_disabled = "user_disabled"
    role_changed = "role_changed"
    clinic_added = "clinic_added"
    sign_in_locked = "sign_in_locked"


class Role(StrEnum):
    """What a staff member may do in one clinic (see `dermcover.store.clinics.PERMISSIONS`)."""

    admin = "admin"
    biller = "biller"
    clinician = "clinician"
    viewer = "viewer"


# Named constraints, so that migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON documents: JSONB on PostgreSQL, JSON text elsewhere.
Document = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, always stored as UTC and always read back timezone-aware
    (SQLite keeps no zone, so its naive values are UTC by construction)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored; give it a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def now() -> datetime:
    return datetime.now(UTC)


def _enum(
    kind: type[CaseStatus] | type[EventKind] | type[AuditAction] | type[Role], name: str
) -> Enum:
    # Stored as text with a CHECK constraint (not a native PostgreSQL type), so adding a value
    # later is a one-line migration on both databases.
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class Clinic(Base):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class ClinicMember(Base):
    """A staff member's role in one clinic."""

    __tablename__ = "clinic_members"

    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), primary_key=True, index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "staff_role"))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class StaffSession(Base):
    """A signed-in browser or API client. Deleting the row ends the session everywhere."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class SignInFailures(Base):
    """Failed sign-ins counted against one key (an account from one address, or an address),
    so that every process and every restart sees the same count."""

    __tablename__ = "sign_in_failures"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CaseRecord(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(200))
    policy_id: Mapped[str] = mapped_column(String(64))
    plan_type: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus, "case_status"), index=True)
    case_document: Mapped[dict[str, Any]] = mapped_column(Document)
    determination_document: Mapped[dict[str, Any]] = mapped_column(Document)
    next_deadline: Mapped[date | None] = mapped_column(Date, index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now, index=True)

    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case",
        order_by="(CaseEvent.event_date, CaseEvent.id)",
        cascade="all, delete-orphan",
    )


class CaseEvent(Base):
    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "event_kind"))
    event_date: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    # {"deadlines": [...], "notes": [...]}: what the regulatory clocks gave when it was recorded
    clocks: Mapped[dict[str, Any]] = mapped_column(Document)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)

    case: Mapped[CaseRecord] = relationship(back_populates="events")


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    action: Mapped[AuditAction] = mapped_column(_enum(AuditAction, "audit_action"))
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now, index=True)


class CoverageAssertion(Base):
    """One coverage answer given to an EHR over CRD, by its coverage-assertion-id: the case as
    last known (with any DTR answers folded in) and its determination, so that DTR, a second CRD
    call and PAS for the same order pick up where the last one left off."""

    __tablename__ = "coverage_assertions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(400), index=True)
    policy_id: Mapped[str] = mapped_column(String(64))
    coverage: Mapped[str | None] = mapped_column(String(200))
    case_document: Mapped[dict[str, Any]] = mapped_column(Document)
    determination_document: Mapped[dict[str, Any]] = mapped_column(Document)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class PriorAuthorizationRecord(Base):
    """A prior-authorization request received over PAS, the answer given, and the case it made.
    `status` is the current decision; it changes when staff record the payer's decision later."""

    __tablename__ = "prior_authorizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    claim_identifier: Mapped[str] = mapped_column(String(400), index=True)
    member_id: Mapped[str | None] = mapped_column(String(200))
    # The case's public id: the same name for it as everywhere outside the case table.
    case_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("cases.public_id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    request_document: Mapped[dict[str, Any]] = mapped_column(Document)
    response_document: Mapped[dict[str, Any]] = mapped_column(Document)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)

    log: Mapped[list[PriorAuthorizationLogEntry]] = relationship(
        back_populates="prior_authorization",
        order_by="PriorAuthorizationLogEntry.id",
        cascade="all, delete-orphan",
    )


class PriorAuthorizationLogEntry(Base):
    """The audit trail of one prior-authorization record: what happened, who did it (a staff
    member, or the calling system named by its token's issuer), and when."""

    __tablename__ = "prior_authorization_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    prior_authorization_id: Mapped[int] = mapped_column(
        ForeignKey("prior_authorizations.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    client: Mapped[str | None] = mapped_column(String(400))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)

    prior_authorization: Mapped[PriorAuthorizationRecord] = relationship(back_populates="log")


class Attachment(Base):
    """A file kept with a case (a photo, a record), its bytes in the database beside the case so
    that it is scoped, backed up and deleted with it. `item` is the documentation item it is
    on file as, which the case's checklist then shows as present."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class CalendarFeed(Base):
    """A staff member's calendar feed: the unguessable token its address carries instead of
    any name, so a calendar app can read the deadlines without signing in."""

    __tablename__ = "calendar_feeds"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class SharedCheck(Base):
    """A patient's result shared by link, at the patient's request: the answers (no name, no
    identifiers) under an unguessable token, until it expires or the patient deletes it."""

    __tablename__ = "shared_checks"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(Document)
    costs: Mapped[dict[str, Any]] = mapped_column(Document)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
