"""The DTR payer operations: `Questionnaire/$questionnaire-package` (the form for an order, with a
pre-filled response) and the completed QuestionnaireResponse posted back, which decides the case.

The order is found by the CRD coverage-assertion-id (`context`, or the questionnaire canonical the
CRD answer named) or, without one, from the `coverage` and `order` resources in the Parameters.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from dermcover.case import Case
from dermcover.determination import Determination
from dermcover.engine import determine
from dermcover.interop.cds_hooks.service import Desk
from dermcover.interop.clinical import ClinicalData, listed
from dermcover.interop.coverage_info import answer_for, extension
from dermcover.interop.decide import decide_order, subject_of
from dermcover.interop.dtr.answers import apply_answers
from dermcover.interop.dtr.questionnaire import prefilled, questionnaire
from dermcover.interop.fhir import FhirError, JsonObject, checked, parse_as, reference_of, relative
from dermcover.interop.mapping import ORDER_TYPES, order_case
from dermcover.interop.outcome import OperationError


@dataclass(frozen=True)
class Known:
    assertion_id: str
    case: Case
    determination: Determination
    coverage: str | None
    patient: str | None


def _parameters(body: Any) -> list[JsonObject]:
    try:
        parse_as(body, "Parameters", "request body")
    except FhirError as exc:
        raise OperationError(400, str(exc)) from None
    return [p for p in listed(body.get("parameter")) if isinstance(p, dict)]


def _named(parameters: list[JsonObject], name: str) -> list[JsonObject]:
    return [p for p in parameters if str(p.get("name", "")).casefold() == name.casefold()]


def _assertion_id(text: Any) -> str | None:
    if not isinstance(text, str) or not text:
        return None
    last = text.rstrip("/").rsplit("/", 1)[-1].split("|")[0]
    return last[:64] if last else None


def _known(desk: Desk, assertion_id: str | None) -> Known | None:
    if assertion_id is None or desk.assertions is None:
        return None
    stored = desk.assertions.get(assertion_id)
    if stored is None:
        return None
    patient = stored.subject.split("|", 1)[0]
    return Known(
        stored.id,
        stored.case,
        stored.determination,
        stored.coverage,
        f"Patient/{patient}" if patient != "?" else None,
    )


def _from_resources(parameters: list[JsonObject], desk: Desk, today: date) -> Known:
    data = ClinicalData()
    for parameter in parameters:
        data.add(parameter.get("resource"), f"parameter {str(parameter.get('name'))[:40]}")
    if data.problems:
        raise OperationError(400, data.problems[0])
    coverages = data.of_type("Coverage")
    orders = [r for r in data.resources.values() if r.get("resourceType") in ORDER_TYPES]
    if not coverages:
        raise OperationError(
            400, "parameter coverage: missing; give the member's Coverage", "required"
        )
    if not orders:
        raise OperationError(
            400, "parameter order: missing; give the order the form is for", "required"
        )
    coverage, order = coverages[0], orders[0]
    patient_ref = reference_of(order.get("subject")) or reference_of(coverage.get("beneficiary"))
    patient = data.get(patient_ref)
    payer = desk.payers.match(coverage, data)
    made = order_case(order, data, patient=patient, coverage=coverage, payer=payer)
    patient_id = relative(patient_ref).split("/")[-1] if patient_ref else None
    answered = decide_order(
        made, patient_id, today=today, assertions=desk.assertions, packs=desk.packs
    )
    if answered.case is None or answered.determination is None:
        raise OperationError(422, f"order: {made.why}", "not-supported")
    assertion_id = uuid.uuid4().hex
    coverage_ref = f"Coverage/{coverage.get('id', '')}"
    if desk.assertions is not None:
        desk.assertions.save(
            assertion_id,
            answered.subject,
            answered.case,
            answered.determination,
            coverage=coverage_ref,
        )
    return Known(
        assertion_id,
        answered.case,
        answered.determination,
        coverage_ref,
        relative(patient_ref) if patient_ref else None,
    )


def questionnaire_package(body: Any, desk: Desk, *, today: date | None = None) -> JsonObject:
    """The output Parameters: one package Bundle (Questionnaire first, then its pre-filled
    QuestionnaireResponse)."""
    today = today or date.today()
    parameters = _parameters(body)
    named = [p.get("valueString") for p in _named(parameters, "context")]
    named += [p.get("valueCanonical") for p in _named(parameters, "questionnaire")]
    known = next(
        (k for k in (_known(desk, _assertion_id(text)) for text in named) if k is not None), None
    )
    if known is None:
        if named and not _named(parameters, "order"):
            raise OperationError(
                404, f"context {str(named[0])[:80]!r}: no coverage answer by that id", "not-found"
            )
        known = _from_resources(parameters, desk, today)
    form = questionnaire(
        known.assertion_id, known.determination, base_url=desk.base_url, today=today
    )
    response = prefilled(
        form, known.case, known.determination, base_url=desk.base_url, patient=known.patient
    )
    bundle = checked(
        {
            "resourceType": "Bundle",
            "id": f"{known.assertion_id}-package",
            "type": "collection",
            "timestamp": f"{today.isoformat()}T00:00:00Z",
            "entry": [
                {"fullUrl": form["url"], "resource": form},
                {
                    "fullUrl": f"{desk.base_url}/fhir/QuestionnaireResponse/{response['id']}",
                    "resource": response,
                },
            ],
        },
        "package Bundle",
    )
    return checked(
        {
            "resourceType": "Parameters",
            "parameter": [{"name": "PackageBundle", "resource": bundle}],
        },
        "Parameters",
    )


def receive_response(body: Any, desk: Desk, *, today: date | None = None) -> JsonObject:
    """Decide the case with the completed response's answers; the response comes back with the
    coverage information it led to."""
    today = today or date.today()
    try:
        parse_as(body, "QuestionnaireResponse", "request body")
    except FhirError as exc:
        raise OperationError(400, str(exc)) from None
    assertion_id = _assertion_id(body.get("questionnaire"))
    known = _known(desk, assertion_id)
    if known is None:
        raise OperationError(
            404,
            f"questionnaire {str(body.get('questionnaire'))[:100]!r}: "
            "not a form this service issued",
            "not-found",
        )
    try:
        case = apply_answers(known.case, body)
    except FhirError as exc:
        raise OperationError(400, str(exc)) from None
    determination = determine(case, today=today, packs=desk.packs)
    answer = answer_for(determination)
    if desk.assertions is not None:
        stored = desk.assertions.get(known.assertion_id)
        subject = stored.subject if stored else subject_of(None, [])
        desk.assertions.save(known.assertion_id, subject, case, determination, answered=True)
    answered = dict(body)
    coverage = known.coverage or "Coverage/unknown"
    info = extension(answer, coverage=coverage, assertion_id=known.assertion_id, today=today)
    answered["extension"] = [*listed(body.get("extension")), info]
    return checked(answered, "QuestionnaireResponse")
