"""GET /fhir/metadata: what this FHIR endpoint supports, as a CapabilityStatement."""

from __future__ import annotations

from datetime import date

from dermcover.interop.fhir import JsonObject, checked

DTR = "http://hl7.org/fhir/us/davinci-dtr"
PAS = "http://hl7.org/fhir/us/davinci-pas"
QUESTIONNAIRE_PACKAGE = f"{DTR}/OperationDefinition/questionnaire-package"


def capability_statement(base_url: str, version: str, today: date) -> JsonObject:
    return checked(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": today.isoformat(),
            "publisher": "dermcover",
            "kind": "instance",
            "software": {"name": "dermcover", "version": version},
            "implementation": {
                "description": "Coverage, documentation and prior authorization for skin "
                "procedures (Da Vinci CRD, DTR and PAS)",
                "url": f"{base_url}/fhir",
            },
            "fhirVersion": "4.0.1",
            "format": ["application/fhir+json", "json"],
            "implementationGuide": [
                "http://hl7.org/fhir/us/davinci-crd/ImplementationGuide/hl7.fhir.us.davinci-crd|2.0.1",
                f"{DTR}/ImplementationGuide/hl7.fhir.us.davinci-dtr|2.0.1",
                f"{PAS}/ImplementationGuide/hl7.fhir.us.davinci-pas|2.2.1",
            ],
            "rest": [
                {
                    "mode": "server",
                    "documentation": "Every operation needs a JWT signed by a trusted client "
                    "(Authorization: Bearer).",
                    "resource": [
                        {
                            "type": "Claim",
                            "operation": [
                                {
                                    "name": "submit",
                                    "definition": f"{PAS}/OperationDefinition/Claim-submit",
                                },
                                {
                                    "name": "inquire",
                                    "definition": f"{PAS}/OperationDefinition/Claim-inquiry",
                                },
                            ],
                        },
                        {
                            "type": "Questionnaire",
                            "operation": [
                                {
                                    "name": "questionnaire-package",
                                    "definition": QUESTIONNAIRE_PACKAGE,
                                }
                            ],
                        },
                        {"type": "QuestionnaireResponse", "interaction": [{"code": "create"}]},
                    ],
                }
            ],
        },
        "CapabilityStatement",
    )
