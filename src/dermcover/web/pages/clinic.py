"""The clinic's workspace: the case list, a case's page, new cases, and recording what the payer
did. Staff only: every route here depends on a signed-in staff member, and every read and write
of a case goes through the store, which audits it (who, what, when)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from dermcover.case import Case
from dermcover.inputs import MAX_INPUT_BYTES, InputError, load_model_text
from dermcover.store.cases import CaseNotFound, CaseView
from dermcover.store.timeline import CaseStatus, EventKind
from dermcover.web.answers import read_answers
from dermcover.web.case_facts import case_facts
from dermcover.web.deps import RecordsDep, StaffDep, current_staff, verify_csrf
from dermcover.web.document_forms import document_inputs
from dermcover.web.documents import (
    PHRASES,
    TITLES,
    DocumentFormat,
    DocumentKind,
    Refused,
    build,
    response,
)
from dermcover.web.errors import FieldError
from dermcover.web.templating import templates

router = APIRouter(prefix="/clinic", dependencies=[Depends(current_staff), Depends(verify_csrf)])

NEW_CASE_TEMPLATE = """\
patient: {name: , birth_date: }
payer: {policy: generic, plan_type: commercial, network: in}
procedures:
  - {kind: , code: , sessions: 1, site: face}
condition: {diagnoses: [], cause: , severity: }
purpose:
provider: {type: dermatologist, setting: office}
"""


def _case_page(
    request: Request,
    staff: Any,
    store: RecordsDep,
    view: CaseView,
    *,
    error: str | None = None,
    refused: dict[str, Any] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return templates.TemplateResponse(
        request,
        "clinic/case.html",
        {
            "staff": staff,
            "view": view,
            "facts": case_facts(view.case),
            "event_kinds": list(EventKind),
            "today": date.today(),
            "audit": store.audit.entries(case_id=view.id, limit=20),
            "error": error,
            "refused": refused,
            "typed": typed,
            "document_kinds": [(kind.value, TITLES[kind]) for kind in DocumentKind],
            "denied_on": next(
                (e.on for e in reversed(view.events) if e.kind is EventKind.pa_denied), None
            ),
        },
        status_code=status_code,
    )


def _read(store: RecordsDep, case_id: int, staff_id: int) -> CaseView:
    view = store.cases.get_case(case_id, actor=staff_id)
    if view is None:
        raise CaseNotFound(case_id)
    return view


@router.get("")
def workspace() -> Response:
    return RedirectResponse("/clinic/cases", status_code=303)


@router.get("/cases")
def case_list(
    request: Request, staff: StaffDep, store: RecordsDep, status: CaseStatus | None = None
) -> Response:
    rows = store.cases.list_cases(actor=staff.id, status=status)
    return templates.TemplateResponse(
        request,
        "clinic/cases.html",
        {
            "staff": staff,
            "rows": rows,
            "status": status,
            "statuses": list(CaseStatus),
            "today": date.today(),
        },
    )


@router.get("/cases/new")
def new_case_page(request: Request, staff: StaffDep) -> Response:
    return templates.TemplateResponse(
        request,
        "clinic/case_form.html",
        {"staff": staff, "document": NEW_CASE_TEMPLATE, "error": None, "case_id": None},
    )


@router.post("/cases")
def create_case(
    request: Request,
    staff: StaffDep,
    store: RecordsDep,
    document: Annotated[str, Form()] = "",
) -> Response:
    try:
        case = load_model_text(Case, document, "case")
        view = store.cases.create_case(case, actor=staff.id)
    except InputError as exc:
        return templates.TemplateResponse(
            request,
            "clinic/case_form.html",
            {"staff": staff, "document": document, "error": str(exc), "case_id": None},
            status_code=422,
        )
    return RedirectResponse(f"/clinic/cases/{view.id}", status_code=303)


@router.post("/cases/import")
async def import_case(request: Request, staff: StaffDep, store: RecordsDep) -> Response:
    """Open a patient's saved answers (or a case file) as a new case."""
    form = await request.form()
    upload = form.get("answers")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FieldError("answers: choose the patient's saved answers file", "answers")
    raw = await upload.read(MAX_INPUT_BYTES + 1)
    if len(raw) > MAX_INPUT_BYTES:
        raise FieldError(
            f"answers: {upload.filename} is larger than {MAX_INPUT_BYTES:,} bytes", "answers"
        )
    saved = read_answers(raw.decode("utf-8", errors="replace"), upload.filename)
    view = await run_in_threadpool(store.cases.create_case, saved.case, actor=staff.id)
    return RedirectResponse(f"/clinic/cases/{view.id}", status_code=303)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, staff: StaffDep, store: RecordsDep) -> Response:
    return _case_page(request, staff, store, _read(store, case_id, staff.id))


@router.get("/cases/{case_id}/edit")
def edit_case_page(request: Request, case_id: int, staff: StaffDep, store: RecordsDep) -> Response:
    view = _read(store, case_id, staff.id)
    return templates.TemplateResponse(
        request,
        "clinic/case_form.html",
        {"staff": staff, "document": _as_yaml(view.case), "error": None, "case_id": case_id},
    )


@router.post("/cases/{case_id}/edit")
def edit_case(
    request: Request,
    case_id: int,
    staff: StaffDep,
    store: RecordsDep,
    document: Annotated[str, Form()] = "",
) -> Response:
    try:
        case = load_model_text(Case, document, "case")
        store.cases.update_case(case_id, case, actor=staff.id)
    except InputError as exc:
        return templates.TemplateResponse(
            request,
            "clinic/case_form.html",
            {"staff": staff, "document": document, "error": str(exc), "case_id": case_id},
            status_code=422,
        )
    return RedirectResponse(f"/clinic/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/events")
def record_event(
    request: Request,
    case_id: int,
    staff: StaffDep,
    store: RecordsDep,
    kind: Annotated[EventKind, Form()],
    on: Annotated[date, Form()],
    notes: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    try:
        store.cases.add_event(case_id, kind, on, actor=staff.id, notes=notes or None)
    except InputError as exc:
        view = _read(store, case_id, staff.id)
        return _case_page(request, staff, store, view, error=str(exc), status_code=422)
    return RedirectResponse(f"/clinic/cases/{case_id}#timeline", status_code=303)


@router.post("/cases/{case_id}/documents")
async def case_document(
    request: Request, case_id: int, staff: StaffDep, store: RecordsDep
) -> Response:
    """A document for the case as a PDF download, or the case page saying why it cannot be."""
    form = await request.form()
    view = await run_in_threadpool(_read, store, case_id, staff.id)
    # What was typed goes back into the form when the document cannot be written.
    typed = {name: str(value) for name, value in form.items() if name != "csrf_token"}
    try:
        kind = DocumentKind(str(form.get("kind") or ""))
    except ValueError:
        raise FieldError("kind: pick a document", "kind") from None
    try:
        inputs = document_inputs(kind, form, view.case)
        policy = view.determination.policy.id
        built = await run_in_threadpool(build, kind, view.case, inputs, policy=policy)
        return await run_in_threadpool(response, kind, built, DocumentFormat.pdf)
    except Refused as refusal:
        refused = {"title": PHRASES[kind], "reasons": refusal.reasons}
        return await run_in_threadpool(
            _case_page, request, staff, store, view, refused=refused, typed=typed, status_code=422
        )
    except InputError as exc:
        return await run_in_threadpool(
            _case_page, request, staff, store, view, error=str(exc), typed=typed, status_code=422
        )


def _as_yaml(case: Case) -> str:
    data = case.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
