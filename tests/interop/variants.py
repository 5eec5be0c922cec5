"""The kits' requests with dermatology codes in place of their home-health and DME ones. Every
change is to the order's codes or reasons; the rest of each request stays the kit's.

Expected answers come from the policy text, not from running the engine: the kit's coverage is
"Medicare Part A", which the bundled payer map sends to the `medicare` pack (policies/medicare):
- 17000, destroying actinic keratoses (L57.0): covered by any method, with no prior
  authorization (NCD 250.4 "Treatment of Actinic Keratosis", indications and limitations);
- 15788, an epidermal chemical peel, for lentigines (L81.4): lentigines are a condition Medicare
  treats as appearance only, and cosmetic surgery is excluded (Social Security Act
  §1862(a)(10)), so not covered and no prior authorization to ask for;
- 0479T, fractional ablative laser, for a burn scar (T23.361S) with nothing else known: treatment
  that restores function is covered whatever the appearance gain, but whether it does is not
  stated, so the answer waits on the facts (conditional).
"""

from __future__ import annotations

from typing import Any

from .support import crd, deep

CPT = "http://www.ama-assn.org/go/cpt"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"


def cpt(code: str) -> dict[str, Any]:
    return {"coding": [{"system": CPT, "code": code}]}


def icd(code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": ICD10, "code": code}]}]


def _service_request(order: dict[str, Any], code: str, diagnosis: str) -> dict[str, Any]:
    order["code"] = cpt(code)
    order["reasonCode"] = icd(diagnosis)
    return order


def order_sign_laser_for_burn_scar() -> dict[str, Any]:
    body = deep(crd("order_sign_1.json"))
    _service_request(body["context"]["draftOrders"]["entry"][0]["resource"], "0479T", "T23.361S")
    return body


def order_sign_actinic_keratoses() -> dict[str, Any]:
    body = deep(crd("order_sign_1.json"))
    order = _service_request(
        body["context"]["draftOrders"]["entry"][0]["resource"], "17000", "L57.0"
    )
    order["locationCode"] = [{"coding": [{"system": POS, "code": "11"}]}]
    return body


def order_dispatch_actinic_keratoses() -> dict[str, Any]:
    body = deep(crd("order_dispatch_0.json"))
    _service_request(body["prefetch"]["order"], "17000", "L57.0")
    return body


def appointment_book_peel_for_sun_spots() -> dict[str, Any]:
    body = deep(crd("appointment_book_0.json"))
    appointment = body["context"]["appointments"]["entry"][0]["resource"]
    appointment["serviceType"] = [cpt("15788")]
    appointment["reasonCode"] = icd("L81.4")
    del appointment["reasonReference"], appointment["basedOn"]
    return body


def order_select_laser_for_burn_scar() -> dict[str, Any]:
    body = deep(crd("order_select_0.json"))
    order = {
        "resourceType": "ServiceRequest",
        "id": "servreq-0479t",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/pat015"},
        "insurance": [{"reference": "Coverage/cov015"}],
    }
    body["context"]["draftOrders"]["entry"] = [
        {"resource": _service_request(order, "0479T", "T23.361S")}
    ]
    body["context"]["selections"] = ["ServiceRequest/servreq-0479t"]
    return body


# name -> (the request, the `covered` value the policy text gives, its pa-needed or None)
DERMATOLOGY: dict[str, tuple[Any, str, str | None]] = {
    "order-sign 0479T burn scar": (order_sign_laser_for_burn_scar, "conditional", "conditional"),
    "order-sign 17000 actinic keratoses": (order_sign_actinic_keratoses, "covered", "no-auth"),
    "order-dispatch 17000 actinic keratoses": (
        order_dispatch_actinic_keratoses,
        "covered",
        "no-auth",
    ),
    "appointment-book 15788 peel for lentigines": (
        appointment_book_peel_for_sun_spots,
        "not-covered",
        None,
    ),
    "order-select 0479T burn scar": (
        order_select_laser_for_burn_scar,
        "conditional",
        "conditional",
    ),
}
