"""POST /api/v1/determinations: a case in, its determination out (spec: case-format.md)."""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dermcover.case import Case
from dermcover.determination import Determination
from dermcover.engine import TraceLevel, determine
from dermcover.web.bodies import read_document, request_body
from dermcover.web.deps import checked_policy
from dermcover.web.errors import FieldError

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
            "description": "Policy pack id; default: the case's payer.policy.",
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
    response_model=Determination,
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
    trace = query.get("trace", "criteria")
    if trace not in TRACE_LEVELS:
        raise FieldError(
            f"query parameter trace = {trace[:60]!r}: not a trace level; allowed: "
            + ", ".join(TRACE_LEVELS),
            "trace",
        )
    policy = checked_policy(case, query.get("policy"))
    # The decision (and its JSON) can take a while on a big case: off the event loop with it.
    body = await run_in_threadpool(_decided_json, case, policy, trace)
    return Response(body, media_type="application/json")


def _decided_json(case: Case, policy: str | None, trace: TraceLevel) -> str:
    return determine(case, policy, trace=trace).model_dump_json(exclude_none=True)
