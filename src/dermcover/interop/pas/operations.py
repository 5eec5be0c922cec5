"""`Claim/$submit` and `Claim/$inquire`: decide, answer, and keep the record.

Every request makes (or, on inquiry, reads) a prior-authorization record in the store with the
request and the answer, and the case it made appears on the clinic workspace like any other, with
a `pa_submitted` event. When staff later record the payer's decision on that case
(`pa_approved` / `pa_denied`), the next inquiry answers with it.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from dermcover.engine import determine
from dermcover.interop.cds_hooks.service import Desk
from dermcover.interop.clinical import listed
from dermcover.interop.decide import subject_of, with_known
from dermcover.interop.fhir import JsonObject, checked
from dermcover.interop.outcome import OperationError
from dermcover.interop.pas.claim import PriorAuthRequest, read_request
from dermcover.interop.pas.response import (
    REVIEW_ACTION,
    REVIEW_ACTION_CODE,
    ItemDecision,
    item_decisions,
    overall,
    redecided,
    response_bundle,
)
from dermcover.store.cases import CaseRepository
from dermcover.store.clinics import DEFAULT_CLINIC, ClinicNotFound
from dermcover.store.models import Role
from dermcover.store.prior_auths import CaseFiling, PriorAuthorizations, PriorAuthView
from dermcover.store.timeline import EventKind
from dermcover.store.users import UserExists, UserRepository

SERVICE_EMAIL = "prior-authorization-service@dermcover.invalid"
SERVICE_NAME = "Prior-authorization service (PAS)"
DECIDED_BY_STAFF = {EventKind.pa_approved: "approved", EventKind.pa_denied: "denied"}


@dataclass(frozen=True)
class PasStore:
    """Where a calling client's requests are kept: `clinic` is the one its trusted-client entry
    names (default: the default clinic), and its cases are filed there under that clinic's own
    service account, which is a member of no other clinic."""

    cases: CaseRepository
    users: UserRepository
    prior_auths: PriorAuthorizations
    clinic: str = DEFAULT_CLINIC

    def actor(self) -> int:
        """The account cases received over PAS are recorded under (it signs in to nothing)."""
        email = SERVICE_EMAIL
        if self.clinic != DEFAULT_CLINIC:
            email = email.replace("@", f".{self.clinic}@")
        found = self.users.get_user_by_email(email)
        if found is None:
            try:
                found = self.users.add_user(
                    email,
                    secrets.token_urlsafe(32),
                    name=f"{SERVICE_NAME}, {self.clinic}",
                    clinic=self.clinic,
                    role=Role.biller,  # it records the request and the payer's answer
                )
            except ClinicNotFound as exc:
                raise OperationError(
                    422, f"the clinic this client's requests are filed in: {exc}", "processing"
                ) from None
            except UserExists:  # a concurrent first request made it a moment ago
                found = self.users.get_user_by_email(email)
                assert found is not None
        return found.id


def submit(
    body: Any, desk: Desk, store: PasStore, *, client: str | None, today: date | None = None
) -> JsonObject:
    today = today or date.today()
    request = read_request(body, desk.payers)
    determination = None
    if request.case is not None:
        earlier = (
            desk.assertions.answered_for(subject_of(request.patient_id, request.codes))
            if desk.assertions
            else None
        )
        request.case = with_known(request.case, earlier.case if earlier else None)
        determination = determine(request.case, today=today, packs=desk.packs)
    decisions = item_decisions(request, determination)
    reference = f"PA-{uuid.uuid4().hex[:16].upper()}"
    answer = response_bundle(request, decisions, reference=reference, base_url=desk.base_url)
    status = overall(decisions)
    filing = None
    if request.case is not None:
        events = [(EventKind.pa_submitted, f"Received over PAS as {reference}.")]
        if status in ("approved", "denied"):
            kind = EventKind.pa_approved if status == "approved" else EventKind.pa_denied
            events.append((kind, f"Decided on receipt ({reference})."))
        filing = CaseFiling(
            store.cases, request.case, store.actor(), today, clinic=store.clinic, events=events
        )
    # One transaction: the record, its case, the case's events and their audit entries.
    store.prior_auths.record(
        reference=reference,
        claim_identifier=request.identifier,
        member_id=request.member_id,
        case_id=None,
        status=status,
        request=body,
        response=answer,
        client=client,
        filing=filing,
    )
    return answer


def stored_decisions(response: JsonObject) -> list[ItemDecision]:
    """The item decisions inside a stored response Bundle."""
    claim_response = response["entry"][0]["resource"]
    notes = {n.get("number"): n.get("text", "") for n in listed(claim_response.get("processNote"))}
    decisions: list[ItemDecision] = []
    for item in listed(claim_response.get("item")):
        code = "A4"
        for adjudication in listed(item.get("adjudication")):
            for review in listed(adjudication.get("extension")):
                if review.get("url") != REVIEW_ACTION:
                    continue
                for part in listed(review.get("extension")):
                    if part.get("url") == REVIEW_ACTION_CODE:
                        code = part["valueCodeableConcept"]["coding"][0]["code"]
        note = notes.get((item.get("noteNumber") or [None])[0], "")
        decisions.append(ItemDecision(int(item["itemSequence"]), code, str(note)))
    return decisions


def _staff_decision(record: PriorAuthView, store: PasStore) -> tuple[str, str] | None:
    """The payer's decision staff recorded on the record's case since it was received."""
    if record.case_id is None:
        return None
    view = store.cases.get_case(record.case_id, actor=store.actor())
    if view is None:
        return None
    decided = [
        e for e in view.events if e.kind in DECIDED_BY_STAFF and e.recorded_at >= record.created_at
    ]
    if not decided:
        return None
    last = max(decided, key=lambda e: (e.recorded_at, e.id))
    return DECIDED_BY_STAFF[last.kind], f"Decided by the payer's reviewer on {last.on.isoformat()}."


def inquire(body: Any, desk: Desk, store: PasStore, *, client: str | None) -> JsonObject:
    """The 2.2.1 answer: a Parameters whose `return` parts hold the inquiry-response Bundles
    (none when no request matches)."""
    asked = read_request(body, desk.payers, inquiry=True)
    record = store.prior_auths.latest_for_claim(
        asked.identifier, client=client, actor=store.actor()
    )
    parameters: list[JsonObject] = []
    if record is not None:
        original: PriorAuthRequest = read_request(record.request, desk.payers)
        decisions = stored_decisions(record.response)
        if record.status == "pended":
            staff = _staff_decision(record, store)
            if staff is not None:
                decisions = redecided(original, decisions, staff[0], staff[1])
                updated = response_bundle(
                    original, decisions, reference=record.reference, base_url=desk.base_url
                )
                record = store.prior_auths.decide(
                    record.id, overall(decisions), updated, client=client
                )
        inquiry = response_bundle(
            original,
            decisions,
            reference=record.reference,
            base_url=desk.base_url,
            now=datetime.now(UTC),
            inquiry=True,
        )
        parameters.append({"name": "return", "resource": inquiry})
    answer: JsonObject = {"resourceType": "Parameters"}
    if parameters:
        answer["parameter"] = parameters
    return checked(answer, "Parameters")
