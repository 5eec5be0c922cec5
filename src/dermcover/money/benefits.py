"""One covered session through the plan's cost sharing, as a plan adjudicates a claim line.

The order is the CMS coverage-examples calculator's (research: cost-and-rules.md §1.3): the
allowed amount, then the deductible, then coinsurance and/or the copay, capped by what is left of
the out-of-pocket maximum; the plan pays the rest of the allowed amount. Out of network the
provider also bills the patient the difference between its charge and the allowed amount, which
counts toward no accumulator (§1.1, §1.5).

Rounding: a claim is paid in cents, so coinsurance is rounded half up to the cent when the session
is adjudicated, and the accumulators carry what was actually paid. The plan's share is the allowed
amount less the patient's, so the two always add up to the allowed amount exactly.

When the out-of-pocket cap cuts the patient's share, the share is booked to the deductible first,
then coinsurance, then the copay: the deductible accumulator moves only by what was paid toward it.
"""

from __future__ import annotations

from decimal import Decimal

from dermcover.estimate import Accumulators, CostSharing, SessionLine
from dermcover.money.amounts import ZERO, cents


def oop_left(terms: CostSharing, oop_met: Decimal) -> Decimal | None:
    """What is left of the out-of-pocket maximum; None when the plan states none."""
    if terms.oop_max is None:
        return None
    return max(ZERO, terms.oop_max - oop_met)


def adjudicate_session(
    terms: CostSharing,
    before: Accumulators,
    allowed: Decimal,
    *,
    billed_charge: Decimal | None = None,
    n: int = 1,
) -> tuple[SessionLine, Accumulators]:
    """The patient's and the plan's shares of one covered session, and the accumulators after.

    `billed_charge` is given out of network only: the patient owes the part of it above the
    allowed amount (the balance bill). The allowed amount is never more than the charge.
    """
    if billed_charge is not None:
        allowed = min(allowed, billed_charge)
    deductible_left = max(ZERO, terms.deductible - before.deductible_met)

    if terms.copay_waives_deductible:
        deductible_part, coinsurance_part, copay_part = ZERO, ZERO, terms.copay
    else:
        deductible_part = min(allowed, deductible_left)
        after_deductible = allowed - deductible_part
        coinsurance_part = cents(after_deductible * terms.coinsurance)
        copay_part = min(terms.copay, after_deductible) if after_deductible > 0 else ZERO

    share = deductible_part + coinsurance_part + copay_part
    cap = oop_left(terms, before.oop_met)
    patient = min(share, allowed) if cap is None else min(share, cap, allowed)

    # Book what the patient pays to the buckets in order, so that they add up to it.
    booked_deductible = min(deductible_part, patient)
    booked_coinsurance = min(coinsurance_part, patient - booked_deductible)
    booked_copay = patient - booked_deductible - booked_coinsurance

    balance_bill = max(ZERO, billed_charge - allowed) if billed_charge is not None else ZERO
    line = SessionLine(
        n=n,
        allowed=allowed,
        patient=patient + balance_bill,
        plan=allowed - patient,
        deductible=booked_deductible,
        coinsurance=booked_coinsurance,
        copay=booked_copay,
        balance_bill=balance_bill,
        covered=True,
    )
    after = Accumulators(
        deductible_met=before.deductible_met + booked_deductible,
        oop_met=before.oop_met + patient,
        visits_used=before.visits_used + 1,
    )
    return line, after


def uncovered_session(n: int, price: Decimal, note: str) -> SessionLine:
    """A session the plan does not pay for: the patient pays `price`; nothing accumulates."""
    return SessionLine(
        n=n,
        allowed=ZERO,
        patient=price,
        plan=ZERO,
        deductible=ZERO,
        coinsurance=ZERO,
        copay=ZERO,
        balance_bill=ZERO,
        covered=False,
        note=note,
    )
