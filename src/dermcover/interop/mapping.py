"""FHIR to dermcover cases: one case per order, with only what the resources actually say.

ServiceRequest, DeviceRequest, Procedure and Appointment codes (CPT/HCPCS) become procedure lines;
reasonCode, reasonReference and Claim diagnoses (ICD-10-CM) become diagnoses; the Patient gives
birth date and sex; the Coverage gives the pack and plan through the payer directory;
Practitioner, PractitionerRole and Location give the provider type and setting. A fact the FHIR
data does not state stays unknown (None), never false.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from dermcover.case import Case, ProviderType, Setting, Sex, Site
from dermcover.codes.npi import npi_is_valid
from dermcover.codes.procedures import lookup
from dermcover.interop.clinical import ClinicalData, listed
from dermcover.interop.fhir import (
    ICD10CM_SYSTEMS,
    NPI,
    PROCEDURE_SYSTEMS,
    JsonObject,
    codings,
    first_problem,
)
from dermcover.interop.payers import PayerEntry

ORDER_TYPES = frozenset(
    {
        "ServiceRequest",
        "DeviceRequest",
        "MedicationRequest",
        "NutritionOrder",
        "VisionPrescription",
        "CommunicationRequest",
        "Appointment",
        "Procedure",
    }
)
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"

# NUCC provider taxonomy (and a few SNOMED specialties) to the case's provider types.
TAXONOMY: dict[str, ProviderType] = {
    "207N00000X": ProviderType.dermatologist,
    "207ND0101X": ProviderType.dermatologist,
    "207ND0900X": ProviderType.dermatologist,
    "207NS0135X": ProviderType.dermatologist,
    "208200000X": ProviderType.plastic_surgeon,
    "2082S0099X": ProviderType.plastic_surgeon,
    "363L00000X": ProviderType.nurse_practitioner,
    "363A00000X": ProviderType.physician_assistant,
    "163W00000X": ProviderType.registered_nurse,
    "146L00000X": ProviderType.esthetician,
    "394582007": ProviderType.dermatologist,
    "394611003": ProviderType.plastic_surgeon,
}
# HL7 v2 table 0360 degrees.
DEGREES: dict[str, ProviderType] = {
    "MD": ProviderType.physician,
    "DO": ProviderType.physician,
    "NP": ProviderType.nurse_practitioner,
    "PA": ProviderType.physician_assistant,
    "RN": ProviderType.registered_nurse,
}
PLACES: dict[str, Setting] = {
    "11": Setting.office,
    "19": Setting.hospital_outpatient,
    "22": Setting.hospital_outpatient,
    "24": Setting.ambulatory_surgery_center,
}
# SNOMED CT body structures to the case's sites.
BODY_SITES: dict[str, Site] = {
    "89545001": Site.face,
    "45048000": Site.neck,
    "41695006": Site.scalp,
    "22943007": Site.trunk,
    "53120007": Site.arm,
    "85562004": Site.hand,
    "61685007": Site.leg,
    "56459004": Site.foot,
}
SEXES = {"female": Sex.female, "male": Sex.male, "other": Sex.other}


@dataclass(frozen=True)
class OrderCase:
    """One order and the case it makes; `case` is None when no pack can judge it, and `why`
    says what is missing."""

    order: JsonObject
    reference: str
    codes: list[str]
    case: Case | None
    why: str | None = None


def procedure_codes(order: JsonObject) -> list[str]:
    """The CPT/HCPCS codes an order names (a coding with no system counts when we know it)."""
    concepts: list[Any] = [
        order.get("code"),
        order.get("codeCodeableConcept"),
        *listed(order.get("serviceType")),
        order.get("productOrService"),
    ]
    found: list[str] = []
    for concept in concepts:
        for coding in codings(concept):
            code, system = coding.get("code"), coding.get("system")
            if not isinstance(code, str):
                continue
            if system in PROCEDURE_SYSTEMS or (not system and lookup(code) is not None):
                normal = code.strip().upper()
                if normal not in found:
                    found.append(normal)
    return found


def diagnoses(concepts: Iterable[Any]) -> list[str]:
    found: list[str] = []
    for concept in concepts:
        for coding in codings(concept):
            code = coding.get("code")
            if coding.get("system") not in ICD10CM_SYSTEMS or not isinstance(code, str):
                continue
            if code.strip() and code.strip() not in found:
                found.append(code.strip())
    return found


def order_diagnoses(order: JsonObject, data: ClinicalData) -> list[str] | None:
    """ICD-10-CM codes from the order's reasons and the Conditions they reference; None when
    the order gives none (unknown, not "no diagnosis")."""
    concepts: list[Any] = list(listed(order.get("reasonCode")))
    for condition in data.resolve_all(listed(order.get("reasonReference"))):
        concepts.append(condition.get("code"))
    for based_on in data.resolve_all(listed(order.get("basedOn"))):
        concepts += listed(based_on.get("reasonCode"))
    found = diagnoses(concepts)
    return found or None


def patient_facts(patient: JsonObject | None) -> dict[str, Any] | None:
    if patient is None:
        return None
    facts: dict[str, Any] = {}
    if isinstance(patient.get("birthDate"), str) and len(patient["birthDate"]) == 10:
        born = date.fromisoformat(patient["birthDate"])
        if born <= date.today():
            facts["birth_date"] = born.isoformat()
    sex = SEXES.get(str(patient.get("gender")))
    if sex is not None:
        facts["sex"] = sex.value
    names = listed(patient.get("name"))
    if names and isinstance(names[0], Mapping):
        text = names[0].get("text") or " ".join(
            [*listed(names[0].get("given")), str(names[0].get("family") or "")]
        )
        if isinstance(text, str) and text.strip():
            facts["name"] = text.strip()[:200]
    return facts or None


def payer_facts(entry: PayerEntry | None, coverage: JsonObject | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    facts: dict[str, Any] = {"policy": entry.policy, "plan_name": plan_name(coverage) or entry.name}
    if entry.plan_type is not None:
        facts["plan_type"] = entry.plan_type.value
    if entry.network is not None:
        facts["network"] = entry.network.value
    member = coverage.get("subscriberId") if coverage else None
    if isinstance(member, str) and member.strip():
        facts["member_id"] = member.strip()[:64]
    return facts


def plan_name(coverage: JsonObject | None) -> str | None:
    """The plan the coverage names (its `class` of type plan), if any."""
    for item in listed(coverage.get("class") if coverage else None):
        if not isinstance(item, Mapping) or not isinstance(item.get("value"), str):
            continue
        if any(c.get("code") == "plan" for c in codings(item.get("type"))):
            return str(item.get("name") or item["value"])[:200]
    return None


def provider_facts(people: Iterable[JsonObject], places: Iterable[str]) -> dict[str, Any] | None:
    """Provider type from PractitionerRole specialty/code or Practitioner qualification; setting
    from a place-of-service code on a Location or a claim item."""
    facts: dict[str, Any] = {}
    specialist: ProviderType | None = None
    degree: ProviderType | None = None
    for resource in people:
        for concept in [*listed(resource.get("specialty")), *listed(resource.get("code"))]:
            for coding in codings(concept):
                specialist = specialist or TAXONOMY.get(str(coding.get("code")))
        for qualification in listed(resource.get("qualification")):
            for coding in codings(
                qualification.get("code") if isinstance(qualification, dict) else None
            ):
                degree = degree or DEGREES.get(str(coding.get("code")))
        for identifier in listed(resource.get("identifier")):
            value = identifier.get("value") if isinstance(identifier, dict) else None
            if identifier.get("system") == NPI and isinstance(value, str) and npi_is_valid(value):
                facts.setdefault("npi", value)
    kind = specialist or degree
    if kind is not None:
        facts["type"] = kind.value
    for code in places:
        if code in PLACES:
            facts["setting"] = PLACES[code].value
            break
    return facts or None


def place_codes(resources: Iterable[JsonObject], concepts: Iterable[Any] = ()) -> list[str]:
    found: list[str] = []
    for resource in resources:
        for concept in [*listed(resource.get("type")), resource.get("physicalType")]:
            found += [str(c.get("code")) for c in codings(concept) if c.get("system") == POS]
    for concept in concepts:
        found += [str(c.get("code")) for c in codings(concept) if c.get("system") == POS]
    return found


def body_site(order: JsonObject) -> str | None:
    for concept in listed(order.get("bodySite")):
        for coding in codings(concept):
            site = BODY_SITES.get(str(coding.get("code")))
            if site is not None:
                return site.value
    return None


def sessions(order: JsonObject) -> int | None:
    quantity = order.get("quantityQuantity") or order.get("quantity")
    if isinstance(quantity, Mapping) and isinstance(quantity.get("value"), int | float):
        value = int(quantity["value"])
        return value if 1 <= value <= 100 else None
    timing = order.get("occurrenceTiming")
    repeat = timing.get("repeat") if isinstance(timing, Mapping) else None
    if isinstance(repeat, Mapping) and isinstance(repeat.get("count"), int):
        count = int(repeat["count"])
        return count if 1 <= count <= 100 else None
    return None


def people_for(
    order: JsonObject, data: ClinicalData, extra: Iterable[Any] = ()
) -> list[JsonObject]:
    """The practitioners and roles named by the order (performer, requester) or the hook."""
    references: list[Any] = [*listed(order.get("performer")), order.get("performer")]
    references += [order.get("requester"), *extra]
    for participant in listed(order.get("participant")):
        if isinstance(participant, Mapping):
            references.append(participant.get("actor"))
    people = [
        r
        for r in data.resolve_all(references)
        if r.get("resourceType") in ("Practitioner", "PractitionerRole")
    ]
    for role in [r for r in people if r.get("resourceType") == "PractitionerRole"]:
        practitioner = data.resolve(role.get("practitioner"))
        if practitioner is not None:
            people.append(practitioner)
    return people


def locations_for(
    order: JsonObject, data: ClinicalData, people: Iterable[JsonObject]
) -> list[JsonObject]:
    references: list[Any] = [*listed(order.get("locationReference"))]
    for participant in listed(order.get("participant")):
        if isinstance(participant, Mapping):
            references.append(participant.get("actor"))
    for person in people:
        references += listed(person.get("location"))
    return [r for r in data.resolve_all(references) if r.get("resourceType") == "Location"]


def order_case(
    order: JsonObject,
    data: ClinicalData,
    *,
    patient: JsonObject | None,
    coverage: JsonObject | None,
    payer: PayerEntry | None,
    people_refs: Iterable[Any] = (),
    codes: list[str] | None = None,
    diagnosis_codes: list[str] | None = None,
    place_concepts: Iterable[Any] = (),
) -> OrderCase:
    """The case one order makes, or why there is none."""
    reference = f"{order.get('resourceType')}/{order.get('id', '')}"
    codes = procedure_codes(order) if codes is None else codes
    if order.get("resourceType") == "Appointment":
        for based_on in data.resolve_all(listed(order.get("basedOn"))):
            codes += [c for c in procedure_codes(based_on) if c not in codes]
    known = [code for code in codes if lookup(code) is not None]
    if not codes:
        return OrderCase(order, reference, codes, None, "the order names no CPT or HCPCS code")
    if not known:
        return OrderCase(
            order,
            reference,
            codes,
            None,
            f"no dermatology policy covers code {', '.join(codes[:3])}",
        )
    if payer is None:
        return OrderCase(order, reference, codes, None, "no policy is configured for this payer")
    procedure: dict[str, Any] = {}
    if (count := sessions(order)) is not None:
        procedure["sessions"] = count
    if (site := body_site(order)) is not None:
        procedure["site"] = site
    people = people_for(order, data, people_refs)
    document: dict[str, Any] = {
        "id": reference[:200],
        "payer": payer_facts(payer, coverage),
        "patient": patient_facts(patient),
        "procedures": [{"code": code, **procedure} for code in known],
        "provider": provider_facts(
            people,
            place_codes(
                locations_for(order, data, people),
                [*place_concepts, *listed(order.get("locationCode"))],
            ),
        ),
    }
    found = order_diagnoses(order, data) if diagnosis_codes is None else diagnosis_codes or None
    if found is not None:
        document["condition"] = {"diagnoses": found}
    try:
        case = Case.model_validate({k: v for k, v in document.items() if v is not None})
    except ValidationError as exc:
        return OrderCase(
            order, reference, codes, None, f"the order cannot be read: {first_problem(exc)}"
        )
    return OrderCase(order, reference, codes, case)
