"""POST /api/v1/determinations: a case in, its determination out (spec: case-format.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dermcover.case import Case
from dermcover.determination import Determination
from dermcover.engine import determine
from dermcover.engine.spread import ALL_POLICIES, Spread, decide_spread
from dermcover.web.bodies import document, request_body
from dermcover.web.deps import checked_policy

router = APIRouter(tags=["coverage"])

EXAMPLE = {
    "payer": {"policy": "generic", "network": "in"},
    "patient": {"age": 34},
    "procedures": [{"kind": "microneedling", "sessions": 3, "site": "face"}],
    "condition": {"kind": "acne_scars", "cause": "acne", "severity": "severe"},
    "purpose": "appearance",
    "impairment": [],
}


@router.post(
    "/determinations",
    response_model=Determination | Spread,
    response_model_exclude_none=True,
    openapi_extra=request_body(Case, EXAMPLE),
    summary="Decide whether each procedure in a case is covered",
)
async def create_determination(
    case: Annotated[Case, Depends(document(Case))],
    policy: Annotated[
        str | None,
        Query(
            description="Policy pack id; default: the case's payer.policy. `all` when the plan "
            "is unknown: the case decided under every payer's pack, answered as a spread "
            "(likeliest answer first, payers named) instead of one determination."
        ),
    ] = None,
    trace: Annotated[
        Literal["none", "criteria", "full"],
        Query(description="How much of the criteria trace to return."),
    ] = "criteria",
) -> Response:
    """Every procedure line gets an outcome, the criteria weighed with their citations, the
    reasons in plain words, the questions that would settle what is unknown, the documentation
    checklist, code problems and next steps."""
    if policy == ALL_POLICIES:
        spread = await run_in_threadpool(decide_spread, case)
        return Response(spread.model_dump_json(exclude_none=True), media_type="application/json")
    determination = determine(case, checked_policy(case, policy), trace=trace)
    return Response(determination.model_dump_json(exclude_none=True), media_type="application/json")
