"""FHIR to a dermcover case: each resource gives only what it says; anything else stays unknown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dermcover.inputs import InputError
from dermcover.interop.clinical import ClinicalData
from dermcover.interop.mapping import order_case
from dermcover.interop.payers import PayerDirectory, PayerEntry, payer_directory

CPT = "http://www.ama-assn.org/go/cpt"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
GENERIC = PayerEntry(name="Plan", policy="generic")


def order(**extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "id": "o1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": CPT, "code": "17000"}]},
        **extra,
    }


def case_for(resources: list[dict[str, Any]], the_order: dict[str, Any], **kw: Any) -> Any:
    data = ClinicalData()
    for resource in [*resources, the_order]:
        data.add(resource, "test")
    patient = data.get("Patient/p1")
    return order_case(the_order, data, patient=patient, coverage=None, payer=GENERIC, **kw)


def test_an_order_with_only_a_code_leaves_everything_else_unknown() -> None:
    made = case_for([], order())
    case = made.case
    assert case.procedures[0].code == "17000"
    assert case.patient is None and case.condition is None and case.provider is None
    assert case.purpose is None and case.impairment is None and case.documentation is None


def test_patient_reasons_and_conditions_become_facts() -> None:
    patient = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1980-05-01"}
    condition = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": ICD, "code": "L57.0"}]},
    }
    made = case_for(
        [patient, condition],
        order(
            reasonCode=[{"coding": [{"system": "http://snomed.info/sct", "code": "201101007"}]}],
            reasonReference=[{"reference": "Condition/c1"}],
            bodySite=[{"coding": [{"system": "http://snomed.info/sct", "code": "89545001"}]}],
        ),
    )
    assert made.case.patient.sex.value == "female"
    assert made.case.patient.birth_date.isoformat() == "1980-05-01"
    assert made.case.condition.diagnoses == ["L57.0"]  # the SNOMED reason alone would say nothing
    assert made.case.procedures[0].site.value == "face"


def test_a_patient_without_gender_or_birth_date_stays_unknown() -> None:
    made = case_for([{"resourceType": "Patient", "id": "p1"}], order())
    assert made.case.patient is None


def test_provider_type_and_setting_come_from_role_practitioner_and_location() -> None:
    role = {
        "resourceType": "PractitionerRole",
        "id": "r1",
        "practitioner": {"reference": "Practitioner/d1"},
        "specialty": [
            {"coding": [{"system": "http://nucc.org/provider-taxonomy", "code": "207N00000X"}]}
        ],
        "location": [{"reference": "Location/l1"}],
    }
    location = {
        "resourceType": "Location",
        "id": "l1",
        "type": [
            {
                "coding": [
                    {
                        "system": "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
                        "code": "22",
                    }
                ]
            }
        ],
    }
    made = case_for([role, location], order(performer=[{"reference": "PractitionerRole/r1"}]))
    assert made.case.provider.type.value == "dermatologist"
    assert made.case.provider.setting.value == "hospital_outpatient"
    nurse = {
        "resourceType": "Practitioner",
        "id": "n1",
        "qualification": [
            {
                "code": {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0360", "code": "NP"}
                    ]
                }
            }
        ],
    }
    made = case_for([nurse], order(performer=[{"reference": "Practitioner/n1"}]))
    assert made.case.provider.type.value == "nurse_practitioner"
    assert made.case.provider.setting is None


def test_codes_no_pack_knows_and_ambiguous_codes_make_no_case() -> None:
    unknown = case_for([], order(code={"coding": [{"system": CPT, "code": "99213"}]}))
    assert unknown.case is None and "99213" in unknown.why
    ambiguous = case_for([], order(code={"coding": [{"system": CPT, "code": "17106"}]}))
    assert ambiguous.case is None and "17106" in ambiguous.why
    no_code = case_for([], order(code={"text": "laser"}))
    assert no_code.case is None and "no CPT or HCPCS" in no_code.why


def _coverage(**extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Coverage",
        "id": "c",
        "status": "active",
        "beneficiary": {"reference": "Patient/p1"},
        "payor": [{"reference": "Organization/o1"}],
        **extra,
    }


def test_the_payer_map_matches_identifier_reference_and_plan(tmp_path: Path) -> None:
    path = tmp_path / "payers.yaml"
    aetna = "identifiers: ['http://x.example/payer|AET'], policy: aetna"
    path.write_text(
        "payers:\n"
        f"  - {{name: Aetna Gold, {aetna}, plans: [Gold]}}\n"
        f"  - {{name: Aetna, {aetna}, plan_type: commercial}}\n"
        "  - {name: UHC, references: [Organization/uhc], policy: uhc}\n"
    )
    directory = payer_directory(path)
    data = ClinicalData()
    data.add(
        {
            "resourceType": "Organization",
            "id": "o1",
            "identifier": [{"system": "http://x.example/payer", "value": "AET"}],
        },
        "t",
    )
    gold = _coverage(**{"class": [{"type": {"text": "plan"}, "value": "gold"}]})
    assert directory.match(gold, data).name == "Aetna Gold"
    assert directory.match(_coverage(), data).name == "Aetna"
    uhc = _coverage(payor=[{"reference": "Organization/uhc"}])
    assert directory.match(uhc, ClinicalData()).name == "UHC"
    assert (
        directory.match(_coverage(payor=[{"reference": "Organization/zzz"}]), ClinicalData())
        is None
    )


def test_a_payer_map_naming_a_missing_pack_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "payers.yaml"
    path.write_text("payers:\n  - {name: X, references: [Organization/x], policy: nosuch}\n")
    with pytest.raises(InputError, match="policy = 'nosuch' is not a pack"):
        payer_directory(path)


def test_the_bundled_map_sends_medicare_plans_to_the_medicare_pack() -> None:
    directory: PayerDirectory = payer_directory()
    medicare = _coverage(**{"class": [{"type": {"text": "plan"}, "value": "Medicare Part B"}]})
    assert directory.match(medicare, ClinicalData()).policy == "medicare"
    assert directory.match(_coverage(), ClinicalData()).policy == "generic"


def test_the_orders_place_of_service_and_the_coverages_plan_become_facts() -> None:
    pos = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
    the_order = order(locationCode=[{"coding": [{"system": pos, "code": "24"}]}])
    data = ClinicalData()
    data.add(the_order, "test")
    plan = {"type": {"coding": [{"code": "plan"}]}, "value": "GOLD-01", "name": "Gold PPO"}
    made = order_case(
        the_order, data, patient=None, coverage=_coverage(**{"class": [plan]}), payer=GENERIC
    )
    assert made.case.provider.setting.value == "ambulatory_surgery_center"
    assert made.case.payer.plan_name == "Gold PPO" and made.case.payer.policy == "generic"
