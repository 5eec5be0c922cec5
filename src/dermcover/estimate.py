"""The estimate request and what it returns (spec: estimate-format.md).

The request says what the patient's plan pays, what the provider charges and what money the
patient has; the estimate says what each way of getting the care costs the patient, session by
session, and how each way of paying for it compares.

Money in a request is dollars and cents (at most two decimal places, never negative). Money in an
estimate is always shown with two decimals; `estimate_json` writes it as JSON numbers straight
from the `Decimal` text, never through a float (pydantic writes `Decimal` as a JSON string, so the
JSON text is produced by simplejson, whose `use_decimal` writes a Decimal's digits as they are).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import simplejson
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from dermcover.case import Case, Contract
from dermcover.determination import Outcome, PriorAuthorizationNeed
from dermcover.money.amounts import ZERO, cents

# --- request ------------------------------------------------------------------------------------

# No price, balance or limit in dermatology comes near ten million dollars; the cap keeps every
# sum exact in the arithmetic and in the JSON (1e26 would not be).
MAX_AMOUNT = Decimal("10000000")
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2, allow_inf_nan=False)]
"""Dollars and cents in a request: never negative, at most two decimal places."""


def _fraction(value: Decimal) -> Decimal:
    if value > 1:
        raise ValueError(
            f"must be at most 1: a rate is a fraction, so write {value / 100} for {value}%"
        )
    return value


Rate = Annotated[
    Decimal,
    Field(ge=0, allow_inf_nan=False, json_schema_extra={"maximum": 1}),
    AfterValidator(_fraction),
]
"""A share or a yearly rate as a fraction: 0.20 is 20% (`apr: 7` is refused, saying 0.07)."""

Months = Annotated[int, Field(ge=1, le=600)]


class CostSharing(Contract):
    """What the patient pays under one network tier of the plan, and what is met so far."""

    deductible: Amount = ZERO
    deductible_met: Amount = Field(default=ZERO, description="Accumulated this plan year.")
    coinsurance: Rate = Field(default=ZERO, description="The patient's share after the deductible.")
    copay: Amount = Field(default=ZERO, description="Per session.")
    copay_waives_deductible: bool = False
    oop_max: Amount | None = Field(
        default=None, description="Out-of-pocket maximum; absent = none."
    )
    oop_met: Amount = ZERO

    @field_validator("deductible_met")
    @classmethod
    def _within_deductible(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        deductible = info.data.get("deductible")
        if deductible is not None and value > deductible:
            raise ValueError(f"more than the deductible ({deductible}); allowed: 0 to {deductible}")
        return value

    @field_validator("oop_met")
    @classmethod
    def _within_oop_max(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        oop_max = info.data.get("oop_max")
        if oop_max is not None and value > oop_max:
            raise ValueError(f"more than oop_max ({oop_max}); allowed: 0 to {oop_max}")
        return value


class OutOfNetworkBenefits(CostSharing):
    allowed_amount: Amount = Field(
        description="Per session: what the plan recognises out of network (UCR, % of Medicare)."
    )


class PlanBenefits(CostSharing):
    """The in-network benefits; `out_of_network` absent means the plan pays nothing there."""

    visit_limit: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Sessions per plan year the plan pays for; absent = no limit."
    )
    visits_used: Annotated[int, Field(ge=0)] = 0
    out_of_network: OutOfNetworkBenefits | None = None


class Package(Contract):
    sessions: Annotated[int, Field(ge=1, le=100)]
    price: Amount


class Prices(Contract):
    """Per-session prices. A session the plan does not pay for costs the self-pay price."""

    billed_charge: Amount | None = Field(default=None, description="The provider's charge.")
    negotiated_rate: Amount | None = Field(default=None, description="In-network allowed amount.")
    self_pay: Amount | None = Field(default=None, description="Cash price; default billed_charge.")
    package: Package | None = None

    @property
    def self_pay_price(self) -> Decimal:
        price = self.self_pay if self.self_pay is not None else self.billed_charge
        if price is None:  # ruled out by EstimateRequest's validation
            raise ValueError("no self-pay price")
        return price


class InterestMethod(StrEnum):
    """How a deferred-interest card computes the interest it charges back."""

    month_start_balance = "month_start_balance"
    daily_balance = "daily_balance"


class LoanTerms(Contract):
    apr: Rate = Field(description="The note's yearly interest rate (its APR when there is no fee).")
    months: Months
    prepaid_fee: Amount = Field(
        default=ZERO, description="Origination fee, a prepaid finance charge added to the note."
    )


class PromoCardTerms(Contract):
    months: Months = Field(description="Length of the deferred-interest promotion.")
    standard_apr: Rate
    monthly_payment: Amount | None = Field(
        default=None, description="What the patient will pay each month; default: pays it off."
    )
    interest_method: InterestMethod = InterestMethod.month_start_balance
    purchase_date: date | None = Field(
        default=None, description="Needed for daily_balance (days in each month)."
    )

    @field_validator("purchase_date")
    @classmethod
    def _date_for_daily_balance(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None and info.data.get("interest_method") is InterestMethod.daily_balance:
            raise ValueError("required when interest_method is daily_balance")
        return value


class PaymentPlanTerms(Contract):
    months: Months
    fee: Amount = ZERO


class FundingRequest(Contract):
    amount: Amount | None = Field(
        default=None, description="The amount to fund; default: the cheapest scenario's total."
    )
    hsa_balance: Amount = ZERO
    fsa_balance: Amount = ZERO
    marginal_tax_rate: Rate | None = None
    account_holder_age: Annotated[int, Field(ge=0, le=130)] | None = Field(
        default=None, description="For the HSA additional tax; default: the case's patient age."
    )
    loan: LoanTerms | None = None
    promo_card: PromoCardTerms | None = None
    payment_plan: PaymentPlanTerms | None = None


# Why the prices cannot price the scenarios (the patient pages translate them: web.refusal_words).
NO_PRICE = (
    "give self_pay (the cash price per session) or billed_charge: a session the plan does not "
    "pay for is priced at it"
)
NO_NEGOTIATED_RATE = "negotiated_rate is required when a plan is given"
NO_BILLED_CHARGE = "billed_charge is required with plan.out_of_network (for the balance bill)"
PRICE_PROBLEMS = (NO_PRICE, NO_NEGOTIATED_RATE, NO_BILLED_CHARGE)


class EstimateRequest(Contract):
    case: Case | None = None
    sessions: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None, description="Default: the case's first procedure line, else 1."
    )
    plan: PlanBenefits | None = Field(default=None, description="Absent = uninsured.")
    prices: Prices
    funding: FundingRequest | None = None

    @field_validator("prices")
    @classmethod
    def _prices_cover_the_scenarios(cls, prices: Prices, info: ValidationInfo) -> Prices:
        plan = info.data.get("plan")
        if prices.self_pay is None and prices.billed_charge is None:
            raise ValueError(NO_PRICE)
        if isinstance(plan, PlanBenefits):
            if prices.negotiated_rate is None:
                raise ValueError(NO_NEGOTIATED_RATE)
            if plan.out_of_network is not None and prices.billed_charge is None:
                raise ValueError(NO_BILLED_CHARGE)
        return prices

    @property
    def session_count(self) -> int:
        if self.sessions is not None:
            return self.sessions
        if self.case is not None:
            return self.case.procedures[0].sessions
        return 1


# --- estimate -----------------------------------------------------------------------------------


def _two_places(amount: Decimal) -> Decimal:
    return cents(amount)


# Sent as a JSON number with two decimals (see `estimate_json`), and documented as one.
Money = Annotated[
    Decimal,
    PlainSerializer(_two_places, return_type=Decimal),
    WithJsonSchema({"type": "number", "description": "An amount in dollars (x.xx)."}),
]
"""Dollars in an estimate: shown with two decimals."""

Percent = Annotated[
    Decimal,
    Field(description="A fraction: 0.1980 is 19.80%."),
    WithJsonSchema({"type": "number", "description": "A fraction: 0.1980 is 19.80%."}),
]


class Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class ScenarioName(StrEnum):
    in_network = "in_network"
    out_of_network = "out_of_network"
    self_pay = "self_pay"
    self_pay_package = "self_pay_package"


class Prerequisite(StrEnum):
    prior_authorization = "prior_authorization"


class Eligibility(StrEnum):
    yes = "yes"
    no = "no"
    uncertain = "uncertain"


class SessionLine(Result):
    n: int
    allowed: Money
    patient: Money
    plan: Money
    deductible: Money
    coinsurance: Money
    copay: Money
    balance_bill: Money
    covered: bool | None = Field(description="None: hangs on a coverage answer not yet known.")
    note: str | None = None


class Accumulators(Result):
    deductible_met: Money
    oop_met: Money
    visits_used: int


class AccumulatedAmounts(Result):
    """What the patient had met when the estimate was asked for (TiC element 2)."""

    deductible: Money
    deductible_met: Money
    oop_max: Money | None
    oop_met: Money
    visit_limit: int | None
    visits_used: int


class Disclosure(Result):
    """The Transparency in Coverage consumer elements (45 CFR 147.211(b)(1))."""

    estimated_cost_sharing: Money
    accumulated_amounts: AccumulatedAmounts
    in_network_rate: Money | None
    out_of_network_allowed_amount: Money | None
    prerequisites: list[Prerequisite]
    notice: str


class Scenario(Result):
    name: ScenarioName
    covered: bool | None = Field(description="None: coverage is uncertain (see coverage_reason).")
    coverage_reason: str
    patient_total: Money
    plan_total: Money
    patient_total_if_not_covered: Money | None = None
    sessions: list[SessionLine]
    accumulators_after: Accumulators | None = None
    disclosure: Disclosure | None = None
    notes: list[str] = Field(default_factory=list)

    @property
    def worst_case_total(self) -> Decimal:
        """What the patient can count on paying at most (the not-covered figure when unsure)."""
        if self.covered is None and self.patient_total_if_not_covered is not None:
            return max(self.patient_total, self.patient_total_if_not_covered)
        return self.patient_total


class NonQualifiedWithdrawal(Result):
    """The tax on HSA money spent on something that is not a qualified medical expense."""

    amount: Money
    income_tax: Money
    additional_tax: Money
    total_tax: Money


class HsaFsa(Result):
    eligible: Eligibility
    reason: str
    citation: str
    from_accounts: Money = Field(description="What the HSA and FSA balances can pay.")
    tax_savings: Money | None = Field(
        description="At the marginal rate, if the expense qualifies; None: rate not given."
    )
    non_qualified_withdrawal: NonQualifiedWithdrawal | None = None


class Payment(Result):
    n: int
    payment: Money
    interest: Money
    principal: Money
    balance: Money


class LoanDisclosure(Result):
    """Regulation Z closed-end disclosures (12 CFR 1026.18) and the payment schedule."""

    principal: Money = Field(description="The note amount (amount financed plus prepaid fee).")
    prepaid_finance_charge: Money
    amount_financed: Money
    interest_rate: Percent
    apr: Percent = Field(description="Annual percentage rate, actuarial method, to 0.01%.")
    months: int
    monthly_payment: Money
    final_payment: Money
    finance_charge: Money
    total_of_payments: Money
    schedule: list[Payment]


class PromoCard(Result):
    purchase: Money
    months: int
    standard_apr: Percent
    monthly_payment: Money
    paid_in_full_in_time: bool
    balance_at_promotion_end: Money
    deferred_interest: Money = Field(description="Interest that accrued during the promotion.")
    interest_charged: Money = Field(description="Charged back to the purchase date, or 0.")
    total_cost: Money
    method: InterestMethod
    method_description: str


class PaymentPlan(Result):
    amount: Money
    fee: Money
    months: int
    monthly_payment: Money
    final_payment: Money
    total: Money
    apr: Percent
    regulation_z_applies: bool


class FundingOptionName(StrEnum):
    cash = "cash"
    hsa_fsa = "hsa_fsa"
    loan = "loan"
    promo_card = "promo_card"
    payment_plan = "payment_plan"


class FundingOption(Result):
    name: FundingOptionName
    net_cost: Money = Field(description="Amount plus finance charges and fees, less tax saved.")
    note: str


class Funding(Result):
    amount: Money
    scenario: ScenarioName | None = Field(description="The scenario whose total is funded.")
    hsa_fsa: HsaFsa
    loan: LoanDisclosure | None = None
    promo_card: PromoCard | None = None
    payment_plan: PaymentPlan | None = None
    options: list[FundingOption]
    cheapest: FundingOptionName


class Estimate(Result):
    determination: Outcome | None = Field(
        default=None, description="The coverage outcome of the priced procedure line, if any."
    )
    prior_authorization: PriorAuthorizationNeed | None = None
    scenarios: list[Scenario]
    funding: Funding | None = None
    cheapest: ScenarioName
    notes: list[str] = Field(default_factory=list)


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def estimate_json(estimate: Estimate, indent: int | None = 2) -> str:
    """The estimate as JSON text, money as numbers with two decimals, exactly."""
    data = estimate.model_dump(mode="python")  # None stays: `covered: null` means unknown
    return simplejson.dumps(data, use_decimal=True, default=_json_default, indent=indent)
