"""The prior-authorization packet: cover sheet, letter, checklist, codes, criteria, attachments."""

from __future__ import annotations

import json

import pytest

from dermcover.case import Case
from dermcover.documents import DocumentRefused, render
from dermcover.documents.pa_packet import PriorAuthorizationPacket, prior_authorization_packet
from dermcover.documents.schedule import Schedule
from dermcover.engine.pack import Pack
from dermcover.inputs import load_model

from .support import (
    EXAMPLES,
    TODAY,
    decided,
    decided_by,
    example,
    generic_fixture,
    pdf_text,
    with_people,
)


def burn_packet() -> PriorAuthorizationPacket:
    case = example("burn-scar-laser.yaml")
    determination, pack = decided(case)
    schedule = load_model(Schedule, EXAMPLES / "schedule-burn-laser.yaml")
    return prior_authorization_packet(case, determination, pack, today=TODAY, schedule=schedule)


def test_the_checklist_marks_what_is_on_file_and_what_is_missing() -> None:
    packet = burn_packet()
    # generic policy.yaml asks for photos, medical records, prior treatment records and a letter;
    # the case has photos and prior treatment records on file.
    statuses = {entry.item.value: entry.status for entry in packet.checklist}
    assert statuses == {
        "photos": "present",
        "medical_records": "missing",
        "prior_treatment_records": "present",
        "letter_of_medical_necessity": "included",
    }
    assert packet.to_obtain == ["Medical records"]
    assert not packet.complete
    # Records on file that the policy does not list still go in.
    assert "Range of motion measurements" in packet.attach


def test_the_rendered_packet_has_cover_sheet_letter_checklist_codes_and_criteria() -> None:
    text = pdf_text("pa-packet", burn_packet())
    assert "article" not in text
    for element in (
        # Cover sheet: to, from, patient, service.
        "Prior authorization request",
        "Cascade Health Plan PPO",
        "Dana Reyes, MD, FAAD",
        "NPI 1987654328",
        "Phone (503) 555-0142",
        "Jordan Ellis",
        "06/14/1988",
        "CHP-4410-2287",
        "Fractional ablative laser, 3 sessions, hand",
        "12/14/2026",
        # Codes.
        "T23.361S",
        "0479T",
        # Criteria met: the plan has no pack, so under the shared definition of medical
        # necessity, to be checked against the plan's own policy; never a consumer article.
        "MEDICAL NECESSITY CRITERIA MET",
        "The condition comes from a burn, an injury, surgery, a congenital condition or a disease",
        "Under the definition of medical necessity health plans share",
        "own medical policy for this procedure",
        # Checklist and what to attach.
        "DOCUMENTATION CHECKLIST",
        "Photos Present",
        "Medical records Missing",
        "Letter of medical necessity In this packet",
        "What to attach",
        "Obtain before sending: Medical records",
        # The letter itself.
        "Letter of medical necessity",
        "Dear Medical Director,",
        "Sincerely,",
    ):
        assert element in text, element


def test_the_packet_is_written_as_json_for_systems() -> None:
    data = json.loads(render.json_text(burn_packet()))
    assert data["policy_id"] == "generic"
    assert data["procedures"][0]["code"] == "0479T"
    assert data["letter"]["patient"] == {
        "name": "Jordan Ellis",
        "birth_date": "1988-06-14",
        "member_id": "CHP-4410-2287",
    }
    assert {"item": "medical_records", "status": "missing"}.items() <= data["checklist"][1].items()
    assert data["to_obtain"] == ["Medical records"]


def test_a_packet_for_a_generic_fixture_renders() -> None:
    case = generic_fixture("burn-contracture-covered.yaml", code="17999")
    determination, pack = decided(case)
    packet = prior_authorization_packet(
        case,
        determination,
        pack,
        today=TODAY,
        schedule=Schedule.model_validate(
            {"interval": {"every": 1, "unit": "months"}, "first_session": "2027-01-04"}
        ),
    )
    text = pdf_text("pa-packet", packet)
    for element in ("Alex Morgan", "M-100200", "17999", "T23.302S", "every month", "01/04/2027"):
        assert element in text, element


# --- refusals ------------------------------------------------------------------------------------


def refusal(case: Case, pack: Pack | None = None) -> str:
    if pack is None:
        determination, pack = decided(case)
    else:
        determination = decided_by(pack, case)
    schedule = Schedule.model_validate({"interval": {"every": 4, "unit": "weeks"}})
    with pytest.raises(DocumentRefused) as refused:
        prior_authorization_packet(case, determination, pack, today=TODAY, schedule=schedule)
    return str(refused.value)


def _burn_with(**changes: object) -> Case:
    data = example("burn-scar-laser.yaml").model_dump(mode="json", exclude_none=True)
    data.update(changes)
    return Case.model_validate(data)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("approved", "prior authorization is already approved (reference PA-1); nothing"),
        ("pending", "a prior-authorization request is already pending (reference PA-1)"),
        ("denied", "prior authorization was denied (reference PA-1); write an appeal instead"),
    ],
)
def test_a_request_already_decided_or_pending_is_not_sent_again(status: str, expected: str) -> None:
    message = refusal(_burn_with(prior_authorization={"status": status, "reference": "PA-1"}))
    assert expected in message


def test_a_cosmetic_case_gets_no_packet() -> None:
    message = refusal(with_people(example("pico-laser-prp-melasma.yaml").model_dump(mode="json")))
    assert "cannot write the prior-authorization packet" in message
    assert "excludes it as cosmetic" in message


def test_no_packet_where_the_policy_needs_no_prior_authorization(test_pack: Pack) -> None:
    case = with_people(
        {
            "procedures": [{"kind": "lesion_destruction", "code": "17000"}],
            "condition": {"diagnoses": ["L57.0"], "kind": "actinic_keratosis"},
            "purpose": "disease_treatment",
        }
    )
    assert "no procedure needs prior authorization under Test skin policy" in refusal(
        case, test_pack
    )


def test_the_member_id_and_a_phone_number_are_required() -> None:
    data = example("burn-scar-laser.yaml").model_dump(mode="json", exclude_none=True)
    del data["payer"]["member_id"]
    del data["provider"]["phone"]
    message = refusal(Case.model_validate(data))
    assert "payer.member_id is missing" in message
    assert "provider.phone is missing" in message
