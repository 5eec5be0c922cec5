"""POST /api/v1/estimates: what the patient would pay under each scenario and way of paying
(spec: estimate-format.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from dermcover.engine import determine
from dermcover.estimate import Estimate, EstimateRequest, estimate_json
from dermcover.money.estimator import build_estimate
from dermcover.web.bodies import document, request_body
from dermcover.web.deps import checked_policy

router = APIRouter(tags=["money"])

EXAMPLE = {
    "sessions": 3,
    "plan": {
        "deductible": 1500,
        "deductible_met": 300,
        "coinsurance": 0.2,
        "oop_max": 5000,
        "oop_met": 900,
    },
    "prices": {"billed_charge": 450, "negotiated_rate": 300, "self_pay": 350},
    "funding": {"hsa_balance": 1000, "loan": {"apr": 0.07, "months": 12}},
}


@router.post(
    "/estimates",
    response_model=Estimate,
    response_model_exclude_none=True,
    openapi_extra=request_body(EstimateRequest, EXAMPLE),
    summary="Estimate what the patient pays, per scenario and way of paying",
)
def create_estimate(
    request: Annotated[EstimateRequest, Depends(document(EstimateRequest))],
) -> Response:
    """Money comes back as JSON numbers with two decimals, exactly (never through a float)."""
    determination = None
    if request.case is not None:
        determination = determine(request.case, checked_policy(request.case, None, "case."))
    estimate = build_estimate(request, determination)
    return Response(estimate_json(estimate, indent=None), media_type="application/json")
