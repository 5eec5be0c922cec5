"""POST /api/v1/determinations: a case in, its determination out (spec: case-format.md)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, get_args

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.datastructures import QueryParams

from dermcover.case import Case
from dermcover.determination import Determination
from dermcover.engine import TraceLevel, determine, library
from dermcover.engine.spread import ALL_POLICIES, Spread, candidate_policies, decide_spread
from dermcover.web.bodies import raw_document, read_body, request_body
from dermcover.web.deps import checked_policy
from dermcover.web.errors import FieldError
from dermcover.web.heavy import LIGHT_BODY_BYTES, heavy_work, off_loop

PATH = "/api/v1/determinations"

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


class RequestOnlyRoute(APIRoute):
    """A route whose endpoint takes the request alone and reads its query and body itself.

    FastAPI's per-request handler (reading the body by its content type, solving parameters
    and dependencies, checking the answer against the response model) serves endpoints that
    declare their parameters; this one declares them for the OpenAPI document only, so the
    endpoint is its own handler. FastAPI still wraps it as it wraps every route, so the
    exception handlers answer whatever it raises."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint: Callable[[Request], Coroutine[Any, Any, Response]] = self.endpoint
        return endpoint


def install(app: FastAPI) -> None:
    """Add the route to the app itself, ahead of the routers it includes: FastAPI finds a
    route in an included router by walking the routers (twice, to match and then to handle),
    and this is the route that has to be fast."""
    app.router.add_api_route(
        PATH,
        create_determination,
        methods=["POST"],
        tags=["coverage"],
        response_model=Determination | Spread,
        response_model_exclude_none=True,
        openapi_extra={**request_body(Case, EXAMPLE), **QUERY},
        summary="Decide whether each procedure in a case is covered",
        route_class_override=RequestOnlyRoute,
    )


async def create_determination(request: Request) -> Response:
    """Every procedure line gets an outcome, the criteria weighed with their citations, the
    reasons in plain words, the questions that would settle what is unknown, the documentation
    checklist, code problems and next steps."""
    raw, content_type = await raw_document(request)
    query = query_of(request.scope["query_string"])
    if len(raw) > LIGHT_BODY_BYTES:
        # Read, decided and written out in one trip to a helper process (web.heavy): a case
        # read there and sent back would only be sent there again to be decided, and pickling a
        # big one both ways took some 17 ms of this process, its other requests waiting.
        answer = await heavy_work(request).run(
            _answered, raw, content_type, query.get("policy"), query.get("trace", "criteria")
        )
        return Response(answer, media_type="application/json")
    case = read_body(Case, raw, content_type)
    if query.get("policy") == ALL_POLICIES:
        lines = len(case.procedures) * len(candidate_policies(case, library()))
        spread = await off_loop(request, lines, _spread_json, case)
        return Response(spread, media_type="application/json")
    trace = trace_level(query.get("trace", "criteria"))
    policy = checked_policy(case, query.get("policy"))
    if decided_inline(case, len(raw), trace):
        body = _decided_json(case, policy, trace)
    else:
        # Bigger cases off the event loop, into a helper process when big (see web.heavy).
        body = await off_loop(request, len(case.procedures), _decided_json, case, policy, trace)
    return Response(body, media_type="application/json")


# The routes the app's safeguards answer themselves (`web.middleware.Safeguards`, its exceptions
# by the app's handlers), without the router and the framework's per-request layers, which cost
# a determination more than reading its body. The route above is still the one the OpenAPI
# document shows, and answers anything the safeguards pass on.
DIRECT = {("POST", PATH): create_determination}


def query_of(query_string: bytes) -> Mapping[str, str]:
    """A request's query parameters (the last value of each, as Starlette's `query_params`
    reads them): a query is one of a few (a pack, a trace level), so each short one is parsed
    once rather than on every request, into a mapping no request can change. A long one is
    parsed and not kept, so that odd queries cannot fill the memory of the cache."""
    if len(query_string) <= CACHED_QUERY_BYTES:
        return _parsed_once(query_string)
    return _parsed(query_string)


CACHED_QUERY_BYTES = 128


def _parsed(query_string: bytes) -> Mapping[str, str]:
    return MappingProxyType(dict(QueryParams(query_string)))


_parsed_once = lru_cache(maxsize=1024)(_parsed)


def trace_level(trace: str) -> TraceLevel:
    if trace not in TRACE_LEVELS:
        raise FieldError(
            f"query parameter trace = {trace[:60]!r}: not a trace level; allowed: "
            + ", ".join(TRACE_LEVELS),
            "trace",
        )
    return trace


def _answered(raw: bytes, content_type: str, policy: str | None, trace: str) -> bytes:
    """A large body's answer, all of it in a helper process, its errors in the same order."""
    case = read_body(Case, raw, content_type)
    if policy == ALL_POLICIES:
        return _spread_json(case)
    level = trace_level(trace)
    return _decided_json(case, checked_policy(case, policy), level)


# The answer leaves a helper process as bytes, encoded there: a full trace of a 50-line case runs
# to some 25 MB, and sending it as text had the server process decode it from the pipe and
# encode it again for the response, some 10 ms in which none of its other requests could run.


def _spread_json(case: Case) -> bytes:
    return decide_spread(case).model_dump_json(exclude_none=True).encode()


# A case this small is decided on the event loop, without the hop to a worker thread and back
# (handing the work over, waking the loop when it is done, and the two threads taking turns at
# the interpreter cost more than a small decision, and under load the hop, not the decision, made
# the slowest answers: the thread waits its turn at the interpreter while the loop is busy). Its
# size bounds its cost: what a decision does grows with the procedure lines and with the lists a
# case holds (diagnoses, prior treatments, documents), and a full trace costs some three times
# the rest, so it is decided here only for the fewest lines. The costliest case within these
# bounds that bench/request_profile.py finds (`--inline-bound`) takes a few milliseconds, far
# inside the time budget (20 s unless DERMCOVER_REQUEST_SECONDS says otherwise), and it cannot
# stall the other requests for long. Anything bigger, and every spread over all packs, is decided
# off the loop (a worker thread, or a helper process for big work: web.heavy), where the time
# budget can answer 503 while it is still running and the loop goes on answering everyone else.
INLINE_LINES = 16
INLINE_LINES_FULL_TRACE = 4
INLINE_BYTES = 1024


def decided_inline(case: Case, body_bytes: int, trace: TraceLevel) -> bool:
    most = INLINE_LINES_FULL_TRACE if trace == "full" else INLINE_LINES
    return len(case.procedures) <= most and body_bytes <= INLINE_BYTES


def _decided_json(case: Case, policy: str | None, trace: TraceLevel) -> bytes:
    return determine(case, policy, trace=trace).model_dump_json(exclude_none=True).encode()
