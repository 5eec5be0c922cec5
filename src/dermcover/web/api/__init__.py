"""The HTTP API, version 1: every router under /api/v1, and the determinations route, which
the app adds to itself (`determinations.install`)."""

from __future__ import annotations

from fastapi import APIRouter

from dermcover.web.api import (
    cases,
    codes,
    documents,
    estimates,
    policies,
    session,
)

router = APIRouter(prefix="/api/v1")
for module in (estimates, policies, codes, session, cases, documents):
    router.include_router(module.router)
router.include_router(documents.staff_router)
