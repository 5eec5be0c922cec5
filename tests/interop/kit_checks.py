"""What the Inferno Da Vinci kits assert about a server, written out as checks that return the
list of failures (empty = pass). Each check names the kit test it stands for. They are written
from the kits' assertions, not from dermcover's code, and the kits' own good fixtures must pass
them while broken copies fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

COVERAGE_INFO = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"
REVIEW_ACTION = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction"
REVIEW_ACTION_CODE = (
    "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode"
)
X12_306 = "https://codesystem.x12.org/005010/306"
PRIMARY_HOOKS = ("appointment-book", "order-sign", "order-dispatch")
ORDER_TYPES = {
    "DeviceRequest",
    "MedicationRequest",
    "NutritionOrder",
    "ServiceRequest",
    "VisionPrescription",
}
HOOK_TYPES = {
    "appointment-book": {"Appointment"},
    "encounter-start": {"Encounter"},
    "encounter-discharge": {"Encounter"},
}

# ext-coverage-information 2.0.1: sub-extension -> (min, max, value key, allowed codes or None)
SUB_EXTENSIONS: dict[str, tuple[int, int, str, set[str] | None]] = {
    "coverage": (1, 1, "valueReference", None),
    "covered": (1, 1, "valueCode", {"covered", "not-covered", "conditional"}),
    "pa-needed": (
        0,
        1,
        "valueCode",
        {"no-auth", "auth-needed", "satisfied", "performpa", "conditional"},
    ),
    "doc-needed": (0, 1, "valueCode", {"clinical", "admin", "both", "conditional"}),
    "doc-purpose": (0, 99, "valueCode", {"withpa", "withclaim", "withorder", "retain-doc", "OTH"}),
    "info-needed": (
        0,
        99,
        "valueCode",
        {"performer", "location", "timeframe", "contract-window", "OTH"},
    ),
    "billingCode": (0, 99, "valueCoding", None),
    "reason": (0, 99, "valueCodeableConcept", None),
    "detail": (0, 99, "extension", None),
    "dependency": (0, 99, "valueReference", None),
    "questionnaire": (0, 99, "valueCanonical", None),
    "response": (0, 99, "valueReference", None),
    "date": (1, 1, "valueDate", None),
    "coverage-assertion-id": (1, 1, "valueString", None),
    "satisfied-pa-id": (0, 1, "valueString", None),
    "contact": (0, 99, "valueContactPoint", None),
}


def fhir_problems(resource: Any, where: str) -> list[str]:
    """The resource must parse with the FHIR models (the kits use the HL7 validator)."""
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        return [f"{where}: not a FHIR resource"]
    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except (KeyError, ValueError, ValidationError) as exc:
        return [f"{where}: not valid FHIR: {str(exc)[:200]}"]
    return []


# --- CRD: crd_server_discovery_group ------------------------------------------------------------


def discovery_problems(document: Any) -> list[str]:
    """crd_discovery_services_validation."""
    if not isinstance(document, dict) or not isinstance(document.get("services"), list):
        return ["discovery: `services` must be an array"]
    problems = []
    for index, service in enumerate(document["services"]):
        for key in ("hook", "description", "id"):
            if not isinstance(service, dict) or not isinstance(service.get(key), str):
                problems.append(f"services[{index}].{key}: must be a string")
    return problems


# --- CRD: crd_service_response_validation and the card checks -----------------------------------


def _valid_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def card_problems(card: Any, where: str = "card") -> list[str]:
    """crd_service_response_validation (per card) and crd_card_optional_fields_validation."""
    if not isinstance(card, dict):
        return [f"{where}: not an object"]
    problems = []
    summary = card.get("summary")
    if not isinstance(summary, str) or len(summary) >= 140:
        problems.append(f"{where}.summary: a string under 140 characters")
    if card.get("indicator") not in ("info", "warning", "critical"):
        problems.append(f"{where}.indicator: info, warning or critical")
    source = card.get("source")
    if not isinstance(source, dict) or not isinstance(source.get("label"), str):
        problems.append(f"{where}.source.label: a string")
    else:
        topic = source.get("topic")
        if not isinstance(topic, dict) or not topic.get("code") or not topic.get("system"):
            problems.append(f"{where}.source.topic: a Coding with code and system")
    for key in ("uuid", "detail"):
        if key in card and not isinstance(card[key], str):
            problems.append(f"{where}.{key}: a string")
    for key in ("suggestions", "overrideReasons", "links"):
        if key in card and not isinstance(card[key], list):
            problems.append(f"{where}.{key}: an array")
    if card.get("suggestions") and card.get("selectionBehavior") not in ("at-most-one", "any"):
        problems.append(f"{where}.selectionBehavior: required with suggestions")
    for index, link in enumerate(card.get("links") or []):
        at = f"{where}.links[{index}]"
        if not isinstance(link, dict) or not isinstance(link.get("label"), str):
            problems.append(f"{at}.label: a string")
            continue
        if not _valid_url(link.get("url")):
            problems.append(f"{at}.url: a valid URL")
        if link.get("type") not in ("absolute", "smart"):
            problems.append(f"{at}.type: absolute or smart")
        if "appContext" in link and link.get("type") != "smart":
            problems.append(f"{at}.appContext: only on smart links")
    for index, reason in enumerate(card.get("overrideReasons") or []):
        if not all(
            isinstance(reason, dict) and reason.get(k) for k in ("code", "system", "display")
        ):
            problems.append(f"{where}.overrideReasons[{index}]: code, system and display")
    return problems


def is_external_reference(card: dict[str, Any]) -> bool:
    """crd_external_reference_card_validation: links, all absolute."""
    links = card.get("links") or []
    return bool(links) and all(link.get("type") == "absolute" for link in links)


def is_instructions(card: dict[str, Any]) -> bool:
    """crd_valid_instructions_card_received: neither links nor suggestions."""
    return not card.get("links") and not card.get("suggestions")


def action_problems(action: Any, where: str) -> list[str]:
    if not isinstance(action, dict):
        return [f"{where}: not an object"]
    problems = []
    if action.get("type") not in ("create", "update", "delete"):
        problems.append(f"{where}.type: create, update or delete")
    if not isinstance(action.get("description"), str):
        problems.append(f"{where}.description: a string")
    if action.get("type") in ("create", "update"):
        problems += fhir_problems(action.get("resource"), f"{where}.resource")
    if action.get("type") == "delete" and not action.get("resourceId"):
        problems.append(f"{where}.resourceId: required for delete")
    return problems


def response_problems(hook: str, response: Any) -> list[str]:
    """crd_service_response_validation."""
    if not isinstance(response, dict) or not isinstance(response.get("cards"), list):
        return ["response: `cards` must be an array"]
    problems = []
    for index, card in enumerate(response["cards"]):
        problems += card_problems(card, f"cards[{index}]")
    actions = response.get("systemActions")
    if hook in PRIMARY_HOOKS and not isinstance(actions, list):
        problems.append(f"systemActions: must be present for {hook}")
    for index, action in enumerate(actions or []):
        problems += action_problems(action, f"systemActions[{index}]")
    return problems


# --- CRD: the coverage-information systemAction ---------------------------------------------------


def coverage_actions(hook: str, response: dict[str, Any]) -> list[dict[str, Any]]:
    """crd_coverage_info_system_action_received: actions on a resource type the hook fits that
    carry the extension."""
    types = HOOK_TYPES.get(hook, ORDER_TYPES)
    found = []
    for action in response.get("systemActions") or []:
        resource = action.get("resource") or {}
        urls = [e.get("url") for e in resource.get("extension") or []]
        if resource.get("resourceType") in types and COVERAGE_INFO in urls:
            found.append(action)
    return found


def _value(sub: dict[str, Any]) -> Any:
    for key, value in sub.items():
        if key.startswith("value"):
            return value
    return None


def coverage_information_problems(extension: dict[str, Any], where: str) -> list[str]:
    """ext-coverage-information 2.0.1: cardinalities, bindings, invariants crd-ci-q1..q5."""
    subs = extension.get("extension") or []
    problems = []
    if len(subs) < 4:
        problems.append(f"{where}: at least 4 sub-extensions")
    by_url: dict[str, list[dict[str, Any]]] = {}
    for sub in subs:
        by_url.setdefault(sub.get("url", ""), []).append(sub)
    for url in by_url:
        if url not in SUB_EXTENSIONS:
            problems.append(f"{where}: unknown sub-extension {url!r}")
    for url, (least, most, key, codes) in SUB_EXTENSIONS.items():
        found = by_url.get(url, [])
        if not least <= len(found) <= most:
            problems.append(f"{where}.{url}: {len(found)} present, {least}..{most} allowed")
        for sub in found:
            if key not in sub:
                problems.append(f"{where}.{url}: carries {key}")
            elif codes is not None and sub[key] not in codes:
                problems.append(f"{where}.{url}: {sub[key]!r} is not one of {sorted(codes)}")
    values = {url: [_value(s) for s in found] for url, found in by_url.items()}
    if (values.get("questionnaire") or values.get("response")) and not values.get("doc-needed"):
        problems.append(f"{where}: crd-ci-q1 questionnaire/response needs doc-needed")
    if any(v != "not-covered" for v in values.get("covered", [])) and not values.get("pa-needed"):
        problems.append(f"{where}: crd-ci-q2 (2.0.1) covered/conditional needs pa-needed")
    conditional = [
        v for url in ("covered", "pa-needed", "doc-needed") for v in values.get(url, [])
    ].count("conditional")
    if values.get("info-needed") and conditional < 1:
        problems.append(f"{where}: crd-ci-q3 info-needed needs a conditional")
    satisfied = "satisfied" in values.get("pa-needed", [])
    if satisfied and "PA" in values.get("doc-purpose", []):
        problems.append(f"{where}: crd-ci-q4")
    if satisfied != bool(values.get("satisfied-pa-id")):
        problems.append(f"{where}: crd-ci-q5 satisfied-pa-id iff pa-needed = satisfied")
    return problems


def coverage_action_problems(
    action: dict[str, Any], where: str, draft_orders: Iterable[str] | None = None
) -> list[str]:
    """crd_coverage_info_system_action_validation."""
    problems = []
    if action.get("type") != "update":
        problems.append(f"{where}.type: must be update")
    resource = action.get("resource") or {}
    problems += fhir_problems(resource, f"{where}.resource")
    infos = [e for e in resource.get("extension") or [] if e.get("url") == COVERAGE_INFO]
    ids: dict[str, set[str]] = {}
    for index, info in enumerate(infos):
        problems += coverage_information_problems(info, f"{where}.coverage-information[{index}]")
        subs = {s.get("url"): _value(s) for s in info.get("extension") or []}
        coverage = (subs.get("coverage") or {}).get("reference", "")
        ids.setdefault(coverage, set()).add(subs.get("coverage-assertion-id"))
    if any(len(assertions) > 1 for assertions in ids.values()):
        problems.append(f"{where}: one coverage-assertion-id per coverage")
    flat = [next(iter(a)) for a in ids.values()]
    if len(flat) != len(set(flat)):
        problems.append(f"{where}: different coverages need distinct assertion ids")
    if draft_orders is not None:
        key = f"{resource.get('resourceType')}/{resource.get('id')}"
        if key not in set(draft_orders):
            problems.append(f"{where}: updates {key}, which is not a draft order")
    return problems


# --- PAS ----------------------------------------------------------------------------------------


def submit_status_problems(status: int, body: Any) -> list[str]:
    """pas_claim_submit_operation_test: 200 or 201, JSON, a Bundle."""
    problems = [] if status in (200, 201) else [f"HTTP {status}: expected 200 or 201"]
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        problems.append("the answer is not a Bundle")
    return problems


def _base(full_url: str) -> str:
    parts = full_url.rstrip("/").split("/")
    return "/".join(parts[:-2])


def _references(value: Any, skip_request: bool, found: list[str]) -> None:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            found.append(value["reference"])
        for key, inner in value.items():
            if not (skip_request and key == "request"):
                _references(inner, skip_request, found)
    elif isinstance(value, list):
        for inner in value:
            _references(inner, skip_request, found)


def response_bundle_problems(bundle: Any, version: str = "2.2.1") -> list[str]:
    """pas_server_response_bundle_validation_test: ClaimResponse first; each reference reachable
    from it resolves to exactly one entry; the response-bundle and ClaimResponse profiles."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return ["not a Bundle"]
    problems = fhir_problems(bundle, "Bundle")
    entries = bundle.get("entry") or []
    if bundle.get("type") != "collection":
        problems.append("Bundle.type: collection")
    if not bundle.get("timestamp"):
        problems.append("Bundle.timestamp: 1..1")
    if version == "2.2.1" and not bundle.get("identifier"):
        problems.append("Bundle.identifier: 1..1 in 2.2.1")
    for index, entry in enumerate(entries):
        if not entry.get("fullUrl"):
            problems.append(f"entry[{index}].fullUrl: 1..1")
        for key in ("search", "request", "response"):
            if key in entry:
                problems.append(f"entry[{index}].{key}: not allowed")
    if not entries or (entries[0].get("resource") or {}).get("resourceType") != "ClaimResponse":
        return [*problems, "entry[0]: must be the ClaimResponse"]
    claim_response = entries[0]["resource"]
    base = _base(entries[-1].get("fullUrl", ""))
    full_urls = [e.get("fullUrl", "") for e in entries]
    seen: set[str] = set()
    queue: list[str] = []
    _references(claim_response, True, queue)
    while queue:
        reference = queue.pop(0)
        target = (
            reference
            if "://" in reference or reference.startswith("urn:")
            else f"{base}/{reference}"
        )
        if target in seen:
            continue
        seen.add(target)
        matches = [e for e in entries if e.get("fullUrl") == target]
        if len(matches) != 1:
            problems.append(f"reference {reference!r}: {full_urls.count(target)} entries match")
            continue
        _references(matches[0].get("resource"), False, queue)
    problems += claim_response_problems(claim_response, version)
    return problems


def claim_response_problems(claim_response: dict[str, Any], version: str) -> list[str]:
    problems = []
    if claim_response.get("status") != "active":
        problems.append("ClaimResponse.status: active")
    if claim_response.get("use") != "preauthorization":
        problems.append("ClaimResponse.use: preauthorization")
    for key in ("type", "patient", "created", "insurer"):
        if not claim_response.get(key):
            problems.append(f"ClaimResponse.{key}: 1..1")
    if version == "2.2.1" and not claim_response.get("request"):
        problems.append("ClaimResponse.request: 1..1 in 2.2.1")
    if claim_response.get("outcome") not in ("complete", "error", "partial"):
        problems.append("ClaimResponse.outcome: complete, error or partial")
    for index, item in enumerate(claim_response.get("item") or []):
        if not isinstance(item.get("itemSequence"), int):
            problems.append(f"item[{index}].itemSequence: required")
        adjudications = item.get("adjudication") or []
        if not adjudications:
            problems.append(f"item[{index}].adjudication: 1..*")
        for adjudication in adjudications:
            codes = [
                (c.get("system"), c.get("code"))
                for c in (adjudication.get("category") or {}).get("coding") or []
            ]
            if ("http://terminology.hl7.org/CodeSystem/adjudication", "submitted") not in codes:
                problems.append(f"item[{index}].adjudication.category: adjudication#submitted")
            for extension in adjudication.get("extension") or []:
                if extension.get("url") == REVIEW_ACTION:
                    urls = [s.get("url") for s in extension.get("extension") or []]
                    if REVIEW_ACTION_CODE not in urls:
                        problems.append(f"item[{index}]: reviewAction without reviewActionCode")
    return problems


def review_actions(bundle: dict[str, Any]) -> dict[int, list[str]]:
    """prior_auth_claim_response_decision_validation reads this: item sequence -> X12 306 codes."""
    claim_response = bundle["entry"][0]["resource"]
    found: dict[int, list[str]] = {}
    for item in claim_response.get("item") or []:
        for adjudication in item.get("adjudication") or []:
            for extension in adjudication.get("extension") or []:
                if extension.get("url") != REVIEW_ACTION:
                    continue
                for sub in extension.get("extension") or []:
                    if sub.get("url") != REVIEW_ACTION_CODE:
                        continue
                    for coding in sub["valueCodeableConcept"].get("coding") or []:
                        if coding.get("system") == X12_306:
                            found.setdefault(item["itemSequence"], []).append(coding["code"])
    return found


def decision_problems(bundle: dict[str, Any], code: str) -> list[str]:
    codes = [c for item in review_actions(bundle).values() for c in item]
    return [] if code in codes else [f"no item carries review action {code} (found {codes})"]


def item_echo_problems(request: dict[str, Any], bundle: dict[str, Any]) -> list[str]:
    """pas_server_v221_claim_update_item_sequence_echo_test and ..._current_results_test."""
    claim = request["entry"][0]["resource"]
    submitted = {item["sequence"] for item in claim.get("item") or []}
    answered = {item["itemSequence"] for item in bundle["entry"][0]["resource"].get("item") or []}
    problems = [f"itemSequence {s} was not submitted" for s in sorted(answered - submitted)]
    problems += [f"item {s} has no result" for s in sorted(submitted - answered)]
    return problems


def error_problems(status: int, body: Any) -> list[str]:
    """pas_server_v221_prior_auth_submission_error / _inquiry_error."""
    problems = [] if not 200 <= status < 300 else [f"HTTP {status}: expected an error status"]
    if not isinstance(body, dict) or body.get("resourceType") != "OperationOutcome":
        problems.append("the answer is not an OperationOutcome")
    else:
        problems += fhir_problems(body, "OperationOutcome")
    return problems


def inquiry_problems(status: int, body: Any) -> list[str]:
    """pas_v221_claim_inquire_operation_test + inquiry response validation (2.2.1: Parameters
    whose `return` parts hold inquiry-response Bundles)."""
    problems = [] if status in (200, 201) else [f"HTTP {status}: expected 200 or 201"]
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        return [*problems, "the answer is not a Parameters"]
    problems += fhir_problems(body, "Parameters")
    for index, parameter in enumerate(body.get("parameter") or []):
        if parameter.get("name") != "return":
            problems.append(f"parameter[{index}].name: return")
        problems += [
            f"return[{index}]: {p}" for p in response_bundle_problems(parameter.get("resource"))
        ]
    return problems


def _present(value: Any, path: list[str]) -> bool:
    if not path:
        return value is not None
    if isinstance(value, list):
        return any(_present(v, path) for v in value)
    if not isinstance(value, dict):
        return False
    head, rest = path[0], path[1:]
    if head.endswith("[x]"):
        stem = head[:-3]
        return any(_present(v, rest) for k, v in value.items() if k.startswith(stem))
    return _present(value.get(head), rest)


def _has_extension(value: Any, path: list[str], url: str) -> bool:
    if isinstance(value, list):
        return any(_has_extension(v, path, url) for v in value)
    if not isinstance(value, dict):
        return False
    if not path or path == ["extension"]:
        return any(e.get("url") == url for e in value.get("extension") or [])
    return _has_extension(value.get(path[0]), path[1:], url)


def must_support_missing(
    claim_responses: list[dict[str, Any]], metadata: dict[str, Any]
) -> set[str]:
    """pas_server_v221_submit_response_must_support_claimresponse: every must-support element and
    extension of the profile must appear in at least one response; returns what never did."""
    missing = set()
    for element in metadata["elements"]:
        if not any(_present(cr, element["path"].split(".")) for cr in claim_responses):
            missing.add(element["path"])
    for extension in metadata["extensions"]:
        path = extension["path"].split(".")
        if not any(_has_extension(cr, path, extension["url"]) for cr in claim_responses):
            missing.add(f"{extension['path']}:{extension['url'].rsplit('/', 1)[-1]}")
    return missing
