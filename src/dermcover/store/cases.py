"""Case records: create, read, list, revise, and record what the payer and the clinic did.

Each method is one transaction, and its audit entry is written inside it: the work and the record
of who did it commit together or not at all. A failure anywhere (a determination that raises, a
database error at flush) rolls everything back, so there is never a half-written case.

Reads return plain frozen objects, never ORM rows, so nothing outside this module can lazily load
from (or write to) the database by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dermcover.case import Case, DocumentationItem, PlanType
from dermcover.determination import Determination, Outcome
from dermcover.engine import determine
from dermcover.inputs import InputError
from dermcover.store.attachments import AttachmentView, checked_file
from dermcover.store.audit import record
from dermcover.store.clocks import Clocks, clocks_for
from dermcover.store.database import Sessions
from dermcover.store.models import Attachment, AuditAction, CaseEvent, CaseRecord, now
from dermcover.store.timeline import (
    CaseStatus,
    Deadline,
    EventKind,
    TimelineEvent,
    derive_status,
    in_order,
    next_deadline,
    open_deadlines,
)

MAX_NOTES = 4000

# How a case is decided: the engine by default; tests put a failing one in its place.
Decide = Callable[[Case, str | None, date], Determination]


def decide_with_engine(case: Case, policy_id: str | None, today: date) -> Determination:
    return determine(case, policy_id, today=today)


class CaseNotFound(LookupError):
    def __init__(self, case_id: int) -> None:
        super().__init__(f"case {case_id}: no such case")
        self.case_id = case_id


@dataclass(frozen=True)
class EventView:
    id: int
    kind: EventKind
    on: date
    notes: str | None
    deadlines: list[Deadline]
    deadline_notes: list[str]
    recorded_by: int
    recorded_at: datetime


@dataclass(frozen=True)
class CaseView:
    """One case as the case page shows it: facts, determination, status and timeline."""

    id: int
    reference: str | None
    case: Case
    determination: Determination
    status: CaseStatus
    events: list[EventView]
    open_deadlines: list[Deadline]
    created_by: int
    created_at: datetime
    updated_at: datetime

    @property
    def next_deadline(self) -> Deadline | None:
        return self.open_deadlines[0] if self.open_deadlines else None


@dataclass(frozen=True)
class CaseSummary:
    """One row of the case list."""

    id: int
    reference: str | None
    patient_name: str | None
    policy_id: str
    outcome: Outcome
    status: CaseStatus
    next_deadline: date | None
    updated_at: datetime
    plan_type: str | None = None
    procedure_codes: tuple[str, ...] = ()
    diagnoses: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseSearch:
    """What staff look a case up by; every part given must match."""

    patient: str | None = None  # part of the patient's name, any case
    code: str | None = None  # a procedure or diagnosis code on the case (L90.5 = L905)
    payer: str | None = None  # the policy id, or part of the plan's name

    def matches(self, found: CaseRecord, summary: CaseSummary) -> bool:
        if self.patient and self.patient.casefold() not in (summary.patient_name or "").casefold():
            return False
        if self.code:
            wanted = _code_key(self.code)
            if wanted not in {_code_key(c) for c in (*summary.procedure_codes, *summary.diagnoses)}:
                return False
        if self.payer:
            plan_name = (found.case_document.get("payer") or {}).get("plan_name") or ""
            payer = self.payer.casefold()
            if payer != summary.policy_id.casefold() and payer not in plan_name.casefold():
                return False
        return True


def _code_key(code: str) -> str:
    return code.replace(".", "").strip().upper()


class CaseRepository:
    def __init__(self, sessions: Sessions, decide: Decide = decide_with_engine) -> None:
        self._sessions = sessions
        self._decide = decide

    def create_case(
        self,
        case: Case,
        *,
        actor: int,
        policy_id: str | None = None,
        today: date | None = None,
    ) -> CaseView:
        """Store a case with its determination (under `policy_id`, else the case's own)."""
        with self._sessions.begin() as session:
            record_ = CaseRecord(created_by=actor, events=[])
            session.add(record_)
            _decide_into(record_, case, self._decide(case, policy_id, today or date.today()))
            session.flush()
            record(session, actor, AuditAction.case_created, record_.id)
            return _view(record_)

    def get_case(self, case_id: int, *, actor: int) -> CaseView | None:
        """The case, or None; the read (or the attempt) is audited either way."""
        with self._sessions.begin() as session:
            record(session, actor, AuditAction.case_read, case_id)
            found = _load(session, case_id)
            return _view(found) if found is not None else None

    def list_cases(
        self,
        *,
        actor: int,
        status: CaseStatus | None = None,
        search: CaseSearch | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[CaseSummary]:
        """Cases with the nearest deadline first, then those without one, latest change first;
        with `search`, only those it matches (looked for in the case documents)."""
        query = select(CaseRecord).order_by(
            CaseRecord.next_deadline.asc().nulls_last(),
            CaseRecord.updated_at.desc(),
            CaseRecord.id.desc(),
        )
        if status is not None:
            query = query.where(CaseRecord.status == status)
        if search is None:
            query = query.limit(limit).offset(offset)
        with self._sessions.begin() as session:
            record(session, actor, AuditAction.cases_listed, None)
            rows = [(row, _summary(row)) for row in session.scalars(query)]
        if search is not None:
            rows = [(row, summary) for row, summary in rows if search.matches(row, summary)]
            rows = rows[offset : offset + limit]
        return [summary for _, summary in rows]

    def update_case(
        self,
        case_id: int,
        case: Case,
        *,
        actor: int,
        policy_id: str | None = None,
        today: date | None = None,
    ) -> CaseView:
        """Replace the facts and decide again; the timeline stays. Raises CaseNotFound."""
        with self._sessions.begin() as session:
            found = _load(session, case_id, for_update=True)
            if found is None:
                raise CaseNotFound(case_id)
            _decide_into(found, case, self._decide(case, policy_id, today or date.today()))
            found.updated_at = now()
            record(session, actor, AuditAction.case_updated, case_id)
            session.flush()
            return _view(found)

    def add_event(
        self,
        case_id: int,
        kind: EventKind,
        on: date,
        *,
        actor: int,
        notes: str | None = None,
        today: date | None = None,
    ) -> EventView:
        """Record an event; its deadlines come from the clocks for the case's plan type.

        `on` is the day it happened: the day a payer's answer was received, the day a request or
        appeal was filed, the day of a peer-to-peer call (the one event that may be in the
        future). Raises CaseNotFound, or InputError for a date or notes that cannot be right.
        """
        _check_event(kind, on, notes, today or date.today())
        with self._sessions.begin() as session:
            found = _load(session, case_id, for_update=True)
            if found is None:
                raise CaseNotFound(case_id)
            case = Case.model_validate(found.case_document)
            earlier = [e.kind for e in in_order(_timeline(found)) if e.on <= on]
            plan_type = case.payer.plan_type if case.payer else None
            event = CaseEvent(
                kind=kind,
                event_date=on,
                notes=notes.strip() if notes and notes.strip() else None,
                clocks=clocks_for(kind, on, plan_type, earlier).model_dump(mode="json"),
                recorded_by=actor,
            )
            found.events.append(event)
            session.flush()
            _refresh_status(found, case)
            found.updated_at = now()
            record(session, actor, AuditAction.event_added, case_id)
            session.flush()
            return _event_view(event)

    # -- files kept with a case ------------------------------------------------------------

    def add_attachment(
        self,
        case_id: int,
        item: DocumentationItem,
        filename: str,
        content: bytes,
        *,
        actor: int,
        today: date | None = None,
    ) -> AttachmentView:
        """Keep a file with the case and count `item` as on file; the case is decided again so
        its checklist shows it. Raises CaseNotFound, or InputError for a file refused."""
        name, media_type = checked_file(filename, content)
        with self._sessions.begin() as session:
            found = _load(session, case_id, for_update=True)
            if found is None:
                raise CaseNotFound(case_id)
            attachment = Attachment(
                case_id=case_id,
                item=item.value,
                filename=name,
                media_type=media_type,
                size=len(content),
                content=content,
                uploaded_by=actor,
            )
            session.add(attachment)
            case = Case.model_validate(found.case_document)
            on_file = list(case.documentation or [])
            if item not in on_file:
                case = case.model_copy(update={"documentation": [*on_file, item]})
                decided = self._decide(case, found.policy_id, today or date.today())
                _decide_into(found, case, decided)
            found.updated_at = now()
            record(session, actor, AuditAction.case_updated, case_id)
            session.flush()
            return _attachment_view(attachment)

    def attachments(self, case_id: int, *, actor: int) -> list[AttachmentView]:
        """The files kept with a case, oldest first. Raises CaseNotFound."""
        with self._sessions.begin() as session:
            record(session, actor, AuditAction.case_read, case_id)
            if _load(session, case_id) is None:
                raise CaseNotFound(case_id)
            rows = session.scalars(
                select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id)
            )
            return [_attachment_view(row) for row in rows]

    def attachment_content(
        self, case_id: int, attachment_id: int, *, actor: int
    ) -> tuple[AttachmentView, bytes]:
        """One file of the case, with its bytes. Raises CaseNotFound for a case, or a file of
        another case, that cannot be seen."""
        with self._sessions.begin() as session:
            record(session, actor, AuditAction.case_read, case_id)
            if _load(session, case_id) is None:
                raise CaseNotFound(case_id)
            row = session.get(Attachment, attachment_id)
            if row is None or row.case_id != case_id:
                raise CaseNotFound(case_id)
            return _attachment_view(row), row.content

    # -- deadlines across cases ----------------------------------------------------------------

    def open_deadlines(
        self, *, actor: int, until: date | None = None
    ) -> list[tuple[CaseSummary, Deadline]]:
        """Every open deadline across the cases, soonest first; with `until`, those due by then."""
        query = (
            select(CaseRecord)
            .where(CaseRecord.next_deadline.is_not(None))
            .options(selectinload(CaseRecord.events))
        )
        with self._sessions.begin() as session:
            record(session, actor, AuditAction.cases_listed, None)
            found = [
                (_summary(row), deadline)
                for row in session.scalars(query)
                for deadline in open_deadlines(_timeline(row))
                if until is None or deadline.due <= until
            ]
        return sorted(found, key=lambda pair: (pair[1].due, pair[0].id))


def _attachment_view(row: Attachment) -> AttachmentView:
    return AttachmentView(
        id=row.id,
        case_id=row.case_id,
        item=DocumentationItem(row.item),
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def _check_event(kind: EventKind, on: date, notes: str | None, today: date) -> None:
    if on > today and kind is not EventKind.peer_to_peer_scheduled:
        raise InputError(
            f"event date = {on.isoformat()!r}: is after today ({today.isoformat()}); only a "
            "peer-to-peer call can be recorded ahead of its day"
        )
    if notes is not None and len(notes) > MAX_NOTES:
        raise InputError(f"notes: {len(notes):,} characters; at most {MAX_NOTES:,} are allowed")


def _load(session: Session, case_id: int, *, for_update: bool = False) -> CaseRecord | None:
    query = (
        select(CaseRecord).where(CaseRecord.id == case_id).options(selectinload(CaseRecord.events))
    )
    if for_update:  # two people recording events on one case at once take turns
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def _decide_into(found: CaseRecord, case: Case, determination: Determination) -> None:
    found.reference = case.id
    found.case_document = case.model_dump(mode="json", exclude_none=True)
    found.determination_document = determination.model_dump(mode="json")
    found.policy_id = determination.policy.id
    found.plan_type = _plan_type(case)
    _refresh_status(found, case, determination)


def _refresh_status(
    found: CaseRecord, case: Case, determination: Determination | None = None
) -> None:
    decided = determination or Determination.model_validate(found.determination_document)
    timeline = _timeline(found)
    found.status = derive_status(case, decided, timeline)
    upcoming = next_deadline(timeline)
    found.next_deadline = upcoming.due if upcoming is not None else None


def _plan_type(case: Case) -> str | None:
    plan_type: PlanType | None = case.payer.plan_type if case.payer else None
    return plan_type.value if plan_type is not None else None


def _timeline(found: CaseRecord) -> list[TimelineEvent]:
    return [
        TimelineEvent(id=e.id, kind=e.kind, on=e.event_date, deadlines=_clocks(e).deadlines)
        for e in found.events
    ]


def _clocks(event: CaseEvent) -> Clocks:
    return Clocks.model_validate(event.clocks)


def _event_view(event: CaseEvent) -> EventView:
    clocks = _clocks(event)
    return EventView(
        id=event.id,
        kind=event.kind,
        on=event.event_date,
        notes=event.notes,
        deadlines=clocks.deadlines,
        deadline_notes=clocks.notes,
        recorded_by=event.recorded_by,
        recorded_at=event.recorded_at,
    )


def _view(found: CaseRecord) -> CaseView:
    events = sorted(found.events, key=lambda e: (e.event_date, e.id))
    return CaseView(
        id=found.id,
        reference=found.reference,
        case=Case.model_validate(found.case_document),
        determination=Determination.model_validate(found.determination_document),
        status=found.status,
        events=[_event_view(event) for event in events],
        open_deadlines=open_deadlines(_timeline(found)),
        created_by=found.created_by,
        created_at=found.created_at,
        updated_at=found.updated_at,
    )


def _summary(found: CaseRecord) -> CaseSummary:
    patient = found.case_document.get("patient") or {}
    condition = found.case_document.get("condition") or {}
    procedures = found.case_document.get("procedures") or []
    return CaseSummary(
        id=found.id,
        reference=found.reference,
        patient_name=patient.get("name"),
        policy_id=found.policy_id,
        outcome=Outcome(found.determination_document["outcome"]),
        status=found.status,
        next_deadline=found.next_deadline,
        updated_at=found.updated_at,
        plan_type=found.plan_type,
        procedure_codes=tuple(p["code"] for p in procedures if p.get("code")),
        diagnoses=tuple(condition.get("diagnoses") or ()),
    )
