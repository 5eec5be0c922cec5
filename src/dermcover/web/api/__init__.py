"""The HTTP API, version 1: every router under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from dermcover.web.api import cases, codes, determinations, estimates, policies, session

router = APIRouter(prefix="/api/v1")
for module in (determinations, estimates, policies, codes, session, cases):
    router.include_router(module.router)
