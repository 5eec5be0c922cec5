"""The clinic's workspace: the case list, a case's page, new cases, and recording what the payer
did. Staff only: every route here depends on a signed-in staff member, and every read and write
of a case goes through the store, which audits it (who, what, when)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from dermcover.case import Case, DocumentationItem
from dermcover.determination import Question
from dermcover.engine.library import library
from dermcover.inputs import MAX_INPUT_BYTES, InputError, load_model_text
from dermcover.store.cases import CaseNotFound, CaseView, decide_with_engine
from dermcover.store.clinics import Permission
from dermcover.store.timeline import CaseStatus, EventKind
from dermcover.web.answers import read_answers
from dermcover.web.case_facts import case_facts
from dermcover.web.case_form import all_fields, build_form, read_form, values_from_case
from dermcover.web.deps import RecordsDep, StaffDep, current_staff, verify_csrf
from dermcover.web.document_forms import document_inputs, patient_language
from dermcover.web.documents import (
    PHRASES,
    TITLES,
    DocumentFormat,
    DocumentKind,
    Refused,
    permission_for,
    written,
)
from dermcover.web.errors import FieldError
from dermcover.web.heavy import heavy_work
from dermcover.web.interop import prior_auth_rows
from dermcover.web.pages.workspace import CaseFilters, FiltersDep
from dermcover.web.questions import TREATMENTS
from dermcover.web.templating import templates

router = APIRouter(prefix="/clinic", dependencies=[Depends(current_staff), Depends(verify_csrf)])


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
            "attachments": store.cases.attachments(view.id, actor=staff.id),
            "documentation_items": list(DocumentationItem),
            "prior_auths": prior_auth_rows(store.prior_auths.for_case(view.id)),
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


def _read(
    store: RecordsDep, case_id: UUID, staff_id: int, need: Permission = Permission.read_cases
) -> CaseView:
    view = store.cases.get_case(case_id, actor=staff_id, need=need)
    if view is None:
        raise CaseNotFound(case_id)
    return view


@router.get("")
def workspace() -> Response:
    return RedirectResponse("/clinic/cases", status_code=303)


@router.get("/cases")
def case_list(request: Request, staff: StaffDep, store: RecordsDep) -> Response:
    """Every case the staff member may see; a search is a POST (`search_cases`)."""
    return _case_list_page(request, staff, store, CaseFilters())


@router.post("/cases/search")
def search_cases(
    request: Request, staff: StaffDep, store: RecordsDep, filters: FiltersDep
) -> Response:
    """The cases a search finds: its terms (a patient's name among them) come in the form's
    body, never in the address, and the page is not stored (Cache-Control: no-store, as every
    page but the static files)."""
    return _case_list_page(request, staff, store, filters)


def _case_list_page(
    request: Request, staff: Any, store: RecordsDep, filters: CaseFilters
) -> Response:
    rows = store.cases.list_cases(actor=staff.id, status=filters.status, search=filters.search)
    return templates.TemplateResponse(
        request,
        "clinic/cases.html",
        {
            "staff": staff,
            "rows": rows,
            "status": filters.status,
            "statuses": list(CaseStatus),
            "today": date.today(),
            "terms": filters.terms,
            "searched": filters.chosen,
        },
    )


@router.get("/cases/new")
def new_case_page(request: Request, staff: StaffDep) -> Response:
    return case_form_page(request, staff, {}, case_id=None)


@router.post("/cases/draft")
async def draft_case(request: Request, staff: StaffDep) -> Response:
    """The new-case form filled with facts from elsewhere (a note's accepted proposals); saves
    nothing, and shows what the engine still needs once the facts make a case."""
    values = multi_values(await request.form())
    reading = await run_in_threadpool(read_form, values, policy_ids())
    return await run_in_threadpool(
        case_form_page, request, staff, reading.values, case_id=None, check=reading.case
    )


@router.post("/cases")
async def create_case(request: Request, staff: StaffDep, store: RecordsDep) -> Response:
    return await _submit(request, staff, store, case_id=None)


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
def case_page(request: Request, case_id: UUID, staff: StaffDep, store: RecordsDep) -> Response:
    return _case_page(request, staff, store, _read(store, case_id, staff.id))


@router.get("/cases/{case_id}/edit")
def edit_case_page(request: Request, case_id: UUID, staff: StaffDep, store: RecordsDep) -> Response:
    view = _read(store, case_id, staff.id, Permission.write_cases)
    return case_form_page(
        request,
        staff,
        values_from_case(view.case),
        case_id=case_id,
        questions=view.determination.questions,
    )


@router.post("/cases/{case_id}/edit")
async def edit_case(
    request: Request, case_id: UUID, staff: StaffDep, store: RecordsDep
) -> Response:
    await run_in_threadpool(_read, store, case_id, staff.id, Permission.write_cases)
    return await _submit(request, staff, store, case_id=case_id)


async def _submit(
    request: Request, staff: Any, store: RecordsDep, *, case_id: UUID | None
) -> Response:
    """Save the form's case (or an imported case file), or show the form again with every
    problem on its field and everything typed still in place."""
    form = await request.form()
    if "document" in form:
        return await run_in_threadpool(
            _import, request, staff, store, str(form.get("document") or ""), case_id
        )
    reading = await run_in_threadpool(read_form, multi_values(form), policy_ids())
    if reading.case is None:
        return await run_in_threadpool(
            case_form_page,
            request,
            staff,
            reading.values,
            case_id=case_id,
            errors=reading.errors,
            status_code=422,
        )
    if form.get("action") == "check":
        return await run_in_threadpool(
            case_form_page, request, staff, reading.values, case_id=case_id, check=reading.case
        )
    saved = await run_in_threadpool(_save, store, reading.case, case_id, staff.id)
    return RedirectResponse(f"/clinic/cases/{saved}", status_code=303)


def _save(store: RecordsDep, case: Case, case_id: UUID | None, actor: int) -> str:
    if case_id is None:
        return store.cases.create_case(case, actor=actor).id
    return store.cases.update_case(case_id, case, actor=actor).id


def _import(
    request: Request, staff: Any, store: RecordsDep, document: str, case_id: UUID | None
) -> Response:
    try:
        case = load_model_text(Case, document, "case")
        saved = _save(store, case, case_id, staff.id)
    except InputError as exc:
        return case_form_page(
            request,
            staff,
            {},
            case_id=case_id,
            document=document,
            error=str(exc),
            status_code=422,
        )
    return RedirectResponse(f"/clinic/cases/{saved}", status_code=303)


def multi_values(form: FormData) -> dict[str, list[str]]:
    return {key: [str(v) for v in form.getlist(key)] for key in form}


def case_form_page(
    request: Request,
    staff: Any,
    values: Mapping[str, Sequence[str]],
    *,
    case_id: UUID | None,
    questions: Sequence[Question] = (),
    check: Case | None = None,
    errors: Mapping[str, str] | None = None,
    document: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    from_note: bool = False,
) -> Response:
    if check is not None:
        questions = decide_with_engine(check, None, date.today()).questions
    needed = [name for q in questions for name in q.fields]
    sections = build_form(values, errors=errors, needed=needed, policies=policy_ids())
    error_links = [(f.id, f.error) for f in all_fields(sections) if f.error]
    count = len(error_links)
    return templates.TemplateResponse(
        request,
        "clinic/case_form.html",
        {
            "staff": staff,
            "case_id": case_id,
            "sections": sections,
            "error_links": error_links,
            "error_summary": f"{count} field{'s' if count != 1 else ''} to fix",
            "needed": needed,
            "questions": questions,
            "treatment_names": TREATMENTS,
            "document": document,
            "error": error,
            "from_note": from_note,
        },
        status_code=status_code,
    )


def policy_ids() -> list[str]:
    return sorted(library().packs)


@router.post("/cases/{case_id}/events")
def record_event(
    request: Request,
    case_id: UUID,
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
    request: Request, case_id: UUID, staff: StaffDep, store: RecordsDep
) -> Response:
    """A document for the case as a PDF download, or the case page saying why it cannot be."""
    form = await request.form()
    try:
        kind = DocumentKind(str(form.get("kind") or ""))
    except ValueError:
        raise FieldError("kind: pick a document", "kind") from None
    view = await run_in_threadpool(_read, store, case_id, staff.id, permission_for(kind))
    # What was typed goes back into the form when the document cannot be written.
    typed = {name: str(value) for name, value in form.items() if name != "csrf_token"}
    try:
        inputs = document_inputs(kind, form, view.case)
        policy = view.determination.policy.id
        language = patient_language(form)
        return await heavy_work(request).run(
            written, kind, view.case, inputs, DocumentFormat.pdf, policy=policy, language=language
        )
    except Refused as refusal:
        refused = {"title": PHRASES[kind], "reasons": refusal.reasons}
        return await run_in_threadpool(
            _case_page, request, staff, store, view, refused=refused, typed=typed, status_code=422
        )
    except InputError as exc:
        return await run_in_threadpool(
            _case_page, request, staff, store, view, error=str(exc), typed=typed, status_code=422
        )
