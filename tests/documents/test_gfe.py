"""The Good Faith Estimate: the ten elements of 45 CFR 149.610(c)(1), its charges, its due date,
the 12-month limit on a series, and every refusal (research section 3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from dermcover.case import Case
from dermcover.documents import DocumentRefused
from dermcover.documents.gfe import GoodFaithEstimate, good_faith_estimate
from dermcover.documents.schedule import Schedule
from dermcover.estimate import EstimateRequest
from dermcover.inputs import load_model

from .support import EXAMPLES, example, pdf_text, with_people

ISSUED = date(2026, 11, 23)
PRICES = {"billed_charge": 450, "self_pay": 350, "package": {"sessions": 6, "price": 1800}}


def self_pay_case(**changes: Any) -> Case:
    data = example("self-pay-microneedling.yaml").model_dump(mode="json", exclude_none=True)
    for key, value in changes.items():
        data[key] = value
    return Case.model_validate(data)


def schedule(**fields: Any) -> Schedule:
    base: dict[str, Any] = {
        "scheduled_on": "2026-11-23",
        "first_session": "2026-12-07",
        "interval": {"every": 4, "unit": "weeks"},
        "separately_scheduled": [],
    }
    return Schedule.model_validate({**base, **fields})


def estimate(
    case: Case | None = None, prices: dict[str, Any] | None = None, plan: Schedule | None = None
) -> GoodFaithEstimate:
    request = EstimateRequest.model_validate({"prices": prices or PRICES})
    return good_faith_estimate(case or self_pay_case(), request, plan or schedule(), today=ISSUED)


def example_estimate(language: str = "en") -> GoodFaithEstimate:
    return good_faith_estimate(
        example("self-pay-microneedling.yaml"),
        load_model(EstimateRequest, EXAMPLES / "self-pay-microneedling-estimate.yaml"),
        load_model(Schedule, EXAMPLES / "self-pay-microneedling-schedule.yaml"),
        today=ISSUED,
        language=language,
    )


def test_the_example_estimate_shows_all_ten_required_elements() -> None:
    text = pdf_text("gfe", example_estimate())
    elements = {
        "1 patient name and date of birth": ["Maya Chen", "03/08/1992"],
        "2 primary service in plain words, scheduled date": [
            "Microneedling of the face for acne scars: a series of 6 sessions, every 4 weeks",
            "Scheduled for December 7, 2026",
        ],
        "3 itemized items and services": [
            "Sessions 1–6",
            "Microneedling, face (prepaid package of 6 sessions)",
        ],
        "4 diagnosis codes, service codes, expected charges": [
            "L90.5 Scar conditions and fibrosis of skin",
            "L70.0 Acne vulgaris",
            "17999",
            "$1,800.00",
        ],
        "5 provider name, NPI, TIN, state, location": [
            "Priya Natarajan, MD",
            "1456789019",
            "36-7654321",
            "2200 N Lincoln Ave, Chicago, IL 60614",
            "State IL",
        ],
        "6 care scheduled separately, with instructions": [
            "Follow-up visit to review results (99213), about 3 months after the last session",
            "for a Good Faith Estimate when you schedule it",
        ],
        "7 other care not included": [
            "not included in this estimate and must be scheduled or requested separately",
        ],
        "8 only an estimate": [
            "This is only an estimate",
            "The actual items, services or charges may differ from it.",
        ],
        "9 dispute resolution": [
            "patient-provider dispute resolution",
            "$400 more than the total expected charges",
            "120 calendar days",
            "$25 fee",
            "www.cms.gov/nosurprises",
            "will not adversely affect the quality of the care you receive",
        ],
        "10 not a contract": ["is not a contract and does not require you to get the items"],
    }
    for element, phrases in elements.items():
        for phrase in phrases:
            assert phrase in text, f"element {element}: {phrase!r}"


def test_the_due_date_runs_from_the_scheduling_date() -> None:
    # Booked Monday 23 November 2026 for Monday 7 December: 9 business days ahead (Thanksgiving,
    # 26 November, is not one), so due 1 business day after scheduling (research 3.2).
    gfe = example_estimate()
    assert gfe.due is not None
    assert gfe.due.due_date == date(2026, 11, 24)
    assert "November 24, 2026" in pdf_text("gfe", gfe)


@pytest.mark.parametrize(
    ("fields", "due"),
    [
        # Research 8.B: B1, B2, B3 (scheduled) and B5 (requested, 4 July holiday).
        ({"scheduled_on": "2025-03-03", "first_session": "2025-03-07"}, date(2025, 3, 4)),
        ({"scheduled_on": "2025-03-03", "first_session": "2025-03-21"}, date(2025, 3, 6)),
        ({"scheduled_on": "2025-03-03", "first_session": "2025-03-17"}, date(2025, 3, 6)),
        (
            {"scheduled_on": None, "first_session": None, "requested_on": "2025-07-02"},
            date(2025, 7, 8),
        ),
    ],
)
def test_due_dates_match_the_research_table(fields: dict[str, Any], due: date) -> None:
    gfe = estimate(plan=schedule(**fields))
    assert gfe.due is not None and gfe.due.due_date == due


def test_a_booking_under_three_business_days_ahead_has_no_scheduling_deadline() -> None:
    gfe = estimate(plan=schedule(scheduled_on="2025-03-03", first_session="2025-03-05"))  # B4
    assert gfe.due is None
    assert gfe.due_note.startswith("Booked fewer than 3 business days ahead")


def test_the_package_discount_is_itemized() -> None:
    gfe = example_estimate()
    (item,) = gfe.items
    # Six sessions: a $1,800 package beats 6 x $350 = $2,100; list price 6 x $450 = $2,700.
    assert (item.sessions, item.quantity) == ("Sessions 1–6", 6)
    assert item.expected_charge == Decimal("1800")
    assert item.list_price == Decimal("2700")
    assert item.discount == Decimal("900")
    assert (item.first_date, item.last_date) == (date(2026, 12, 7), date(2027, 4, 26))
    assert gfe.total_expected == Decimal("1800")


def test_per_session_pricing_itemizes_each_session_with_its_discount() -> None:
    gfe = estimate(plan=schedule(pricing="per_session"))
    assert [item.sessions for item in gfe.items] == [f"Session {n}" for n in range(1, 7)]
    assert {item.expected_charge for item in gfe.items} == {Decimal("350")}
    assert {item.discount for item in gfe.items} == {Decimal("100")}
    assert gfe.total_expected == Decimal("2100")  # research B7: 6 x 350
    text = pdf_text("gfe", gfe)
    assert "Session 6" in text and "$2,100.00" in text


def test_a_series_longer_than_twelve_months_is_split() -> None:
    case = self_pay_case(
        procedures=[{"kind": "microneedling", "code": "17999", "sessions": 16, "site": "face"}]
    )
    gfe = estimate(case)
    # Every 4 weeks from 7 Dec 2026: session 14 falls on 6 Dec 2027, inside the 12 months; 15 on
    # 3 Jan 2028 is past them. 14 sessions: two packages of six and two single sessions.
    assert gfe.series is not None
    assert (gfe.series.sessions_planned, gfe.series.sessions_covered) == (16, 14)
    assert gfe.series.last_date == date(2027, 12, 6)
    assert gfe.series.planned_last_date == date(2028, 1, 31)  # session 16: 420 days on
    assert [item.sessions for item in gfe.items] == [
        "Sessions 1–6",
        "Sessions 7–12",
        "Session 13",
        "Session 14",
    ]
    assert gfe.total_expected == Decimal("4300")  # 2 x 1,800 + 2 x 350
    (later,) = gfe.separately_scheduled
    assert later.description.startswith("Sessions 15–16 of the series")
    assert later.timing == "from 2028-01-03"
    text = pdf_text("gfe", gfe)
    assert "12/07/2026 to 01/31/2028" in text
    assert "This estimate covers sessions 1–14 (to 12/06/2027)" in text
    assert "Sessions 15–16 of the series" in text


def test_an_insured_patient_who_asked_for_self_pay_gets_one() -> None:
    case = self_pay_case(payer={"policy": "generic", "plan_type": "commercial"})
    gfe = estimate(case, plan=schedule(self_pay_requested=True))
    assert gfe.total_expected == Decimal("1800")


# --- refusals ------------------------------------------------------------------------------------


def refusal(
    case: Case | None = None, prices: dict[str, Any] | None = None, plan: Schedule | None = None
) -> str:
    with pytest.raises(DocumentRefused) as refused:
        estimate(case, prices, plan)
    return str(refused.value)


def test_an_insured_patient_using_the_plan_gets_no_estimate() -> None:
    message = refusal(self_pay_case(payer={"policy": "generic", "plan_type": "commercial"}))
    assert "the patient has commercial coverage" in message
    assert "schedule.self_pay_requested" in message


def test_each_missing_element_is_named() -> None:
    """Research B11: a GFE missing any required element is refused, and each one is named."""
    case = with_people(
        {
            "payer": {"plan_type": "self_pay"},
            "procedures": [{"kind": "microneedling", "sessions": 6}],
            "condition": {"kind": "acne_scars"},
        }
    )
    bare = case.model_copy(
        update={
            "patient": None,
            "provider": case.provider.model_copy(  # type: ignore[union-attr]
                update={"npi": None, "tin": None, "state": None, "address": None}
            ),
        }
    )
    message = refusal(bare, plan=Schedule())
    for reason in (
        "patient.name is missing",
        "patient.birth_date is missing",
        "provider.npi is missing",
        "provider.tin is missing",
        "provider.state is missing",
        "provider.address is missing",
        "condition.diagnoses is missing",
        "procedures[0].code is missing",
        "schedule.scheduled_on (or schedule.requested_on) is missing",
        "schedule.interval is missing",
        "schedule.separately_scheduled is missing",
    ):
        assert reason in message, reason


def test_a_booking_needs_its_service_date() -> None:
    message = refusal(plan=schedule(first_session=None))
    assert "schedule.first_session is missing" in message


def test_no_estimate_without_a_schedule() -> None:
    request = EstimateRequest.model_validate({"prices": PRICES})
    with pytest.raises(DocumentRefused, match="the schedule is missing"):
        good_faith_estimate(self_pay_case(), request, None, today=ISSUED)


def test_one_estimate_prices_one_procedure_line() -> None:
    case = self_pay_case(
        procedures=[
            {"kind": "microneedling", "code": "17999", "sessions": 6},
            {"kind": "prp_injection", "code": "0232T", "sessions": 6},
        ]
    )
    assert "the case has 2 procedure lines" in refusal(case)


def test_package_pricing_needs_a_package() -> None:
    message = refusal(prices={"self_pay": 350}, plan=schedule(pricing="package"))
    assert "schedule.pricing is package, but the estimate has no prices.package" in message


def test_a_spanish_estimate_is_in_spanish_with_spanish_dates_and_us_dollars() -> None:
    text = pdf_text("gfe", example_estimate("es"), "es")
    headings = (
        "Estimación de Buena Fe",
        "EL SERVICIO",
        "CARGOS PREVISTOS, CONCEPTO POR CONCEPTO",
        "ATENCIÓN PROGRAMADA POR SEPARADO",
        "Su derecho a disputar la factura",
        "No es un contrato",
        "Página 1 de",
    )
    assert [heading for heading in headings if heading not in text] == []
    # Money as a Spanish reader in the United States writes it: the dollar sign, cents after a
    # point. Six sessions at $450 list, $1,800 for the prepaid package of six.
    assert "(paquete prepagado de 6 sesiones) L90.5, L70.0 $2,700.00 −$900.00 $1,800.00" in text
    assert "Total de cargos previstos" in text
    assert "al menos $400 más" in text and "cuesta $25" in text
    # Dates: in words, and day before month in figures.
    assert "emitida el 23 de noviembre de 2026" in text
    assert "Programado para 7 de diciembre de 2026" in text
    assert "del 07/12/2026 al 26/04/2027" in text
    # Booked 9 business days ahead (Thanksgiving falls between): due 1 business day later.
    assert "24 de noviembre de 2026 (programado con 9 días hábiles de anticipación" in text
    assert "Microagujas (microneedling) (zona: cara) para cicatrices de acné" in text
    assert "cada 4 semanas" in text
    english = ("Good Faith Estimate", "Itemized", "Total expected", "November", "Page 1")
    assert [words for words in english if words in text] == []
    # What the clinic typed stays as typed.
    assert "Follow-up visit to review results (99213)" in text


def test_the_english_estimate_keeps_its_english_dates_and_words() -> None:
    text = pdf_text("gfe", example_estimate())
    assert "issued November 23, 2026" in text
    assert "12/07/2026 to 04/26/2027" in text
    assert "(prepaid package of 6 sessions) L90.5, L70.0 $2,700.00 −$900.00 $1,800.00" in text
    assert "Page 1 of" in text
    assert "Estimación" not in text
