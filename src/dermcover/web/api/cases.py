"""Staff-only case records: /api/v1/cases and their events (prior authorization submitted,
approved or denied; appeal filed; peer-to-peer scheduled; external review requested). Each
event's deadlines come from the regulatory clocks. Every read and write is audited by the store.

Sign in with POST /api/v1/session; writes then carry the X-CSRF-Token header it returns.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from dermcover.case import Case, Contract
from dermcover.determination import Determination, Outcome
from dermcover.store.cases import CaseNotFound
from dermcover.store.timeline import CaseStatus, Deadline, EventKind
from dermcover.web.bodies import document, request_body
from dermcover.web.deps import RecordsDep, StaffDep, checked_policy, current_staff, verify_csrf

router = APIRouter(
    tags=["cases (staff)"], dependencies=[Depends(current_staff), Depends(verify_csrf)]
)


# Beyond any clinic's case count, and far inside the 64-bit integer the database takes (an
# offset of 2**64 was an OverflowError, a 500).
MAX_OFFSET = 1_000_000_000


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EventOut(View):
    id: int
    kind: EventKind
    on: date
    notes: str | None
    deadlines: list[Deadline]
    deadline_notes: list[str]
    recorded_by: int
    recorded_at: datetime


class CaseOut(View):
    id: UUID
    clinic: str
    reference: str | None
    status: CaseStatus
    next_deadline: Deadline | None
    open_deadlines: list[Deadline]
    case: Case
    determination: Determination
    events: list[EventOut]
    created_by: int
    created_at: datetime
    updated_at: datetime


class CaseRow(View):
    id: UUID
    clinic: str
    reference: str | None
    patient_name: str | None
    policy_id: str
    outcome: Outcome
    status: CaseStatus
    next_deadline: date | None
    updated_at: datetime


class NewEvent(Contract):
    kind: EventKind
    on: date = Field(description="The day it happened (a peer-to-peer call: the day of the call).")
    notes: str | None = None


CaseBody = Annotated[Case, Depends(document(Case))]
PolicyQuery = Annotated[
    str | None, Query(max_length=64, description="Policy pack id; default: the case's.")
]
ClinicQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        description="The clinic to store it in; default: your only clinic where you write cases.",
    ),
]


@router.get("/cases", summary="List case records, nearest deadline first")
def list_cases(
    staff: StaffDep,
    store: RecordsDep,
    status: CaseStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[CaseRow]:
    rows = store.cases.list_cases(actor=staff.id, status=status, limit=limit, offset=offset)
    return [CaseRow.model_validate(row) for row in rows]


@router.post(
    "/cases",
    status_code=201,
    openapi_extra=request_body(Case),
    summary="Store a case and its determination",
)
def create_case(
    case: CaseBody,
    staff: StaffDep,
    store: RecordsDep,
    policy: PolicyQuery = None,
    clinic: ClinicQuery = None,
) -> CaseOut:
    view = store.cases.create_case(
        case, actor=staff.id, clinic=clinic, policy_id=checked_policy(case, policy)
    )
    return CaseOut.model_validate(view)


@router.get("/cases/{case_id}", summary="One case: facts, determination, status, timeline")
def get_case(case_id: UUID, staff: StaffDep, store: RecordsDep) -> CaseOut:
    view = store.cases.get_case(case_id, actor=staff.id)
    if view is None:
        raise CaseNotFound(case_id)
    return CaseOut.model_validate(view)


@router.put(
    "/cases/{case_id}",
    openapi_extra=request_body(Case),
    summary="Replace a case's facts and decide it again (the timeline stays)",
)
def update_case(
    case_id: UUID, case: CaseBody, staff: StaffDep, store: RecordsDep, policy: PolicyQuery = None
) -> CaseOut:
    view = store.cases.update_case(
        case_id, case, actor=staff.id, policy_id=checked_policy(case, policy)
    )
    return CaseOut.model_validate(view)


@router.get("/cases/{case_id}/events", summary="A case's events, in order, with their deadlines")
def list_events(case_id: UUID, staff: StaffDep, store: RecordsDep) -> list[EventOut]:
    return get_case(case_id, staff, store).events


@router.post(
    "/cases/{case_id}/events",
    status_code=201,
    openapi_extra=request_body(NewEvent),
    summary="Record what the payer or the clinic did; the answer carries its deadlines",
)
def add_event(
    case_id: UUID,
    event: Annotated[NewEvent, Depends(document(NewEvent))],
    staff: StaffDep,
    store: RecordsDep,
) -> EventOut:
    recorded = store.cases.add_event(
        case_id, event.kind, event.on, actor=staff.id, notes=event.notes
    )
    return EventOut.model_validate(recorded)
