"""Reading a PAS request Bundle: the Claim first, every resource it references beside it, and
the case its items make (one procedure line per item the packs know)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from dermcover.case import Case
from dermcover.codes.procedures import lookup
from dermcover.interop.clinical import ClinicalData, listed
from dermcover.interop.dtr.answers import apply_answers
from dermcover.interop.fhir import (
    FhirError,
    JsonObject,
    codings,
    first_problem,
    parse_as,
    reference_of,
    relative,
)
from dermcover.interop.mapping import diagnoses, order_case, procedure_codes
from dermcover.interop.outcome import OperationError
from dermcover.interop.payers import PayerDirectory, PayerEntry

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
CERTIFICATION_TYPE = PAS + "extension-certificationType"
INFO_CANCELLED = PAS + "modifierextension-infoCancelled"
REQUESTED_SERVICE = PAS + "extension-requestedService"


@dataclass(frozen=True)
class ClaimItem:
    sequence: int
    codes: list[str]
    cancelled: bool
    line: int | None  # index of its procedure line in the case, when the packs know a code


@dataclass
class PriorAuthRequest:
    bundle: JsonObject
    claim: JsonObject
    claim_url: str
    data: ClinicalData
    patient: JsonObject | None
    coverage: JsonObject | None
    payer: PayerEntry | None
    items: list[ClaimItem]
    case: Case | None
    why: str | None
    patient_id: str | None
    codes: list[str] = field(default_factory=list)

    @property
    def identifier(self) -> str:
        return claim_identifier(self.claim)

    @property
    def member_id(self) -> str | None:
        member = self.coverage.get("subscriberId") if self.coverage else None
        return member if isinstance(member, str) else None


def claim_identifier(claim: JsonObject) -> str:
    for identifier in listed(claim.get("identifier")):
        if isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
            return f"{identifier.get('system', '')}|{identifier['value']}"
    return f"Claim/{claim.get('id', '')}"


def _cancels(resource: JsonObject) -> bool:
    """certificationType 3 (X12 UM02 "cancel") on the claim or an item, or infoCancelled."""
    for extension in listed(resource.get("modifierExtension")):
        if (
            isinstance(extension, dict)
            and extension.get("url") == INFO_CANCELLED
            and extension.get("valueBoolean") is True
        ):
            return True
    for extension in listed(resource.get("extension")):
        if not isinstance(extension, dict) or extension.get("url") != CERTIFICATION_TYPE:
            continue
        if any(c.get("code") == "3" for c in codings(extension.get("valueCodeableConcept"))):
            return True
    return False


def read_request(body: Any, payers: PayerDirectory, *, inquiry: bool = False) -> PriorAuthRequest:
    """The request, checked; an OperationError (400) names what makes it unusable."""
    try:
        parse_as(body, "Bundle", "request body")
    except FhirError as exc:
        raise OperationError(400, str(exc)) from None
    if body.get("type") != "collection":
        raise OperationError(
            400, f"Bundle.type = {str(body.get('type'))[:20]!r}: a PAS request is a collection"
        )
    entries = [e for e in listed(body.get("entry")) if isinstance(e, dict)]
    if not entries:
        raise OperationError(
            400, "Bundle.entry: empty; a PAS request starts with its Claim", "required"
        )
    first = entries[0].get("resource")
    if not isinstance(first, dict) or first.get("resourceType") != "Claim":
        raise OperationError(
            400, "Bundle.entry[0]: the first entry of a PAS request must be the Claim"
        )
    if not inquiry and first.get("use") != "preauthorization":
        raise OperationError(
            400, f"Claim.use = {str(first.get('use'))[:30]!r}: must be 'preauthorization'"
        )
    data = ClinicalData()
    data.add(body, "Bundle")
    if data.problems:
        raise OperationError(400, data.problems[0])
    claim = data.get(f"Claim/{first.get('id', '')}") or first
    claim_url = str(entries[0].get("fullUrl") or f"Claim/{claim.get('id', '')}")
    patient = data.resolve(claim.get("patient"))
    coverages = [
        data.resolve(i.get("coverage"))
        for i in listed(claim.get("insurance"))
        if isinstance(i, dict) and i.get("focal", True)
    ]
    coverage = next((c for c in coverages if c is not None), None)
    payer = payers.match(coverage, data)
    patient_ref = reference_of(claim.get("patient"))
    patient_id = relative(patient_ref).split("/")[-1] if patient_ref else None
    items, codes = _items(claim, data)
    request = PriorAuthRequest(
        body, claim, claim_url, data, patient, coverage, payer, items, None, None, patient_id, codes
    )
    request.case, request.why = _case(request)
    return request


def _items(claim: JsonObject, data: ClinicalData) -> tuple[list[ClaimItem], list[str]]:
    items: list[ClaimItem] = []
    known: list[str] = []
    all_cancelled = _cancels(claim)
    for raw in listed(claim.get("item")):
        if not isinstance(raw, dict) or not isinstance(raw.get("sequence"), int):
            continue
        codes = procedure_codes(raw)
        for extension in listed(raw.get("extension")):
            if isinstance(extension, dict) and extension.get("url") == REQUESTED_SERVICE:
                service = data.resolve(extension.get("valueReference"))
                codes += [c for c in procedure_codes(service or {}) if c not in codes]
        cancelled = all_cancelled or _cancels(raw)
        usable = next((c for c in codes if lookup(c) is not None), None)
        line = None
        if usable is not None and not cancelled:
            line = len(known)
            known.append(usable)
        items.append(ClaimItem(int(raw["sequence"]), codes, cancelled, line))
    return items, known


def _case(request: PriorAuthRequest) -> tuple[Case | None, str | None]:
    claim, data = request.claim, request.data
    concepts: list[Any] = []
    for entry in listed(claim.get("diagnosis")):
        if isinstance(entry, dict):
            concepts.append(entry.get("diagnosisCodeableConcept"))
            condition = data.resolve(entry.get("diagnosisReference"))
            if condition is not None:
                concepts.append(condition.get("code"))
    people = [claim.get("provider")] + [
        member.get("provider")
        for member in listed(claim.get("careTeam"))
        if isinstance(member, dict)
    ]
    places = [
        i.get("locationCodeableConcept") for i in listed(claim.get("item")) if isinstance(i, dict)
    ]
    if not request.codes:
        return None, "no item names a CPT or HCPCS code a dermatology policy covers"
    made = order_case(
        claim,
        data,
        patient=request.patient,
        coverage=request.coverage,
        payer=request.payer,
        people_refs=people,
        codes=list(request.codes),
        diagnosis_codes=diagnoses(concepts),
        place_concepts=places,
    )
    if made.case is None:
        return None, made.why
    case = made.case
    for info in listed(claim.get("supportingInfo")):
        response = data.resolve(info.get("valueReference")) if isinstance(info, dict) else None
        if response is not None and response.get("resourceType") == "QuestionnaireResponse":
            try:
                case = apply_answers(case, response)
            except (FhirError, ValidationError) as exc:
                detail = first_problem(exc) if isinstance(exc, ValidationError) else str(exc)
                raise OperationError(400, f"Claim.supportingInfo: {detail}") from None
    return case, None
