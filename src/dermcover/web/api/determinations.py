"""POST /api/v1/determinations: a case in, its determination out (spec: case-format.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from dermcover.case import Case
from dermcover.determination import Determination
from dermcover.engine import determine
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
    response_model=Determination,
    response_model_exclude_none=True,
    openapi_extra=request_body(Case, EXAMPLE),
    summary="Decide whether each procedure in a case is covered",
)
def create_determination(
    case: Annotated[Case, Depends(document(Case))],
    policy: Annotated[
        str | None, Query(description="Policy pack id; default: the case's payer.policy.")
    ] = None,
    trace: Annotated[
        Literal["none", "criteria", "full"],
        Query(description="How much of the criteria trace to return."),
    ] = "criteria",
) -> Response:
    """Every procedure line gets an outcome, the criteria weighed with their citations, the
    reasons in plain words, the questions that would settle what is unknown, the documentation
    checklist, code problems and next steps."""
    determination = determine(case, checked_policy(case, policy), trace=trace)
    return Response(determination.model_dump_json(exclude_none=True), media_type="application/json")
