"""What a letter argues from: the payer's own policy where dermcover has it, else the clinical
facts and the definitions of medical necessity plans share.

The common framework (`generic`) is built from consumer and clinic articles read against the
large payers' policies. Those articles are not any plan's policy, so a letter to a plan
without its own pack never cites them. It argues from the facts, under the definitions the
payer policies have in common (research: Anthem ANC.00007 and CG-SURG-31, UHC's cosmetic and
reconstructive policy, Aetna CPB 0031), and names the plan's own medical policy as the one the
request must be checked against.
"""

from __future__ import annotations

from dermcover.engine.library import DEFAULT_POLICY
from dermcover.engine.pack import Pack

GENERAL_DEFINITIONS = (
    "treatment of a significant "
    "functional impairment that it can reasonably be expected to improve, or of a deformity "
    "caused by injury, disease, its treatment or a congenital condition, and not a change to an "
    "appearance within normal variation"
)


def has_own_policy(pack: Pack) -> bool:
    """Whether `pack` encodes the payer's own policy text, not the common framework."""
    return pack.id != DEFAULT_POLICY


def cited(pack: Pack, citation: str) -> str:
    """The citation a letter may print for a criterion of `pack`: none for the common
    framework, whose letter states the general definitions once instead (`basis`)."""
    return citation if has_own_policy(pack) else ""


def basis(pack: Pack) -> str | None:
    """For a plan without its own pack: the definitions the letter argues under."""
    return None if has_own_policy(pack) else GENERAL_DEFINITIONS


def policy_to_check(pack: Pack, plan_name: str) -> str | None:
    """For a plan without its own pack: the policy the request must be checked against."""
    if has_own_policy(pack):
        return None
    return f"{plan_name}'s own medical policy for this procedure"
