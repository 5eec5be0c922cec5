"""One covered session through the plan: research cost-and-rules.md §8, cases A1-A12."""

from __future__ import annotations

from decimal import Decimal

from dermcover.estimate import Accumulators, CostSharing, OutOfNetworkBenefits
from dermcover.money.benefits import adjudicate_session

D = Decimal


def terms(**fields: str | bool) -> CostSharing:
    return CostSharing.model_validate(fields)


def met(deductible: str = "0", oop: str = "0", visits: int = 0) -> Accumulators:
    return Accumulators(deductible_met=D(deductible), oop_met=D(oop), visits_used=visits)


def test_a1_whole_visit_goes_to_the_deductible() -> None:
    plan = terms(deductible="1500", coinsurance="0.20", oop_max="5000")
    line, after = adjudicate_session(plan, met(), D("125"))
    assert (line.patient, line.plan) == (D("125.00"), D("0.00"))
    assert line.deductible == D("125")
    assert after.deductible_met == D("125")


def test_a2_coinsurance_once_the_deductible_is_met() -> None:
    plan = terms(deductible="1500", deductible_met="1500", coinsurance="0.20", oop_max="5000")
    line, _ = adjudicate_session(plan, met("1500"), D("75"))
    assert (line.patient, line.plan) == (D("15.00"), D("60.00"))
    assert line.coinsurance == D("15.00")


def test_a3_nothing_once_the_out_of_pocket_maximum_is_met() -> None:
    plan = terms(deductible="1500", coinsurance="0.20", oop_max="5000", oop_met="5000")
    line, after = adjudicate_session(plan, met("1500", "5000"), D("200"))
    assert (line.patient, line.plan) == (D("0.00"), D("200.00"))
    assert after.oop_met == D("5000")


def test_a4_a_visit_that_straddles_the_deductible() -> None:
    plan = terms(deductible="1500", deductible_met="1300", coinsurance="0.20", oop_max="5000")
    line, after = adjudicate_session(plan, met("1300"), D("1000"))
    assert (line.deductible, line.coinsurance) == (D("200"), D("160.00"))
    assert (line.patient, line.plan) == (D("360.00"), D("640.00"))
    assert after.deductible_met == D("1500")


def test_a5_the_out_of_pocket_cap_cuts_the_share() -> None:
    plan = terms(deductible="1500", coinsurance="0.20", oop_max="5000", oop_met="4900")
    line, after = adjudicate_session(plan, met("1500", "4900"), D("2000"))
    assert (line.patient, line.plan) == (D("100.00"), D("1900.00"))
    assert after.oop_met == D("5000")


def test_a6_healthcare_gov_surgery_example() -> None:
    plan = terms(deductible="1300", coinsurance="0.20", oop_max="4400")
    line, _ = adjudicate_session(plan, met(), D("20000"))
    assert (line.patient, line.plan) == (D("4400.00"), D("15600.00"))


def test_a7_sbc_peg_is_having_a_baby() -> None:
    plan = terms(deductible="1800", coinsurance="0.20")
    line, _ = adjudicate_session(plan, met(), D("12700"))
    assert (line.deductible, line.coinsurance) == (D("1800"), D("2180.00"))
    assert (line.patient, line.plan) == (D("3980.00"), D("8720.00"))


def test_a8_copay_with_the_deductible_waived() -> None:
    plan = terms(deductible="1500", coinsurance="0.20", copay="40", copay_waives_deductible=True)
    line, after = adjudicate_session(plan, met(), D("150"))
    assert (line.patient, line.plan, line.copay) == (D("40.00"), D("110.00"), D("40"))
    assert after.deductible_met == D("0")


def test_a9_a_year_of_claims_in_order() -> None:
    plan = terms(deductible="1500", coinsurance="0.20", oop_max="5000")
    accumulators = met()
    patient, paid_by_plan, oop_after = [], [], []
    for allowed in ("800", "1200", "6000", "20000", "300"):
        line, accumulators = adjudicate_session(plan, accumulators, D(allowed))
        patient.append(line.patient)
        paid_by_plan.append(line.plan)
        oop_after.append(accumulators.oop_met)
    assert patient == [D(x) for x in ("800", "800", "1200", "2200", "0")]
    assert paid_by_plan == [D(x) for x in ("0", "400", "4800", "17800", "300")]
    assert oop_after == [D(x) for x in ("800", "1600", "2800", "5000", "5000")]


def test_a10_out_of_network_balance_bill_counts_toward_nothing() -> None:
    oon = OutOfNetworkBenefits.model_validate(
        {"deductible": "3000", "deductible_met": "3000", "coinsurance": "0.40",
         "oop_max": "10000", "allowed_amount": "600"}
    )  # fmt: skip
    line, after = adjudicate_session(oon, met("3000"), D("600"), billed_charge=D("1000"))
    assert line.plan == D("360.00")
    assert (line.coinsurance, line.balance_bill) == (D("240.00"), D("400"))
    assert line.patient == D("640.00")
    assert after.oop_met == D("240.00")


def test_a11_ucr_allowance_cancerconnect_example() -> None:
    plan = terms(coinsurance="0.20")
    line, _ = adjudicate_session(plan, met(), D("200"), billed_charge=D("250"))
    assert (line.plan, line.coinsurance, line.balance_bill) == (D("160.00"), D("40.00"), D("50"))
    assert line.patient == D("90.00")


def test_a12_allowance_at_140_percent_of_medicare() -> None:
    allowed = D("300") * D("1.40")
    plan = terms(coinsurance="0.30")  # the plan pays 70%
    line, _ = adjudicate_session(plan, met(), allowed, billed_charge=D("800"))
    assert line.plan == D("294.00")
    assert line.patient == D("506.00")


def test_copay_after_the_deductible_starts_once_the_deductible_is_met() -> None:
    plan = terms(deductible="100", copay="30")
    line, after = adjudicate_session(plan, met(), D("250"))
    assert (line.deductible, line.copay, line.patient) == (D("100"), D("30"), D("130"))
    assert after.deductible_met == D("100")


def test_a_cap_that_binds_inside_the_deductible_books_only_what_was_paid() -> None:
    plan = terms(deductible="1500", coinsurance="0.20", oop_max="5000", oop_met="4950")
    line, after = adjudicate_session(plan, met("0", "4950"), D("400"))
    assert line.patient == D("50")
    assert (line.deductible, line.coinsurance) == (D("50"), D("0"))
    assert after.deductible_met == D("50")


def test_an_allowed_amount_above_the_charge_is_cut_to_the_charge() -> None:
    line, _ = adjudicate_session(terms(coinsurance="0.50"), met(), D("300"), billed_charge=D("200"))
    assert (line.allowed, line.patient, line.plan, line.balance_bill) == (
        D("200"), D("100.00"), D("100.00"), D("0"),
    )  # fmt: skip
