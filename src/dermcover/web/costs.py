"""The patient's cost form, read into an estimate request (spec: estimate-format.md).

People type "20" for 20% and "$1,500" for fifteen hundred dollars; this turns what they type into
the request's fractions and amounts. A blank field stays out of the request, so the estimate's
own rules decide what it means (no plan numbers at all: priced as uninsured).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from dermcover.case import Case
from dermcover.estimate import EstimateRequest
from dermcover.web.labels import label
from dermcover.web.questions import AnswerError

PLAN_AMOUNTS = ("deductible", "deductible_met", "copay", "oop_max", "oop_met")
PLAN_RATES = ("coinsurance",)
PLAN_COUNTS = ("visit_limit", "visits_used")
PRICES = ("self_pay", "negotiated_rate", "billed_charge")

# Every field of the form, so a page can show back what was typed.
FIELDS = (
    "sessions",
    *PRICES,
    *PLAN_AMOUNTS,
    *PLAN_RATES,
    *PLAN_COUNTS,
    "package_sessions",
    "package_price",
    "hsa_balance",
    "fsa_balance",
    "marginal_tax_rate",
    "loan_apr",
    "loan_months",
    "promo_months",
    "promo_apr",
    "promo_payment",
    "plan_months",
)


# Each field by the label the form gives it (templates/patient/_costs.html), for its errors.
FORM_LABELS = {
    "self_pay": "Cash price",
    "negotiated_rate": "Insurer's rate",
    "billed_charge": "Full charge",
    "sessions": "Sessions",
    "package_sessions": "Package: sessions",
    "package_price": "Package: price",
    "deductible": "Deductible",
    "deductible_met": "Deductible met so far",
    "coinsurance": "Coinsurance",
    "copay": "Copay per visit",
    "oop_max": "Out-of-pocket maximum",
    "oop_met": "Out-of-pocket met so far",
    "visit_limit": "Visit limit",
    "visits_used": "Visits used",
    "hsa_balance": "HSA balance",
    "fsa_balance": "FSA balance",
    "marginal_tax_rate": "Your tax rate",
    "loan_apr": "Loan APR",
    "loan_months": "Loan months",
    "plan_months": "Clinic payment plan months",
    "promo_months": "Card promotion months",
    "promo_apr": "Card APR after promotion",
    "promo_payment": "Card monthly payment",
    "prices": "The prices",
}
# The form's errors, as templates a Spanish page translates (web.refusal_words).
NOT_A_NUMBER = "%(field)s: “%(typed)s” is not a number."
NOT_A_PERCENT = "%(field)s: %(value)s%% is not a percent from 0 to 100."
NOT_WHOLE = "%(field)s: give a whole number."
REFUSED = "%(field)s: %(problem)s"
MESSAGES = (NOT_A_NUMBER, NOT_A_PERCENT, NOT_WHOLE, REFUSED)


def field_label(name: str) -> str:
    return FORM_LABELS.get(name) or label(name)


def _decimal(form: Mapping[str, Any], name: str) -> Decimal | None:
    raw = str(form.get(name) or "").strip().replace(",", "").replace("$", "").rstrip("%")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise AnswerError(NOT_A_NUMBER % {"field": field_label(name), "typed": raw[:20]}) from None
    if not value.is_finite():
        raise AnswerError(NOT_A_NUMBER % {"field": field_label(name), "typed": raw[:20]})
    return value


def _percent(form: Mapping[str, Any], name: str) -> Decimal | None:
    """A percent as typed ("20" or "20%"), checked in percent and handed on as a fraction."""
    value = _decimal(form, name)
    if value is None:
        return None
    if not 0 <= value <= 100:
        raise AnswerError(NOT_A_PERCENT % {"field": field_label(name), "value": value})
    return value / 100


def _count(form: Mapping[str, Any], name: str) -> int | None:
    value = _decimal(form, name)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise AnswerError(NOT_WHOLE % {"field": field_label(name)})
    return int(value)


def _put(target: dict[str, Any], name: str, value: Any) -> None:
    if value is not None:
        target[name] = value


def estimate_request(case: Case, form: Mapping[str, Any]) -> EstimateRequest:
    """The request the form describes, for `case`; an AnswerError says what to fix."""
    prices: dict[str, Any] = {}
    for name in PRICES:
        _put(prices, name, _decimal(form, name))
    package_sessions, package_price = (
        _count(form, "package_sessions"),
        _decimal(form, "package_price"),
    )
    if package_sessions is not None and package_price is not None:
        prices["package"] = {"sessions": package_sessions, "price": package_price}

    plan: dict[str, Any] = {}
    for name in PLAN_AMOUNTS:
        _put(plan, name, _decimal(form, name))
    for name in PLAN_RATES:
        _put(plan, name, _percent(form, name))
    for name in PLAN_COUNTS:
        _put(plan, name, _count(form, name))

    funding: dict[str, Any] = {}
    _put(funding, "hsa_balance", _decimal(form, "hsa_balance"))
    _put(funding, "fsa_balance", _decimal(form, "fsa_balance"))
    _put(funding, "marginal_tax_rate", _percent(form, "marginal_tax_rate"))
    loan_apr, loan_months = _percent(form, "loan_apr"), _count(form, "loan_months")
    if loan_apr is not None and loan_months is not None:
        funding["loan"] = {"apr": loan_apr, "months": loan_months}
    promo_months, promo_apr = _count(form, "promo_months"), _percent(form, "promo_apr")
    if promo_months is not None and promo_apr is not None:
        promo: dict[str, Any] = {"months": promo_months, "standard_apr": promo_apr}
        _put(promo, "monthly_payment", _decimal(form, "promo_payment"))
        funding["promo_card"] = promo
    plan_months = _count(form, "plan_months")
    if plan_months is not None:
        funding["payment_plan"] = {"months": plan_months}

    request: dict[str, Any] = {"case": case, "prices": prices, "funding": funding}
    _put(request, "sessions", _count(form, "sessions"))
    if plan:
        request["plan"] = plan
    try:
        return EstimateRequest.model_validate(request)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = [part for part in first["loc"] if isinstance(part, str) and part != "case"]
        name = field_label(where[-1]) if where else "The costs"
        problem = first["msg"].removeprefix("Value error, ")
        raise AnswerError(REFUSED % {"field": name, "problem": problem}) from None
