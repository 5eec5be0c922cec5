"""The services this payer offers (GET /cds-services), with their prefetch templates and the CRD
configuration options a client may set per call in `extension."davinci-crd.configuration"`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CARD_TYPE = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp"

PATIENT = "Patient/{{context.patientId}}"
COVERAGE = "Coverage?patient={{context.patientId}}&status=active"


@dataclass(frozen=True)
class Service:
    id: str
    hook: str
    title: str
    description: str
    prefetch: dict[str, str]
    primary: bool


SERVICES: dict[str, Service] = {
    service.id: service
    for service in (
        Service(
            "order-sign",
            "order-sign",
            "Coverage and prior authorization for skin procedures, when an order is signed",
            "Decides coverage for each signed ServiceRequest or DeviceRequest with a CPT or HCPCS "
            "code against the member's policy, and says whether prior authorization and which "
            "documentation are needed.",
            {"patient": PATIENT, "coverage": COVERAGE, "user": "{{context.userId}}"},
            primary=True,
        ),
        Service(
            "order-select",
            "order-select",
            "Early coverage information for skin procedures, when an order is selected",
            "Coverage information for the selected orders, before they are signed.",
            {"patient": PATIENT, "coverage": COVERAGE, "user": "{{context.userId}}"},
            primary=False,
        ),
        Service(
            "order-dispatch",
            "order-dispatch",
            "Coverage for skin procedures, when an order is sent to a performer",
            "Decides coverage for the dispatched order with the chosen performer, who may change "
            "the answer (provider type and setting).",
            {
                "patient": PATIENT,
                "coverage": COVERAGE,
                "order": "{{context.order}}",
                "performer": "{{context.performer}}",
            },
            primary=True,
        ),
        Service(
            "appointment-book",
            "appointment-book",
            "Coverage for skin procedures, when an appointment is booked",
            "Decides coverage for the procedure an appointment is booked for (its service type "
            "or the order it is based on).",
            {"patient": PATIENT, "coverage": COVERAGE, "user": "{{context.userId}}"},
            primary=True,
        ),
    )
}

CONFIGURATION_OPTIONS: list[dict[str, Any]] = [
    {
        "code": "coverage-info",
        "type": "boolean",
        "name": "Coverage information",
        "description": "Return coverage information on each order (a systemAction) and a card "
        "with the documentation needed.",
        "default": True,
    },
    {
        "code": "guideline",
        "type": "boolean",
        "name": "Policy links",
        "description": "Return a card linking the public text of the policy that decided.",
        "default": True,
    },
    {
        "code": "max-cards",
        "type": "integer",
        "name": "Maximum cards",
        "description": "Return at most this many cards.",
        "default": 10,
    },
]


def discovery() -> dict[str, Any]:
    return {
        "services": [
            {
                "hook": service.hook,
                "id": service.id,
                "title": service.title,
                "description": service.description,
                "prefetch": service.prefetch,
                "extension": {"davinci-crd.configuration-options": CONFIGURATION_OPTIONS},
            }
            for service in SERVICES.values()
        ]
    }


def configuration(extension: Any) -> dict[str, Any]:
    """The options this call set, over the defaults; unknown or mistyped ones are ignored."""
    chosen: dict[str, Any] = {option["code"]: option["default"] for option in CONFIGURATION_OPTIONS}
    given = extension.get("davinci-crd.configuration") if isinstance(extension, dict) else None
    if isinstance(given, dict):
        for option in CONFIGURATION_OPTIONS:
            value = given.get(option["code"])
            if option["type"] == "boolean" and isinstance(value, bool):
                chosen[option["code"]] = value
            if option["type"] == "integer" and type(value) is int and 0 <= value <= 100:
                chosen[option["code"]] = value
    return chosen
