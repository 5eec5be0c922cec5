"""Case records: create, read, list, revise, and record what the payer and the clinic did.

`CaseRepository` is the one way to reach a case, and it is scoped: every method takes `actor`,
the id of the staff member acting, reads that person's clinics and roles inside the same
transaction (`clinics.scope_of`), and

- sees only the cases of the actor's clinics: another clinic's case is `CaseNotFound` exactly as
  a case that does not exist is (the API answers 404 for both, so nobody learns it exists);
- checks the actor's role in the case's clinic for what is asked (`clinics.Permission`), else
  raises `clinics.NotPermitted` (403);
- audits the work, or the refusal, with the case's public id and its clinic.

Cases are named by `public_id`, a random UUID; the integer key never leaves this package.
Other repositories that keep records about a case (attachments, prior authorizations) reach it
through `scoped_case(session, case_id, actor, permission)` inside their own transaction, and
list across cases with `readable_clinics(session, actor)`, so the same scoping applies to them.

Each method is one transaction, and its audit entry is written inside it: the work and the record
of who did it commit together or not at all. A failure anywhere (a determination that raises, a
database error at flush) rolls everything back, so there is never a half-written case.

Reads return plain frozen objects, never ORM rows, so nothing outside this module can lazily load
from (or write to) the database by accident.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from dermcover.case import Case, DocumentationItem, PlanType
from dermcover.determination import Determination, Outcome
from dermcover.engine import determine
from dermcover.inputs import InputError
from dermcover.store.attachments import AttachmentView, checked_file
from dermcover.store.audit import record
from dermcover.store.clinics import (
    NotAMember,
    NotPermitted,
    Permission,
    Scope,
    check_slug,
    scope_of,
)
from dermcover.store.clocks import Clocks, clocks_for
from dermcover.store.database import Sessions
from dermcover.store.models import Attachment, AuditAction, CaseEvent, CaseRecord, Clinic, now
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
MAX_LIST = 500

# How a case is decided: the engine by default; tests put a failing one in its place.
Decide = Callable[[Case, str | None, date], Determination]
CaseId = str | uuid.UUID


def decide_with_engine(case: Case, policy_id: str | None, today: date) -> Determination:
    return determine(case, policy_id, today=today)


class CaseNotFound(LookupError):
    """No such case, or none the actor's clinics hold (the two are not told apart)."""

    def __init__(self, case_id: CaseId) -> None:
        super().__init__(f"case {str(case_id)[:36]}: no such case")
        self.case_id = str(case_id)


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

    id: str
    clinic: str
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

    id: str
    clinic: str
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


def canonical_id(case_id: CaseId) -> str | None:
    """The case id in its one stored spelling, or None when it cannot be a case id at all."""
    if isinstance(case_id, uuid.UUID):
        return str(case_id)
    if len(case_id) > 36:
        return None
    try:
        return str(uuid.UUID(case_id))
    except ValueError:
        return None


def readable_clinics(session: Session, actor: int) -> list[int]:
    """The clinics whose cases `actor` may read."""
    return scope_of(session, actor).clinics_allowing(Permission.read_cases)


def scoped_case(
    session: Session,
    case_id: CaseId,
    actor: int,
    permission: Permission,
    *,
    for_update: bool = False,
) -> CaseRecord:
    """The case, if it is in one of `actor`'s clinics and their role there allows `permission`.

    Raises CaseNotFound (no such case, or another clinic's) or NotPermitted. With `for_update`
    the row is locked until the transaction ends, so writers to one case take turns.
    """
    found = _load(session, case_id, for_update=for_update)
    scope = scope_of(session, actor)
    if found is None or found.clinic_id not in scope.roles:
        raise CaseNotFound(case_id)
    scope.check(found.clinic_id, permission)
    return found


class CaseRepository:
    """Scoped access to case records; see the module's docstring for the rules."""

    def __init__(self, sessions: Sessions, decide: Decide = decide_with_engine) -> None:
        self._sessions = sessions
        self._decide = decide

    def create_case(
        self,
        case: Case,
        *,
        actor: int,
        clinic: str | None = None,
        policy_id: str | None = None,
        today: date | None = None,
    ) -> CaseView:
        """Store a case with its determination (under `policy_id`, else the case's own) in
        `clinic` (a clinic id such as `default`); without one, in the actor's only clinic
        where they may write cases."""
        with self._sessions.begin() as session:
            made = self.create_in(
                session, case, actor=actor, clinic=clinic, policy_id=policy_id, today=today
            )
            return _view(session, made)

    def create_in(
        self,
        session: Session,
        case: Case,
        *,
        actor: int,
        clinic: str | None = None,
        policy_id: str | None = None,
        today: date | None = None,
    ) -> CaseRecord:
        """`create_case` inside the caller's transaction `session`, for a repository that files
        a case as part of its own record (a prior authorization): both commit, or neither."""
        clinic_id = _clinic_to_write(session, scope_of(session, actor), clinic)
        made = CaseRecord(
            public_id=str(uuid.uuid4()), clinic_id=clinic_id, created_by=actor, events=[]
        )
        session.add(made)
        _decide_into(made, case, self._decide(case, policy_id, today or date.today()))
        session.flush()
        _audit(session, actor, AuditAction.case_created, made)
        return made

    def get_case(
        self, case_id: CaseId, *, actor: int, need: Permission = Permission.read_cases
    ) -> CaseView | None:
        """The case, or None (no such case, or another clinic's); the read, or the refusal,
        is audited either way. Raises NotPermitted when the role does not allow `need`."""
        try:
            with self._sessions.begin() as session:
                found = scoped_case(session, case_id, actor, need)
                _audit(session, actor, AuditAction.case_read, found)
                return _view(session, found)
        except CaseNotFound:
            self._refused(actor, case_id)
            return None
        except NotPermitted:
            self._refused(actor, case_id)
            raise

    def list_cases(
        self,
        *,
        actor: int,
        status: CaseStatus | None = None,
        search: CaseSearch | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[CaseSummary]:
        """The actor's clinics' cases, nearest deadline first, then those without one, latest
        change first; with `search`, those it matches (looked for in the case documents). The
        audit names every case shown."""
        with self._sessions.begin() as session:
            clinics = readable_clinics(session, actor)
            query = (
                select(CaseRecord, Clinic.slug)
                .join(Clinic, Clinic.id == CaseRecord.clinic_id)
                .where(CaseRecord.clinic_id.in_(clinics))
                .order_by(
                    CaseRecord.next_deadline.asc().nulls_last(),
                    CaseRecord.updated_at.desc(),
                    CaseRecord.id.desc(),
                )
            )
            if search is None:
                query = query.limit(min(limit, MAX_LIST)).offset(offset)
            if status is not None:
                query = query.where(CaseRecord.status == status)
            rows = [(row, slug) for row, slug in session.execute(query)]
            if search is not None:
                rows = [(r, slug) for r, slug in rows if search.matches(r, _summary(r, slug))]
                rows = rows[offset : offset + min(limit, MAX_LIST)]
            if not rows:
                record(session, actor, AuditAction.cases_listed, None)
            for row, _ in rows:
                _audit(session, actor, AuditAction.cases_listed, row)
            return [_summary(row, slug) for row, slug in rows]

    def update_case(
        self,
        case_id: CaseId,
        case: Case,
        *,
        actor: int,
        policy_id: str | None = None,
        today: date | None = None,
    ) -> CaseView:
        """Replace the facts and decide again; the timeline stays. Raises CaseNotFound or
        NotPermitted."""
        try:
            with self._sessions.begin() as session:
                found = scoped_case(
                    session, case_id, actor, Permission.write_cases, for_update=True
                )
                _decide_into(found, case, self._decide(case, policy_id, today or date.today()))
                found.updated_at = now()
                _audit(session, actor, AuditAction.case_updated, found)
                session.flush()
                return _view(session, found)
        except (CaseNotFound, NotPermitted):
            self._refused(actor, case_id)
            raise

    def add_event(
        self,
        case_id: CaseId,
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
        future). Raises CaseNotFound, NotPermitted, or InputError for a date or notes that
        cannot be right.
        """
        _check_event(kind, on, notes, today or date.today())
        try:
            with self._sessions.begin() as session:
                found = scoped_case(
                    session, case_id, actor, Permission.record_events, for_update=True
                )
                return _event_view(_add_event(session, found, kind, on, actor, notes))
        except (CaseNotFound, NotPermitted):
            self._refused(actor, case_id)
            raise

    # -- files kept with a case ------------------------------------------------------------

    def add_attachment(
        self,
        case_id: CaseId,
        item: DocumentationItem,
        filename: str,
        content: bytes,
        *,
        actor: int,
        today: date | None = None,
    ) -> AttachmentView:
        """Keep a file with the case and count `item` as on file; the case is decided again so
        its checklist shows it. Raises CaseNotFound, NotPermitted, or InputError for a file
        refused."""
        name, media_type = checked_file(filename, content)
        try:
            with self._sessions.begin() as session:
                found = scoped_case(
                    session, case_id, actor, Permission.write_cases, for_update=True
                )
                attachment = Attachment(
                    case_id=found.id,
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
                _audit(session, actor, AuditAction.case_updated, found)
                session.flush()
                return _attachment_view(attachment, found)
        except (CaseNotFound, NotPermitted):
            self._refused(actor, case_id)
            raise

    def attachments(self, case_id: CaseId, *, actor: int) -> list[AttachmentView]:
        """The files kept with a case, oldest first. Raises CaseNotFound or NotPermitted."""
        try:
            with self._sessions.begin() as session:
                found = scoped_case(session, case_id, actor, Permission.read_cases)
                rows = session.scalars(
                    select(Attachment).where(Attachment.case_id == found.id).order_by(Attachment.id)
                )
                return [_attachment_view(row, found) for row in rows]
        except (CaseNotFound, NotPermitted):
            self._refused(actor, case_id)
            raise

    def attachment_content(
        self, case_id: CaseId, attachment_id: int, *, actor: int
    ) -> tuple[AttachmentView, bytes]:
        """One file of the case, with its bytes; the read is audited. Raises CaseNotFound for a
        case, or a file of another case, that cannot be seen."""
        try:
            with self._sessions.begin() as session:
                found = scoped_case(session, case_id, actor, Permission.read_cases)
                row = session.get(Attachment, attachment_id)
                if row is None or row.case_id != found.id:
                    raise CaseNotFound(case_id)
                _audit(session, actor, AuditAction.case_read, found)
                return _attachment_view(row, found), row.content
        except (CaseNotFound, NotPermitted):
            self._refused(actor, case_id)
            raise

    # -- deadlines across cases ----------------------------------------------------------------

    def open_deadlines(
        self, *, actor: int, until: date | None = None
    ) -> list[tuple[CaseSummary, Deadline]]:
        """Every open deadline across the actor's clinics' cases, soonest first; with `until`,
        those due by then."""
        with self._sessions.begin() as session:
            clinics = readable_clinics(session, actor)
            query = (
                select(CaseRecord, Clinic.slug)
                .join(Clinic, Clinic.id == CaseRecord.clinic_id)
                .where(CaseRecord.clinic_id.in_(clinics), CaseRecord.next_deadline.is_not(None))
                .options(selectinload(CaseRecord.events))
            )
            found = [
                (row, _summary(row, slug), deadline)
                for row, slug in session.execute(query)
                for deadline in open_deadlines(_timeline(row))
                if until is None or deadline.due <= until
            ]
            shown = {id(row): row for row, _, _ in found}
            if not shown:
                record(session, actor, AuditAction.cases_listed, None)
            for row in shown.values():
                _audit(session, actor, AuditAction.cases_listed, row)
        return sorted(
            ((summary, deadline) for _, summary, deadline in found),
            key=lambda pair: (pair[1].due, pair[0].id),
        )

    def add_event_in(
        self,
        session: Session,
        found: CaseRecord,
        kind: EventKind,
        on: date,
        *,
        actor: int,
        notes: str | None = None,
        today: date | None = None,
    ) -> EventView:
        """`add_event` inside the caller's transaction, on a case `create_in` just made there."""
        _check_event(kind, on, notes, today or date.today())
        scope_of(session, actor).check(found.clinic_id, Permission.record_events)
        return _event_view(_add_event(session, found, kind, on, actor, notes))

    def _refused(self, actor: int, case_id: CaseId) -> None:
        """Audit a refused attempt in its own transaction (the refused one rolled back)."""
        with self._sessions.begin() as session:
            record(session, actor, AuditAction.case_refused, canonical_id(case_id))


def _clinic_to_write(session: Session, scope: Scope, clinic: str | None) -> int:
    if clinic is not None:
        slug = check_slug(clinic)
        found = session.scalars(select(Clinic).where(Clinic.slug == slug)).one_or_none()
        if found is None or found.id not in scope.roles:
            raise NotAMember(clinic)
        scope.check(found.id, Permission.write_cases)
        return found.id
    writable = scope.clinics_allowing(Permission.write_cases)
    if len(writable) == 1:
        return writable[0]
    if not writable:
        role = next(iter(scope.roles.values()), None)
        raise NotPermitted(role, Permission.write_cases)
    slugs = session.scalars(
        select(Clinic.slug).where(Clinic.id.in_(writable)).order_by(Clinic.slug)
    )
    raise InputError(f"clinic: you work in several clinics; name one of: {', '.join(slugs)}")


def _attachment_view(row: Attachment, case: CaseRecord) -> AttachmentView:
    return AttachmentView(
        id=row.id,
        case_id=case.public_id,
        item=DocumentationItem(row.item),
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def _add_event(
    session: Session,
    found: CaseRecord,
    kind: EventKind,
    on: date,
    actor: int,
    notes: str | None,
) -> CaseEvent:
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
    _audit(session, actor, AuditAction.event_added, found)
    session.flush()
    return event


def _audit(session: Session, actor: int, action: AuditAction, found: CaseRecord) -> None:
    record(session, actor, action, found.public_id, clinic_id=found.clinic_id)


def _check_event(kind: EventKind, on: date, notes: str | None, today: date) -> None:
    if on > today and kind is not EventKind.peer_to_peer_scheduled:
        raise InputError(
            f"event date = {on.isoformat()!r}: is after today ({today.isoformat()}); only a "
            "peer-to-peer call can be recorded ahead of its day"
        )
    if notes is not None and len(notes) > MAX_NOTES:
        raise InputError(f"notes: {len(notes):,} characters; at most {MAX_NOTES:,} are allowed")


def _load(session: Session, case_id: CaseId, *, for_update: bool = False) -> CaseRecord | None:
    public_id = canonical_id(case_id)
    if public_id is None:
        return None
    if for_update and session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: take its one write lock now, before reading, so that two
        # writers to a case take turns and the second sees the first one's events.
        session.execute(
            update(CaseRecord)
            .where(CaseRecord.public_id == public_id)
            .values(id=CaseRecord.id)
            .execution_options(synchronize_session=False)
        )
    query = (
        select(CaseRecord)
        .where(CaseRecord.public_id == public_id)
        .options(selectinload(CaseRecord.events))
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


def _view(session: Session, found: CaseRecord) -> CaseView:
    events = sorted(found.events, key=lambda e: (e.event_date, e.id))
    return CaseView(
        id=found.public_id,
        clinic=session.get_one(Clinic, found.clinic_id).slug,
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


def _summary(found: CaseRecord, clinic: str) -> CaseSummary:
    patient = found.case_document.get("patient") or {}
    condition = found.case_document.get("condition") or {}
    procedures = found.case_document.get("procedures") or []
    return CaseSummary(
        id=found.public_id,
        clinic=clinic,
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
