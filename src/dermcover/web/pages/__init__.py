"""The HTML pages: the patient's guided check, and the clinic's workspace behind a login."""

from __future__ import annotations

from fastapi import APIRouter

from dermcover.web.pages import auth, clinic, codes, language, notes, patient, shared, workspace

router = APIRouter(include_in_schema=False)
router.include_router(patient.router)
router.include_router(codes.router)
router.include_router(shared.router)
router.include_router(auth.router)
router.include_router(workspace.router)  # before clinic's /cases/{case_id}: /cases.csv
router.include_router(workspace.feeds)
router.include_router(clinic.router)
router.include_router(notes.router)
router.include_router(language.router)
