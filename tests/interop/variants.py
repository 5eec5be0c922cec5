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


# --- PAS ----------------------------------------------------------------------------------------
# The kit's referral request (an X12 "consultation" service type) with CPT codes in its items, an
# ICD-10-CM diagnosis and, where the policy needs them, a dermatologist and the documents on file.
# The kit's insurer is not in the bundled payer map, so the default `generic` pack answers:
# - 17000 + 17003 for actinic keratoses, by a dermatologist in an office (place of service 11,
#   already on the kit's items), with photos, records, prior-treatment records and a letter on
#   file: premalignant lesions are covered with prior authorization and that documentation
#   (policies/generic: the precancerous-lesion indication and its documentation list) -> A1;
# - 15788 for lentigines: the cosmetic exclusion -> A3;
# - 0479T for a burn scar with nothing else known: the facts that decide it are missing -> A4.

NUCC = "http://nucc.org/provider-taxonomy"
DOCUMENTS = ["photos", "medical_records", "prior_treatment_records", "letter_of_medical_necessity"]


def documents_on_file(base: str = "http://testserver") -> dict[str, Any]:
    """The DTR answer a requester attaches: which documents are on file."""
    system = f"{base}/fhir/CodeSystem/documentation"
    return {
        "resourceType": "QuestionnaireResponse",
        "id": "documents-on-file",
        "status": "completed",
        "item": [
            {
                "linkId": "documentation",
                "answer": [{"valueCoding": {"system": system, "code": d}} for d in DOCUMENTS],
            }
        ],
    }


def pas_request(
    source: str,
    codes: list[str],
    diagnosis: str,
    *,
    identifier: str | None = None,
    documents: bool = False,
    response: dict[str, Any] | None = None,
) -> dict[str, Any]:
    from .support import pas

    body: dict[str, Any] = deep(pas(source))
    claim = body["entry"][0]["resource"]
    claim["item"] = claim["item"][: len(codes)]
    for item, code in zip(claim["item"], codes, strict=True):
        item["productOrService"] = cpt(code)
    claim["diagnosis"][0]["diagnosisCodeableConcept"] = icd(diagnosis)[0]
    if identifier is not None:
        claim["identifier"][0]["value"] = identifier
    for entry in body["entry"]:
        if entry["resource"]["resourceType"] == "PractitionerRole":
            entry["resource"]["specialty"] = [{"coding": [{"system": NUCC, "code": "207N00000X"}]}]
    if documents or response is not None:
        response = response or documents_on_file()
        response = {**response, "id": "documents-on-file"}
        body["entry"].append(
            {
                "fullUrl": "http://davinci-pas.org/fhir/QuestionnaireResponse/documents-on-file",
                "resource": response,
            }
        )
        claim["supportingInfo"].append(
            {
                "sequence": 100,
                "category": {
                    "coding": [
                        {
                            "system": "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASTempCodes",
                            "code": "additionalInformation",
                        }
                    ]
                },
                "valueReference": {"reference": "QuestionnaireResponse/documents-on-file"},
            }
        )
    return body


PAS_DERMATOLOGY: dict[str, tuple[Any, str]] = {
    "approval": (
        lambda: pas_request(
            "approval_pa_submit_request_payload.json", ["17000", "17003"], "L57.0", documents=True
        ),
        "A1",
    ),
    "denial": (
        lambda: pas_request("denial_pa_submit_request_payload.json", ["15788"], "L81.4"),
        "A3",
    ),
    "pended": (
        lambda: pas_request("pended_pa_submit_request_payload.json", ["0479T"], "T23.361S"),
        "A4",
    ),
}
