"""The denial an appeal answers, as read from the plan's notice.

```yaml
date: 2026-11-10              # the date on the notice
received_on: 2026-11-13       # when it arrived; default: the date on the notice
reason: cosmetic              # cosmetic | not_medically_necessary | investigational |
                              # insufficient_documentation | other
reason_text: "Laser resurfacing of scars is considered cosmetic."   # the plan's own words
plan_type: commercial         # commercial | medicare | medicare_advantage | medicaid
codes: ["0479T"]              # the denied CPT/HCPCS codes
claim_type: pre_service       # pre_service (prior authorization) | post_service | urgent
reference: "PA-2026-118834"   # the plan's reference number
appeal_by: null               # the deadline the notice states, if it states one
peer_to_peer_by: 2026-11-20   # the last day the plan takes a peer-to-peer request, if stated
external_review_days: null    # a state external-review window the notice states, in days
```
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from dermcover.case import Contract, PlanType
from dermcover.deadlines.erisa import ClaimType


class DenialReason(StrEnum):
    cosmetic = "cosmetic"
    not_medically_necessary = "not_medically_necessary"
    investigational = "investigational"
    insufficient_documentation = "insufficient_documentation"
    other = "other"


class Denial(Contract):
    date: dt.date = Field(description="The date on the denial notice.")
    received_on: dt.date | None = Field(
        default=None, description="When the notice arrived; default: the date on it."
    )
    reason: DenialReason
    reason_text: str | None = Field(default=None, description="The plan's own words.")
    plan_type: PlanType
    codes: list[str] = Field(min_length=1, description="The denied CPT/HCPCS codes.")
    claim_type: ClaimType = ClaimType.pre_service
    reference: str | None = None
    appeal_by: dt.date | None = Field(
        default=None, description="The appeal deadline the notice states, if any."
    )
    peer_to_peer_by: dt.date | None = Field(
        default=None, description="The last day for a peer-to-peer request, if the notice says."
    )
    external_review_days: Annotated[int, Field(ge=1, le=365)] | None = Field(
        default=None, description="A state external-review window the notice states."
    )

    @field_validator("codes")
    @classmethod
    def _normalise_codes(cls, codes: list[str]) -> list[str]:
        normalised = [code.strip().upper() for code in codes]
        if any(not code for code in normalised):
            raise ValueError("a denied code is empty")
        return normalised

    @field_validator("plan_type")
    @classmethod
    def _a_plan_decided_it(cls, plan_type: PlanType) -> PlanType:
        if plan_type is PlanType.self_pay:
            raise ValueError(
                "self_pay has no plan decision to appeal; allowed: commercial, medicare, "
                "medicare_advantage, medicaid"
            )
        return plan_type

    @model_validator(mode="after")
    def _received_after_sent(self) -> Denial:
        if self.received_on is not None and self.received_on < self.date:
            raise ValueError(
                f"received_on {self.received_on.isoformat()} is before the date on the notice "
                f"{self.date.isoformat()}"
            )
        return self

    @property
    def received(self) -> dt.date:
        return self.received_on or self.date
