"""Properties that hold for any plan and any course of sessions (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from dermcover.estimate import PlanBenefits, Prices, ScenarioName
from dermcover.money.amounts import total
from dermcover.money.coverage import ASSUMED_COVERED
from dermcover.money.loans import loan_disclosure
from dermcover.money.scenarios import insured_scenario


def dollars(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low * 100, high * 100).map(lambda c: Decimal(c) / 100)


rates = st.integers(0, 100).map(lambda p: Decimal(p) / 100)


@st.composite
def plans(draw: st.DrawFn) -> PlanBenefits:
    deductible = draw(dollars(0, 5000))
    oop_max = draw(dollars(0, 12000))
    return PlanBenefits(
        deductible=deductible,
        deductible_met=draw(dollars(0, 5000).filter(lambda d: d <= deductible)),
        coinsurance=draw(rates),
        copay=draw(dollars(0, 100)),
        copay_waives_deductible=draw(st.booleans()),
        oop_max=oop_max,
        oop_met=draw(dollars(0, 12000).filter(lambda d: d <= oop_max)),
        visit_limit=draw(st.none() | st.integers(0, 20)),
        visits_used=draw(st.integers(0, 10)),
        out_of_network=draw(
            st.none()
            | st.builds(
                dict, coinsurance=rates, deductible=dollars(0, 5000), allowed_amount=dollars(0, 900)
            )
        ),
    )


@settings(max_examples=300)
@given(plan=plans(), allowed=dollars(0, 3000), charge=dollars(0, 3000), sessions=st.integers(1, 30))
def test_patient_and_plan_add_up_to_the_allowed_amount_on_every_covered_session(
    plan: PlanBenefits, allowed: Decimal, charge: Decimal, sessions: int
) -> None:
    prices = Prices(billed_charge=charge, negotiated_rate=allowed, self_pay=charge)
    names = [ScenarioName.in_network]
    if plan.out_of_network is not None:
        names.append(ScenarioName.out_of_network)
    for name in names:
        scenario = insured_scenario(name, plan, prices, sessions, ASSUMED_COVERED)
        for line in scenario.sessions:
            if line.covered:
                assert line.patient - line.balance_bill + line.plan == line.allowed
                assert line.patient >= 0 and line.plan >= 0
                assert line.deductible + line.coinsurance + line.copay + line.balance_bill == (
                    line.patient
                )


@settings(max_examples=300)
@given(plan=plans(), allowed=dollars(0, 3000), sessions=st.integers(1, 52))
def test_in_network_cost_sharing_over_a_year_never_passes_the_out_of_pocket_maximum(
    plan: PlanBenefits, allowed: Decimal, sessions: int
) -> None:
    prices = Prices(negotiated_rate=allowed, self_pay=allowed)
    scenario = insured_scenario(ScenarioName.in_network, plan, prices, sessions, ASSUMED_COVERED)
    cost_sharing = total(line.patient for line in scenario.sessions if line.covered)
    assert plan.oop_max is not None
    assert plan.oop_met + cost_sharing <= plan.oop_max
    assert scenario.accumulators_after is not None
    assert scenario.accumulators_after.oop_met == plan.oop_met + cost_sharing


@settings(max_examples=200, deadline=None)
@given(
    principal=dollars(1, 50000),
    apr=st.integers(0, 3600).map(lambda bp: Decimal(bp) / 10000),
    months=st.integers(1, 84),
    fee_share=st.integers(0, 10),
)
def test_loan_total_of_payments_is_the_amount_financed_plus_the_finance_charge(
    principal: Decimal, apr: Decimal, months: int, fee_share: int
) -> None:
    fee = (principal * fee_share / 100).quantize(Decimal("0.01"))
    loan = loan_disclosure(principal, apr, months, fee)
    assert loan.total_of_payments == loan.amount_financed + loan.finance_charge
    assert loan.total_of_payments == total(row.payment for row in loan.schedule)
    assert loan.principal == loan.amount_financed + loan.prepaid_finance_charge
    assert loan.schedule[-1].balance == 0
    assert all(row.payment >= 0 for row in loan.schedule)
