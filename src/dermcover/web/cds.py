"""The CDS Hooks routes at the service root: GET /cds-services (discovery, no token needed) and
POST /cds-services/{id} (a signed JWT from a trusted client, see web/interop.py)."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from dermcover.interop.cds_hooks.discovery import SERVICES, discovery
from dermcover.interop.cds_hooks.service import HookError, answer_hook
from dermcover.interop.cds_hooks.trust import Untrusted
from dermcover.web.interop import Interop, interop

log = logging.getLogger("dermcover.interop")
router = APIRouter(tags=["CDS Hooks (Da Vinci CRD)"])
InteropDep = Annotated[Interop, Depends(interop)]


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


@router.get("/cds-services", summary="CDS Hooks discovery: the services and their prefetch")
async def list_services() -> dict[str, Any]:
    return discovery()


@router.post("/cds-services/{service_id}", summary="Call a CDS Hooks service (CRD)")
async def call_service(service_id: str, request: Request, desk_of: InteropDep) -> JSONResponse:
    service = SERVICES.get(service_id)
    if service is None:
        return _error(404, f"no CDS service {service_id[:40]!r}; available: {', '.join(SERVICES)}")
    try:
        client = desk_of.caller(request)
    except Untrusted as exc:
        return _error(401, str(exc), {"WWW-Authenticate": "Bearer"})
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return _error(400, "the request body is not JSON")
    try:
        desk = desk_of.desk(request, client)
        answer = await run_in_threadpool(answer_hook, service, body, desk)
    except HookError as exc:
        return _error(exc.status, exc.message)
    except Exception as exc:  # never a 500 for any body: say what failed, keep the body out of logs
        log.error("CDS service %s could not answer (%s)", service.id, type(exc).__name__)
        return _error(400, f"the request could not be answered ({type(exc).__name__})")
    return JSONResponse(answer)
