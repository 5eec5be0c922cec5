"""Prior authorizations received over PAS and the coverage answers given over CRD.

Each method is one transaction; a submission (the record, the case it files, the case's first
events, their audit entries) commits whole or not at all, so a failure anywhere leaves nothing.
Every change to a prior-authorization record, and every read of it by a calling system, adds a
line to its own audit trail (what, who, when); nothing from inside the request goes into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from dermcover.case import Case
from dermcover.determination import Determination
from dermcover.store.cases import CaseRepository, readable_clinics
from dermcover.store.database import Sessions
from dermcover.store.models import (
    CaseRecord,
    CoverageAssertion,
    PriorAuthorizationLogEntry,
    PriorAuthorizationRecord,
    now,
)
from dermcover.store.timeline import EventKind


@dataclass(frozen=True)
class AssertionView:
    id: str
    subject: str
    coverage: str | None
    case: Case
    determination: Determination
    answered_at: datetime | None


class CoverageAssertions:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def save(
        self,
        assertion_id: str,
        subject: str,
        case: Case,
        determination: Determination,
        *,
        coverage: str | None = None,
        answered: bool = False,
    ) -> AssertionView:
        """Store (or replace) the answer given under `assertion_id`."""
        with self._sessions.begin() as session:
            found = session.get(CoverageAssertion, assertion_id)
            if found is None:
                found = CoverageAssertion(id=assertion_id, subject=subject[:400])
                session.add(found)
            found.policy_id = determination.policy.id
            if coverage is not None:
                found.coverage = coverage[:200]
            found.case_document = case.model_dump(mode="json", exclude_none=True)
            found.determination_document = determination.model_dump(mode="json")
            found.updated_at = now()
            if answered:
                found.answered_at = now()
            session.flush()
            return _assertion(found)

    def get(self, assertion_id: str) -> AssertionView | None:
        with self._sessions() as session:
            found = session.get(CoverageAssertion, assertion_id[:64])
            return _assertion(found) if found is not None else None

    def answered_for(self, subject: str) -> AssertionView | None:
        """The latest answer for `subject` that a completed questionnaire informed."""
        query = (
            select(CoverageAssertion)
            .where(CoverageAssertion.subject == subject[:400])
            .where(CoverageAssertion.answered_at.is_not(None))
            .order_by(CoverageAssertion.answered_at.desc())
            .limit(1)
        )
        with self._sessions() as session:
            found = session.scalars(query).first()
            return _assertion(found) if found is not None else None


def _assertion(found: CoverageAssertion) -> AssertionView:
    return AssertionView(
        id=found.id,
        subject=found.subject,
        coverage=found.coverage,
        case=Case.model_validate(found.case_document),
        determination=Determination.model_validate(found.determination_document),
        answered_at=found.answered_at,
    )


@dataclass(frozen=True)
class LogLine:
    action: str
    status: str
    user_id: int | None
    client: str | None
    at: datetime


@dataclass(frozen=True)
class PriorAuthView:
    id: int
    reference: str
    claim_identifier: str
    member_id: str | None
    case_id: str | None
    status: str
    request: dict[str, Any]
    response: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    log: list[LogLine]


@dataclass(frozen=True)
class CaseFiling:
    """The case a request files in the clinic workspace, under `actor` in `clinic` (a clinic id;
    None: the actor's only one), with the events it starts with (kind, notes), all on `today`."""

    cases: CaseRepository
    case: Case
    actor: int
    today: date
    clinic: str | None = None
    events: list[tuple[EventKind, str]] = field(default_factory=list)


class PriorAuthorizations:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def record(
        self,
        *,
        reference: str,
        claim_identifier: str,
        member_id: str | None,
        case_id: str | None,
        status: str,
        request: dict[str, Any],
        response: dict[str, Any],
        client: str | None,
        filing: CaseFiling | None = None,
    ) -> PriorAuthView:
        """Keep a request and its answer, and file its case (`filing`) in the same transaction."""
        with self._sessions.begin() as session:
            found = PriorAuthorizationRecord(
                reference=reference,
                claim_identifier=claim_identifier[:400],
                member_id=member_id[:200] if member_id else None,
                case_id=case_id,
                status=status,
                request_document=request,
                response_document=response,
                log=[],
            )
            found.log.append(_line("submitted", status, None, client))
            session.add(found)
            session.flush()
            if filing is not None:
                made = filing.cases.create_in(
                    session,
                    filing.case,
                    actor=filing.actor,
                    clinic=filing.clinic,
                    today=filing.today,
                )
                for kind, notes in filing.events:
                    filing.cases.add_event_in(
                        session,
                        made,
                        kind,
                        filing.today,
                        actor=filing.actor,
                        notes=notes,
                        today=filing.today,
                    )
                found.case_id = made.public_id
                session.flush()
            return _view(found)

    def latest_for_claim(
        self, claim_identifier: str, *, client: str | None, actor: int | None = None
    ) -> PriorAuthView | None:
        """The newest record for a claim identifier; the read is written to its trail. With
        `actor`, only a record whose case is in one of the actor's clinics, or (a request that
        filed no case) one `client` submitted: another clinic's record is not found."""
        query = (
            select(PriorAuthorizationRecord)
            .where(PriorAuthorizationRecord.claim_identifier == claim_identifier[:400])
            .order_by(PriorAuthorizationRecord.id.desc())
            .limit(1)
            .options(selectinload(PriorAuthorizationRecord.log))
        )
        with self._sessions.begin() as session:
            if actor is not None:
                query = query.where(_visible(session, actor, client))
            found = session.scalars(query).first()
            if found is None:
                return None
            found.log.append(_line("inquired", found.status, None, client))
            session.flush()
            return _view(found)

    def for_case(self, case_id: str) -> list[PriorAuthView]:
        """The records for a case the caller has already read through `CaseRepository` (which
        checked the caller's clinic and role)."""
        query = (
            select(PriorAuthorizationRecord)
            .where(PriorAuthorizationRecord.case_id == case_id)
            .order_by(PriorAuthorizationRecord.id.desc())
            .options(selectinload(PriorAuthorizationRecord.log))
        )
        with self._sessions() as session:
            return [_view(found) for found in session.scalars(query)]

    def decide(
        self,
        record_id: int,
        status: str,
        response: dict[str, Any],
        *,
        user_id: int | None = None,
        client: str | None = None,
    ) -> PriorAuthView:
        """A later decision on a record (by staff, or re-deciding on an inquiry)."""
        with self._sessions.begin() as session:
            found = session.get(PriorAuthorizationRecord, record_id, with_for_update=True)
            if found is None:
                raise LookupError(f"prior authorization {record_id}: no such record")
            found.status = status
            found.response_document = response
            found.updated_at = now()
            found.log.append(_line("decided", status, user_id, client))
            session.flush()
            return _view(found)


def _visible(session: Session, actor: int, client: str | None) -> ColumnElement[bool]:
    in_clinics = select(CaseRecord.public_id).where(
        CaseRecord.clinic_id.in_(readable_clinics(session, actor))
    )
    submitter = (
        PriorAuthorizationLogEntry.client.is_(None)
        if client is None
        else PriorAuthorizationLogEntry.client == client[:400]
    )
    submitted = select(PriorAuthorizationLogEntry.prior_authorization_id).where(
        PriorAuthorizationLogEntry.action == "submitted", submitter
    )
    record = PriorAuthorizationRecord
    return or_(
        record.case_id.in_(in_clinics),
        and_(record.case_id.is_(None), record.id.in_(submitted)),
    )


def _line(
    action: str, status: str, user_id: int | None, client: str | None
) -> PriorAuthorizationLogEntry:
    return PriorAuthorizationLogEntry(
        action=action, status=status, user_id=user_id, client=client[:400] if client else None
    )


def _view(found: PriorAuthorizationRecord) -> PriorAuthView:
    return PriorAuthView(
        id=found.id,
        reference=found.reference,
        claim_identifier=found.claim_identifier,
        member_id=found.member_id,
        case_id=found.case_id,
        status=found.status,
        request=found.request_document,
        response=found.response_document,
        created_at=found.created_at,
        updated_at=found.updated_at,
        log=[
            LogLine(action=e.action, status=e.status, user_id=e.user_id, client=e.client, at=e.at)
            for e in found.log
        ],
    )
