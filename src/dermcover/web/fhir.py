"""The FHIR routes under /fhir: the CapabilityStatement, DTR's questionnaire package and the
completed QuestionnaireResponse, PAS's Claim/$submit and Claim/$inquire. Every operation needs a
signed JWT from a trusted client (web/interop.py); every error is an OperationOutcome with 4xx."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from dermcover.interop.capability import capability_statement
from dermcover.interop.cds_hooks.trust import Untrusted
from dermcover.interop.dtr.package import questionnaire_package, receive_response
from dermcover.interop.outcome import OperationError, operation_outcome
from dermcover.interop.pas.operations import PasStore, inquire, submit
from dermcover.store.clinics import DEFAULT_CLINIC
from dermcover.web.deps import RecordsDep
from dermcover.web.interop import Interop, interop
from dermcover.web.records import Records

log = logging.getLogger("dermcover.interop")
router = APIRouter(prefix="/fhir", tags=["FHIR (Da Vinci DTR and PAS)"])
InteropDep = Annotated[Interop, Depends(interop)]
FHIR_JSON = "application/fhir+json"


def _fhir(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON, headers=headers)


def _outcome(
    status: int, message: str, code: str = "invalid", headers: dict[str, str] | None = None
) -> JSONResponse:
    return _fhir(operation_outcome(message, code), status, headers)


async def _run(
    request: Request,
    desk_of: Interop,
    operation: Callable[[Any, str | None], dict[str, Any]],
    status: int = 200,
) -> JSONResponse:
    try:
        client = desk_of.caller(request, f"{desk_of.base_url(request)}/fhir")
    except Untrusted as exc:
        return _outcome(401, str(exc), "login", {"WWW-Authenticate": "Bearer"})
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return _outcome(400, "the request body is not JSON", "structure")
    try:
        answer = await run_in_threadpool(operation, body, client)
    except OperationError as exc:
        return _outcome(exc.status, exc.message, exc.code)
    except Exception as exc:  # never a 500 for any body; nothing from the body goes to the log
        log.error("FHIR operation %s could not answer (%s)", request.url.path, type(exc).__name__)
        return _outcome(
            400, f"the request could not be processed ({type(exc).__name__})", "processing"
        )
    return _fhir(answer, status)


@router.get("/metadata", summary="CapabilityStatement")
async def metadata(request: Request, desk_of: InteropDep) -> JSONResponse:
    return _fhir(capability_statement(desk_of.base_url(request), request.app.version, date.today()))


@router.post("/Questionnaire/$questionnaire-package", summary="DTR: the form for an order")
async def package(request: Request, desk_of: InteropDep) -> JSONResponse:
    desk = desk_of.desk(request)
    return await _run(request, desk_of, lambda body, _client: questionnaire_package(body, desk))


@router.post("/QuestionnaireResponse", summary="DTR: a completed form, which decides the case")
async def questionnaire_response(request: Request, desk_of: InteropDep) -> JSONResponse:
    desk = desk_of.desk(request)
    return await _run(request, desk_of, lambda body, _client: receive_response(body, desk), 201)


@router.post("/Claim/$submit", summary="PAS: a prior-authorization request")
async def claim_submit(request: Request, desk_of: InteropDep, records: RecordsDep) -> JSONResponse:
    desk = desk_of.desk(request)
    return await _run(
        request,
        desk_of,
        lambda body, client: submit(body, desk, _store(records, desk_of, client), client=client),
    )


@router.post("/Claim/$inquire", summary="PAS: the current answer to a prior-authorization request")
async def claim_inquire(request: Request, desk_of: InteropDep, records: RecordsDep) -> JSONResponse:
    desk = desk_of.desk(request)
    return await _run(
        request,
        desk_of,
        lambda body, client: inquire(body, desk, _store(records, desk_of, client), client=client),
    )


def _store(records: Records, desk_of: Interop, client: str | None) -> PasStore:
    """The calling client's requests are kept in the clinic its trusted-client entry names."""
    clinic = desk_of.clients.clinic(client) if desk_of.clients is not None else DEFAULT_CLINIC
    return PasStore(records.cases, records.users, records.prior_auths, clinic)
