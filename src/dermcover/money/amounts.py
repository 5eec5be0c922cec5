"""Dollars and cents as `Decimal`, and the one rounding rule every money module uses.

Rounding: half up to the cent (`ROUND_HALF_UP`), the way a bill or a loan statement rounds. Amounts
are kept exact between the rules' rounding points; each module says where its points are.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """`amount` rounded half up to the cent."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def cents_up(amount: Decimal) -> Decimal:
    """`amount` rounded up to the next cent (a payment that must not fall short)."""
    return amount.quantize(CENT, rounding=ROUND_CEILING)


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of `amounts`, as a Decimal even when there are none."""
    return sum(amounts, ZERO)
