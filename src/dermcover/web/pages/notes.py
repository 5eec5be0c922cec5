"""The clinic's note page: paste a visit note, review the facts dermcover proposes from it, and
take the accepted ones into a new case's form. The note is read in memory and then dropped: it
is never stored, logged or put in a URL."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dermcover.web.deps import StaffDep, current_staff, verify_csrf
from dermcover.web.note_review import accepted_values, review_rows
from dermcover.web.pages.clinic import case_form_page, multi_values, policy_ids
from dermcover.web.questions import TREATMENT_OUTCOMES, TREATMENTS
from dermcover.web.templating import templates

router = APIRouter(prefix="/clinic", dependencies=[Depends(current_staff), Depends(verify_csrf)])

MAX_NOTE = 20_000


def _page(
    request: Request, staff: object, note: str, *, error: str | None = None, status: int = 200
) -> Response:
    rows, set_aside = [], []
    if note.strip() and error is None:
        from dermcover.notes.proposals import read_note  # spaCy loads on first use only

        reading = read_note(note)
        rows, set_aside = review_rows(reading.proposals), reading.set_aside
    return templates.TemplateResponse(
        request,
        "clinic/note.html",
        {
            "staff": staff,
            "note": note,
            "rows": rows,
            "set_aside": set_aside,
            "read": bool(note.strip()) and error is None,
            "error": error,
            "treatment_names": TREATMENTS,
            "outcomes": TREATMENT_OUTCOMES,
            "max_note": MAX_NOTE,
        },
        status_code=status,
    )


@router.get("/notes")
def note_page(request: Request, staff: StaffDep) -> Response:
    return _page(request, staff, "")


@router.post("/notes")
async def read_note_page(
    request: Request, staff: StaffDep, note: Annotated[str, Form()] = ""
) -> Response:
    if len(note) > MAX_NOTE:
        error = f"note: {len(note):,} characters; at most {MAX_NOTE:,} are read"
        return _page(request, staff, note, error=error, status=422)
    if not note.strip():
        return _page(request, staff, note, error="note: paste the visit note first", status=422)
    return await run_in_threadpool(_page, request, staff, note)


@router.post("/notes/accept")
async def accept_proposals(request: Request, staff: StaffDep) -> Response:
    """The accepted facts in the new-case form, to check and save there."""
    values = accepted_values(multi_values(await request.form()))
    from dermcover.web.case_form import read_form

    reading = await run_in_threadpool(read_form, values, policy_ids())
    return await run_in_threadpool(
        case_form_page,
        request,
        staff,
        values,
        case_id=None,
        check=reading.case,
        from_note=True,
    )
