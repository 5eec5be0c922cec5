"""One CDS Hooks call answered the CRD way: for every order in scope, a coverage-information
systemAction (an `update` of the order carrying only the new extension) and the cards a
clinician reads.

Liberal in what it accepts: prefetch may be partial or absent (what is missing is read from
`fhirServer` when it is on the calling client's allow-list); both order-dispatch context shapes
are understood (`order`/`task` and `dispatchedOrders`/`fulfillmentTasks`); unknown keys are
ignored. A 412 comes only when the data needed can be had neither from prefetch nor from an
allowed FHIR server.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from dermcover.engine import library
from dermcover.engine.library import PolicyLibrary
from dermcover.interop.cds_hooks import cards
from dermcover.interop.cds_hooks.discovery import Service, configuration
from dermcover.interop.cds_hooks.fetch import FetchFailed, FetchRefused, FhirFetcher
from dermcover.interop.clinical import ClinicalData, listed
from dermcover.interop.coverage_info import COVERAGE_INFO, extension
from dermcover.interop.decide import OrderAnswer, decide_order
from dermcover.interop.fhir import FhirError, JsonObject, checked, reference_of, relative
from dermcover.interop.mapping import ORDER_TYPES, order_case
from dermcover.interop.payers import PayerDirectory, PayerEntry
from dermcover.store.prior_auths import CoverageAssertions

if TYPE_CHECKING:
    import httpx  # imported where used: it brings its command-line tool (click, rich)

FALLBACK_LABEL = "dermcover"


class HookError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Desk:
    """What answering needs beyond the request: the payer map, the memory of earlier answers,
    this service's public base URL, the FHIR servers the calling client lets it read from, and
    (for tests) the transport to the EHR."""

    payers: PayerDirectory
    assertions: CoverageAssertions | None
    base_url: str
    transport: httpx.BaseTransport | None = None
    packs: PolicyLibrary | None = None
    fhir_servers: tuple[str, ...] = ()

    def questionnaire_url(self, assertion_id: str) -> str:
        return f"{self.base_url}/fhir/Questionnaire/{assertion_id}"

    def policy_url(self, policy_id: str) -> str:
        return f"{self.base_url}/api/v1/policies/{policy_id}"


@dataclass
class Gathered:
    data: ClinicalData
    fetcher: FhirFetcher | None
    fetch_failed: bool = False
    no_fetcher: str = "no fhirServer was given"

    def unavailable(self) -> str:
        """Why what prefetch lacks could not be read either."""
        if self.fetcher is None:
            return self.no_fetcher
        return "the FHIR server could not give it"

    def find(self, reference: str | None, *, required: bool = False) -> JsonObject | None:
        """The resource from what was sent, else from the FHIR server."""
        if not reference:
            return None
        found = self.data.get(reference)
        if found is not None or self.fetcher is None:
            return found
        try:
            fetched = self.fetcher.get(relative(reference))
        except FetchFailed:
            self.fetch_failed = True
            if required:
                raise
            return None
        added = self.data.add(fetched, f"fhirServer {relative(reference)}") if fetched else []
        return added[0] if added else None

    def search(self, query: str) -> list[JsonObject] | None:
        """A search on the FHIR server; None when it cannot be asked."""
        if self.fetcher is None:
            return None
        try:
            bundle = self.fetcher.get(query)
        except FetchFailed:
            self.fetch_failed = True
            return None
        return self.data.add(bundle, f"fhirServer {query.split('?')[0]}") if bundle else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _orders(hook: str, context: dict[str, Any], gathered: Gathered) -> list[JsonObject]:
    data = gathered.data
    if hook in ("order-sign", "order-select"):
        added = data.add(context.get("draftOrders"), "context.draftOrders")
        drafts = [r for r in added if r.get("resourceType") in ORDER_TYPES]
        selections = {relative(s) for s in listed(context.get("selections")) if isinstance(s, str)}
        if hook == "order-select" and selections:
            chosen = [o for o in drafts if f"{o['resourceType']}/{o.get('id')}" in selections]
            drafts = chosen or drafts
        return drafts
    if hook == "appointment-book":
        added = data.add(context.get("appointments"), "context.appointments")
        return [r for r in added if r.get("resourceType") == "Appointment"]
    if hook == "order-dispatch":
        for task in [context.get("task"), *listed(context.get("fulfillmentTasks"))]:
            data.add(task, "context.task")
        references = [_text(context.get("order"))] + [
            _text(r) for r in listed(context.get("dispatchedOrders"))
        ]
        orders: list[JsonObject] = []
        for reference in [r for r in references if r]:
            try:
                found = gathered.find(reference, required=True)
            except FetchFailed:
                found = None
            if found is None:
                raise HookError(
                    412,
                    f"context.order {reference[:100]!r}: not in prefetch, and "
                    + gathered.unavailable(),
                )
            orders.append(found)
        return orders
    return []


def _coverage(
    orders: list[JsonObject], patient_id: str | None, gathered: Gathered
) -> JsonObject | None:
    """The member's coverage: the one the orders name, else the patient's active one."""
    for order in orders:
        for insurance in listed(order.get("insurance")):
            found = gathered.find(reference_of(insurance))
            if found is not None and found.get("resourceType") == "Coverage":
                return found
    candidates = gathered.data.of_type("Coverage")
    if not candidates and patient_id:
        searched = gathered.search(f"Coverage?patient={patient_id}&status=active")
        if searched is None:
            raise HookError(412, "coverage: not in prefetch, and " + gathered.unavailable())
        candidates = [r for r in searched if r.get("resourceType") == "Coverage"]
    active = [c for c in candidates if c.get("status") in (None, "active")]
    chosen = active or candidates
    return chosen[0] if chosen else None


def _update(order: JsonObject, coverage_information: JsonObject) -> JsonObject:
    """The order as sent, its coverage information replaced by ours, nothing else changed."""
    updated = copy.deepcopy(order)
    kept = [
        e
        for e in listed(updated.get("extension"))
        if not (isinstance(e, dict) and e.get("url") == COVERAGE_INFO)
    ]
    updated["extension"] = [*kept, coverage_information]
    return checked(updated, f"{order.get('resourceType')} update")


def answer_hook(
    service: Service, body: Any, desk: Desk, *, today: date | None = None
) -> dict[str, Any]:
    """The CDS Hooks response; HookError (400 or 412) when there is none to give."""
    today = today or date.today()
    if not isinstance(body, dict):
        raise HookError(400, "the request body must be a JSON object (a CDS Hooks request)")
    if body.get("hook") != service.hook:
        raise HookError(
            400, f"hook = {str(body.get('hook'))[:40]!r}: this service answers {service.hook!r}"
        )
    context = body.get("context")
    if not isinstance(context, dict):
        raise HookError(400, "context: missing; a CDS Hooks request carries its hook's context")
    patient_id = _text(context.get("patientId"))
    options = configuration(body.get("extension"))
    try:
        gathered = Gathered(
            ClinicalData(), FhirFetcher.for_request(body, desk.transport, desk.fhir_servers)
        )
    except FetchRefused as exc:
        gathered = Gathered(ClinicalData(), None, no_fetcher=str(exc))
    prefetch = body.get("prefetch")
    for key, value in prefetch.items() if isinstance(prefetch, dict) else []:
        gathered.data.add(value, f"prefetch.{key}")
    orders = _orders(service.hook, context, gathered)
    if not orders:
        unread = [
            cards.notice(f"Not read: {problem}", label=FALLBACK_LABEL, indicator="warning")
            for problem in gathered.data.problems[:3]
        ]
        return {"cards": unread, "systemActions": []}
    coverage = _coverage(orders, patient_id, gathered)
    patient = gathered.find(f"Patient/{patient_id}") if patient_id else None
    people = [_text(context.get("userId")), _text(context.get("performer"))]
    for reference in [p for p in people if p]:
        gathered.find(reference)
    payer = desk.payers.match(coverage, gathered.data)
    label = payer.name if payer is not None else FALLBACK_LABEL
    if coverage is None:
        return {
            "cards": [
                cards.notice(
                    "No active coverage found for this patient", label=label, indicator="warning"
                )
            ],
            "systemActions": [],
        }
    answers = [
        _answer_order(order, gathered, coverage, patient, payer, people, patient_id, desk, today)
        for order in orders
    ]
    if not service.primary:  # CRD: a secondary hook's answer asks for no documentation
        answers = [_without_documentation(answered) for answered in answers]
    return _response(answers, coverage, desk, options, label, today, gathered.data.problems)


def _answer_order(
    order: JsonObject,
    gathered: Gathered,
    coverage: JsonObject,
    patient: JsonObject | None,
    payer: PayerEntry | None,
    people: list[str | None],
    patient_id: str | None,
    desk: Desk,
    today: date,
) -> OrderAnswer:
    for reference in listed(order.get("reasonReference")) + listed(order.get("basedOn")):
        gathered.find(reference_of(reference))
    made = order_case(
        order,
        gathered.data,
        patient=patient,
        coverage=coverage,
        payer=payer,
        people_refs=[{"reference": p} for p in people if p],
    )
    return decide_order(made, patient_id, today=today, assertions=desk.assertions, packs=desk.packs)


def _without_documentation(answered: OrderAnswer) -> OrderAnswer:
    answer = dataclasses.replace(answered.answer, doc_needed=None, doc_purpose=[])
    return dataclasses.replace(answered, answer=answer)


def _response(
    answers: list[OrderAnswer],
    coverage: JsonObject,
    desk: Desk,
    options: dict[str, Any],
    label: str,
    today: date,
    problems: list[str],
) -> dict[str, Any]:
    coverage_ref = f"Coverage/{coverage.get('id', '')}"
    actions: list[dict[str, Any]] = []
    made_cards: list[dict[str, Any]] = []
    policies: list[str] = []
    for answered in answers:
        assertion_id = uuid.uuid4().hex
        needs_form = answered.answer.needs_form and answered.answer.doc_needed is not None
        form = desk.questionnaire_url(assertion_id) if needs_form else None
        if desk.assertions is not None and answered.case is not None and answered.determination:
            desk.assertions.save(
                assertion_id,
                answered.subject,
                answered.case,
                answered.determination,
                coverage=coverage_ref,
            )
        if answered.determination is None:
            form = None
        else:
            policies.append(answered.determination.policy.id)
        info = extension(
            answered.answer,
            coverage=coverage_ref,
            assertion_id=assertion_id,
            today=today,
            questionnaire=form,
        )
        order = answered.order.order
        try:
            resource = _update(order, info)
        except FhirError as exc:
            made_cards.append(
                cards.notice(
                    f"{answered.order.reference}: not read ({exc})",
                    label=label,
                    indicator="warning",
                )
            )
            continue
        if options["coverage-info"]:
            actions.append(
                {
                    "type": "update",
                    "description": f"Coverage information for {answered.order.reference}: "
                    f"{cards.headline(answered.answer)}.",
                    "resource": resource,
                }
            )
            made_cards.append(
                cards.instructions(
                    answered.order.codes or [answered.order.reference],
                    answered.answer,
                    label=label,
                    form=form,
                )
            )
    if options["guideline"]:
        packs = desk.packs or library()
        for policy_id in dict.fromkeys(policies):
            made_cards.append(
                cards.policy_reference(
                    packs.get(policy_id), label=label, fallback_url=desk.policy_url(policy_id)
                )
            )
    for problem in problems[:3]:
        made_cards.append(cards.notice(f"Not read: {problem}", label=label, indicator="warning"))
    return {"cards": made_cards[: options["max-cards"]], "systemActions": actions}
