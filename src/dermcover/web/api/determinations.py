"""POST /api/v1/determinations: a case in, its determination out (spec: case-format.md)."""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dermcover.case import Case
from dermcover.determination import Determination
from dermcover.engine import TraceLevel, determine, library
from dermcover.engine.spread import ALL_POLICIES, Spread, candidate_policies, decide_spread
from dermcover.web.bodies import read_document, request_body
from dermcover.web.deps import checked_policy
from dermcover.web.errors import FieldError
from dermcover.web.heavy import off_loop

router = APIRouter(tags=["coverage"])

EXAMPLE = {
    "payer": {"policy": "generic", "network": "in"},
    "patient": {"age": 34},
    "procedures": [{"kind": "microneedling", "sessions": 3, "site": "face"}],
    "condition": {"kind": "acne_scars", "cause": "acne", "severity": "severe"},
    "purpose": "appearance",
    "impairment": [],
}


TRACE_LEVELS: tuple[TraceLevel, ...] = get_args(TraceLevel)

# The route reads its query and body itself rather than through FastAPI's parameters: this is
# the hot path, and FastAPI's per-request parameter machinery cost more than the decision. The
# parameters are declared here for the OpenAPI document instead.
QUERY: dict[str, Any] = {
    "parameters": [
        {
            "name": "policy",
            "in": "query",
            "required": False,
            "description": "Policy pack id; default: the case's payer.policy. `all` when the "
            "plan is unknown: the case decided under every payer's pack, answered as a spread "
            "(likeliest answer first, payers named) instead of one determination.",
            "schema": {"type": "string"},
        },
        {
            "name": "trace",
            "in": "query",
            "required": False,
            "description": "How much of the criteria trace to return.",
            "schema": {"enum": list(TRACE_LEVELS), "type": "string", "default": "criteria"},
        },
    ]
}


@router.post(
    "/determinations",
    response_model=Determination | Spread,
    response_model_exclude_none=True,
    openapi_extra={**request_body(Case, EXAMPLE), **QUERY},
    summary="Decide whether each procedure in a case is covered",
)
async def create_determination(request: Request) -> Response:
    """Every procedure line gets an outcome, the criteria weighed with their citations, the
    reasons in plain words, the questions that would settle what is unknown, the documentation
    checklist, code problems and next steps."""
    case = await read_document(request, Case)
    query = request.query_params
    if query.get("policy") == ALL_POLICIES:
        lines = len(case.procedures) * len(candidate_policies(case, library()))
        spread = await off_loop(request, lines, _spread_json, case)
        return Response(spread, media_type="application/json")
    trace = query.get("trace", "criteria")
    if trace not in TRACE_LEVELS:
        raise FieldError(
            f"query parameter trace = {trace[:60]!r}: not a trace level; allowed: "
            + ", ".join(TRACE_LEVELS),
            "trace",
        )
    policy = checked_policy(case, query.get("policy"))
    # The decision (and its JSON) can take a while on a big case: off the event loop with it,
    # and into a helper process when the case is big (see web.heavy).
    body = await off_loop(request, len(case.procedures), _decided_json, case, policy, trace)
    return Response(body, media_type="application/json")


def _spread_json(case: Case) -> str:
    return decide_spread(case).model_dump_json(exclude_none=True)


def _decided_json(case: Case, policy: str | None, trace: TraceLevel) -> str:
    return determine(case, policy, trace=trace).model_dump_json(exclude_none=True)
