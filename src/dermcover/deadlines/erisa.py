"""Group health plan claims and internal appeals (29 CFR 2560.503-1; research §4.1).

| step | urgent care | pre-service | post-service |
| initial decision | 72 hours | 15 days, +15 extension | 30 days, +15 extension |
| time to file an appeal | 180 days after receiving the adverse determination (all) |
| appeal decision (one level) | 72 hours | 30 days | 60 days |

The same clocks bind non-grandfathered plans under the ACA (45 CFR 147.136(b)), which adds
external review (see `external_review`). None of them moves off a weekend or holiday.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from dermcover.deadlines.due import DueDate

REGULATION = "29 CFR 2560.503-1"
ACA = "45 CFR 147.136(b)"
APPEAL_WINDOW_DAYS = 180
EXTENSION_DAYS = 15


class ClaimType(StrEnum):
    urgent = "urgent"
    pre_service = "pre_service"
    post_service = "post_service"


def _citation(paragraph: str, aca: bool) -> str:
    text = f"{REGULATION}{paragraph}"
    return f"{text}, applied by {ACA}" if aca else text


def claim_decision(
    claim_type: ClaimType, received: datetime, *, aca: bool = False
) -> list[DueDate]:
    """When the plan must decide a claim, and (where allowed) the date with its one extension."""
    if claim_type is ClaimType.urgent:
        return [
            DueDate(
                rule="Plan decides an urgent-care claim",
                citation=_citation("(f)(2)(i)", aca),
                due=received + timedelta(hours=72),
                counted_from=received,
                note="as soon as possible, and within 72 hours; no extension",
            )
        ]
    if claim_type is ClaimType.pre_service:
        days, paragraph, what = (
            15,
            "(f)(2)(iii)(A)",
            "a pre-service claim",
        )
    else:
        days, paragraph, what = 30, "(f)(2)(iii)(B)", "a post-service claim"
    decision = received.date() + timedelta(days=days)
    return [
        DueDate(
            rule=f"Plan decides {what}",
            citation=_citation(paragraph, aca),
            due=decision,
            counted_from=received.date(),
        ),
        DueDate(
            rule=f"Plan decides {what}, with its one extension",
            citation=_citation(paragraph, aca),
            due=decision + timedelta(days=EXTENSION_DAYS),
            counted_from=received.date(),
            note="only for matters beyond the plan's control, with notice before the first date",
        ),
    ]


def appeal_filing(denial_received: date, *, aca: bool = False) -> DueDate:
    return DueDate(
        rule="File an internal appeal",
        citation=_citation("(h)(3)(i)", aca),
        due=denial_received + timedelta(days=APPEAL_WINDOW_DAYS),
        counted_from=denial_received,
        note="ends 180 days after the adverse benefit determination is received; the plan "
        "may allow longer",
    )


def appeal_decision(claim_type: ClaimType, received: datetime, *, aca: bool = False) -> DueDate:
    """When the plan must decide an appeal (one level of internal appeal)."""
    if claim_type is ClaimType.urgent:
        return DueDate(
            rule="Plan decides an urgent-care appeal",
            citation=_citation("(i)(2)(i)", aca),
            due=received + timedelta(hours=72),
            counted_from=received,
        )
    if claim_type is ClaimType.pre_service:
        days, paragraph, what = 30, "(i)(2)(ii)", "a pre-service appeal"
    else:
        days, paragraph, what = 60, "(i)(2)(iii)", "a post-service appeal"
    return DueDate(
        rule=f"Plan decides {what}",
        citation=_citation(paragraph, aca),
        due=received.date() + timedelta(days=days),
        counted_from=received.date(),
        note="with two levels of appeal, each level gets half",
    )
