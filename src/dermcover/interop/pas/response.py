"""The PAS response Bundle: the ClaimResponse first, then every resource it references (each
exactly once, under the fullUrl the request gave it). Each item is answered with its X12 review
action: A1 approved (with the authorization number), A3 denied (with the policy's reason), A4
pended (with the documentation or facts requested), C cancelled."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dermcover.determination import Determination, Outcome
from dermcover.interop.clinical import listed
from dermcover.interop.fhir import JsonObject, checked, reference_of, relative
from dermcover.interop.pas.claim import PAS, ClaimItem, PriorAuthRequest

REVIEW_ACTION = PAS + "extension-reviewAction"
REVIEW_ACTION_CODE = PAS + "extension-reviewActionCode"
X12_306 = "https://codesystem.x12.org/005010/306"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
ACTIONS = {
    "A1": "Certified in total",
    "A3": "Not certified",
    "A4": "Pended",
    "C": "Cancelled",
}
STATUS = {"A1": "approved", "A3": "denied", "A4": "pended", "C": "cancelled"}
AUTHORIZATION_DAYS = 180


@dataclass(frozen=True)
class ItemDecision:
    sequence: int
    action: str
    note: str


def item_decisions(
    request: PriorAuthRequest, determination: Determination | None
) -> list[ItemDecision]:
    missing = [
        c.item.value.replace("_", " ")
        for c in (determination.documentation if determination else [])
        if c.status == "missing"
    ]
    asks = [q.ask for q in (determination.questions if determination else [])]
    decisions: list[ItemDecision] = []
    for item in request.items:
        decisions.append(_decide_item(item, request, determination, missing, asks))
    return decisions


def _decide_item(
    item: ClaimItem,
    request: PriorAuthRequest,
    determination: Determination | None,
    missing: list[str],
    asks: list[str],
) -> ItemDecision:
    if item.cancelled:
        return ItemDecision(item.sequence, "C", "Cancelled at the requester's request.")
    if determination is None or item.line is None:
        why = request.why or "no policy applies to this item"
        return ItemDecision(item.sequence, "A4", f"Pended for review: {why}.")
    line = determination.lines[item.line]
    if line.outcome is Outcome.insufficient_information:
        wanted = "; ".join(asks[:4]) or "more clinical information"
        docs = f" Send: {', '.join(missing)}." if missing else ""
        return ItemDecision(
            item.sequence, "A4", f"Pended: the policy needs to know: {wanted}.{docs}"
        )
    if not line.outcome.is_covered:
        reason = line.reasons[0] if line.reasons else line.outcome.value.replace("_", " ")
        return ItemDecision(
            item.sequence, "A3", f"Not certified: {reason} ({determination.policy.title})."
        )
    if missing:
        return ItemDecision(
            item.sequence,
            "A4",
            f"Pended: the policy's criteria are met; send {', '.join(missing)}.",
        )
    return ItemDecision(item.sequence, "A1", f"Certified under {determination.policy.title}.")


def overall(decisions: list[ItemDecision]) -> str:
    """The record's status: pended while any item is; else approved if any item is."""
    actions = {d.action for d in decisions}
    for action in ("A4", "A1", "A3"):
        if action in actions:
            return STATUS[action]
    return "cancelled"


def _reachable(resource: Any, found: list[str]) -> None:
    """Every reference inside `resource` (except ClaimResponse.request, the kit's one exception)."""
    if isinstance(resource, dict):
        reference = reference_of(resource)
        if reference is not None:
            found.append(reference)
        for key, value in resource.items():
            if key != "request":
                _reachable(value, found)
    elif isinstance(resource, list):
        for value in resource:
            _reachable(value, found)


def _entries(
    request: PriorAuthRequest, claim_response: JsonObject, base_url: str
) -> list[JsonObject]:
    """The referenced resources, each once, under the fullUrl the request gave it."""
    fallback = _base_of(request.claim_url) or f"{base_url}/fhir"
    full_urls: dict[str, str] = {}
    for entry in listed(request.bundle.get("entry")):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict):
            key = f"{resource.get('resourceType')}/{resource.get('id', '')}"
            full_urls.setdefault(key, str(entry.get("fullUrl") or f"{fallback}/{key}"))
    references: list[str] = []
    _reachable(claim_response, references)
    entries: list[JsonObject] = []
    done: set[str] = set()
    queue = list(references)
    while queue:
        key = relative(queue.pop(0))
        resource = request.data.get(key)
        if key in done or resource is None:
            continue
        done.add(key)
        entries.append({"fullUrl": full_urls.get(key, f"{fallback}/{key}"), "resource": resource})
        more: list[str] = []
        _reachable(resource, more)
        queue += more
    return entries


def response_bundle(
    request: PriorAuthRequest,
    decisions: list[ItemDecision],
    *,
    reference: str,
    base_url: str,
    now: datetime | None = None,
    inquiry: bool = False,
) -> JsonObject:
    now = now or datetime.now(UTC)
    today = now.date()
    claim = request.claim
    notes = [{"number": n, "type": "display", "text": d.note} for n, d in enumerate(decisions, 1)]
    by_sequence = {i.get("sequence"): i for i in listed(claim.get("item")) if isinstance(i, dict)}
    items = [
        _item(d, n, reference, today, by_sequence.get(d.sequence, {}))
        for n, d in enumerate(decisions, 1)
    ]
    claim_response: JsonObject = {
        "resourceType": "ClaimResponse",
        "id": reference,
        "meta": {
            "profile": [
                PAS + ("profile-claiminquiryresponse" if inquiry else "profile-claimresponse")
            ]
        },
        "identifier": [i for i in listed(claim.get("identifier")) if isinstance(i, dict)][:1]
        or [{"system": f"{base_url}/prior-authorizations", "value": reference}],
        "status": "active",
        "type": claim.get("type")
        or {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/claim-type",
                    "code": "professional",
                }
            ]
        },
        "use": "preauthorization",
        "patient": claim.get("patient"),
        "created": now.isoformat(timespec="seconds"),
        "insurer": claim.get("insurer"),
        "request": {"reference": request.claim_url},
        "outcome": "complete",
        "disposition": _disposition(decisions),
        "item": items,
        "processNote": notes,
    }
    if request.claim.get("provider"):
        claim_response["requestor"] = claim["provider"]
    asking = _communication_request(request, decisions, reference, today)
    if asking is not None:
        claim_response["communicationRequest"] = [
            {"reference": f"CommunicationRequest/{asking['id']}"}
        ]
    if any(d.action == "A1" for d in decisions):
        claim_response["preAuthRef"] = reference
        claim_response["preAuthPeriod"] = {
            "start": today.isoformat(),
            "end": (today + timedelta(days=AUTHORIZATION_DAYS)).isoformat(),
        }
    checked(claim_response, "ClaimResponse")
    # Relative references resolve against one base (the kits take the last entry's), so every
    # entry lives under the base the request's own entries use.
    entries_base = _base_of(request.claim_url) or f"{base_url}/fhir"
    bundle: JsonObject = {
        "resourceType": "Bundle",
        "meta": {
            "profile": [
                PAS
                + (
                    "profile-pas-inquiry-response-bundle"
                    if inquiry
                    else "profile-pas-response-bundle"
                )
            ]
        },
        "identifier": {
            "system": f"{base_url}/prior-authorization-responses",
            "value": uuid.uuid4().hex,
        },
        "type": "collection",
        "timestamp": now.isoformat(timespec="seconds"),
        "entry": [
            {"fullUrl": f"{entries_base}/ClaimResponse/{reference}", "resource": claim_response},
            *_entries(request, claim_response, base_url),
            *(
                [
                    {
                        "fullUrl": f"{entries_base}/CommunicationRequest/{asking['id']}",
                        "resource": asking,
                    }
                ]
                if asking is not None
                else []
            ),
        ],
    }
    return checked(bundle, "response Bundle")


def _communication_request(
    request: PriorAuthRequest, decisions: list[ItemDecision], reference: str, today: date
) -> JsonObject | None:
    """For pended items: what the payer asks the requester to send, one payload per item."""
    pended = [d for d in decisions if d.action == "A4"]
    if not pended:
        return None
    asking: JsonObject = {
        "resourceType": "CommunicationRequest",
        "id": f"{reference}-request",
        "status": "active",
        "category": [{"text": "Documentation or information needed to decide the request"}],
        "subject": request.claim.get("patient"),
        "authoredOn": today.isoformat(),
        "payload": [{"contentString": f"Item {d.sequence}: {d.note}"} for d in pended],
    }
    if request.claim.get("provider"):
        asking["recipient"] = [request.claim["provider"]]
    if request.claim.get("insurer"):
        asking["sender"] = request.claim["insurer"]
    return checked(asking, "CommunicationRequest")


def _base_of(full_url: str) -> str | None:
    """ "https://ehr/fhir/Claim/1" -> "https://ehr/fhir"; None for urn: and relative ones."""
    parts = full_url.rstrip("/").split("/")
    if "://" not in full_url or len(parts) < 5:
        return None
    return "/".join(parts[:-2])


def _disposition(decisions: list[ItemDecision]) -> str:
    counts = {ACTIONS[a]: sum(d.action == a for d in decisions) for a in ACTIONS}
    return "; ".join(f"{label}: {count}" for label, count in counts.items() if count)


ECHOED = (PAS + "extension-itemTraceNumber",)


def _echoes(claim_item: JsonObject) -> list[JsonObject]:
    """What the response repeats of the requested item: its trace number and service date."""
    echoed = [
        e
        for e in listed(claim_item.get("extension"))
        if isinstance(e, dict) and e.get("url") in ECHOED
    ]
    if isinstance(claim_item.get("servicedPeriod"), dict):
        period = claim_item["servicedPeriod"]
    elif isinstance(claim_item.get("servicedDate"), str):
        period = {"start": claim_item["servicedDate"], "end": claim_item["servicedDate"]}
    else:
        return echoed
    return [*echoed, {"url": PAS + "extension-itemRequestedServiceDate", "valuePeriod": period}]


def _item(
    decision: ItemDecision, note: int, reference: str, today: date, claim_item: JsonObject
) -> JsonObject:
    review: list[JsonObject] = []
    if decision.action == "A1":
        review.append({"url": "number", "valueString": reference})
    review.append(
        {
            "url": REVIEW_ACTION_CODE,
            "valueCodeableConcept": {
                "coding": [
                    {
                        "system": X12_306,
                        "code": decision.action,
                        "display": ACTIONS[decision.action],
                    }
                ]
            },
        }
    )
    item: JsonObject = {
        "itemSequence": decision.sequence,
        "noteNumber": [note],
        "adjudication": [
            {
                "extension": [{"url": REVIEW_ACTION, "extension": review}],
                "category": {"coding": [{"system": ADJUDICATION, "code": "submitted"}]},
            }
        ],
    }
    extensions = _echoes(claim_item)
    if decision.action == "A1":
        extensions += [
            {"url": PAS + "extension-itemPreAuthIssueDate", "valueDate": today.isoformat()},
            {
                "url": PAS + "extension-itemPreAuthPeriod",
                "valuePeriod": {
                    "start": today.isoformat(),
                    "end": (today + timedelta(days=AUTHORIZATION_DAYS)).isoformat(),
                },
            },
            {"url": PAS + "extension-authorizationNumber", "valueString": reference},
        ]
    if extensions:
        item["extension"] = extensions
    return item


def redecided(
    request: PriorAuthRequest, decisions: list[ItemDecision], status: str, note: str
) -> list[ItemDecision]:
    """The decisions after staff decided a pended request: every pended item takes the decision."""
    action = {"approved": "A1", "denied": "A3"}[status]
    return [ItemDecision(d.sequence, action, note) if d.action == "A4" else d for d in decisions]
