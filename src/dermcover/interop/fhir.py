"""FHIR resources in and out, through fhir.resources' R4B models (pydantic v2).

Every resource the service reads goes through `parse`; every resource it writes goes through
`checked`, so nothing leaves that the models would refuse. The Da Vinci guides are FHIR R4
(4.0.1); the R4B models agree with R4 for every resource type used here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS_SYSTEMS = frozenset(
    {
        "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        "urn:oid:2.16.840.1.113883.6.285",
        "urn:oid:2.16.840.1.113883.6.14",
    }
)
PROCEDURE_SYSTEMS = frozenset({CPT, "urn:oid:2.16.840.1.113883.6.12"}) | HCPCS_SYSTEMS
ICD10CM_SYSTEMS = frozenset({"http://hl7.org/fhir/sid/icd-10-cm", "urn:oid:2.16.840.1.113883.6.90"})
NPI = "http://hl7.org/fhir/sid/us-npi"

JsonObject = dict[str, Any]


class FhirError(ValueError):
    """A resource that is not valid FHIR; the message names the element and what is wrong."""


def parse(data: Any, where: str = "resource") -> FHIRAbstractModel:
    """One resource (any type) as its R4B model; a FhirError names the first problem."""
    if not isinstance(data, Mapping):
        raise FhirError(f"{where}: expected a FHIR resource (a JSON object)")
    kind = data.get("resourceType")
    if not isinstance(kind, str) or not kind:
        raise FhirError(f"{where}: resourceType is missing")
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError):
        raise FhirError(f"{where}: resourceType {kind[:40]!r} is not a FHIR R4 resource") from None
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise FhirError(f"{where} ({kind}): {first_problem(exc)}") from None


def first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"] if not str(part).startswith("function"))
    return f"{location or 'value'}: {error['msg']}"


def parse_as(data: Any, kind: str, where: str) -> FHIRAbstractModel:
    resource = parse(data, where)
    if resource.get_resource_type() != kind:
        raise FhirError(f"{where}: expected a {kind}, got a {resource.get_resource_type()}")
    return resource


def dump(resource: FHIRAbstractModel) -> JsonObject:
    """The resource as FHIR JSON (no nulls, FHIR element names)."""
    dumped: JsonObject = resource.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


def checked(data: JsonObject, where: str = "resource") -> JsonObject:
    """`data` unchanged, after the models have accepted it: the last gate before it is sent."""
    parse(data, where)
    return data


def codings(concept: Any) -> Iterator[JsonObject]:
    """The codings of a CodeableConcept given as JSON (tolerating a lone coding object)."""
    if not isinstance(concept, Mapping):
        return
    found = concept.get("coding")
    if isinstance(found, Mapping):
        found = [found]
    if isinstance(found, list):
        yield from (dict(c) for c in found if isinstance(c, Mapping))


def reference_of(value: Any) -> str | None:
    """`{"reference": "Patient/1"}` -> "Patient/1"; anything else -> None."""
    if isinstance(value, Mapping) and isinstance(value.get("reference"), str):
        return str(value["reference"])
    return None


def relative(reference: str) -> str:
    """ "https://ehr/fhir/Patient/1" or "Patient/1/_history/2" -> "Patient/1"."""
    parts = [part for part in reference.split("/") if part]
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    return "/".join(parts[-2:]) if len(parts) >= 2 else reference
