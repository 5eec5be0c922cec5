"""The clinic's everyday tools beside the case pages: what is due soon across every case, the
calendar feed of those deadlines, the case list's search and its CSV export, and the files kept
with a case.

Everything here reads cases through the store's case repository, so it sees exactly the cases
the signed-in staff member may see. The calendar feed is the one route without a sign-in: a
calendar app cannot sign in, so the feed's address carries an unguessable per-staff token (and
nothing else: no name, no patient data) and shows what that staff member would see.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from dermcover.case import DocumentationItem
from dermcover.store.attachments import MAX_ATTACHMENT_BYTES, AttachmentView
from dermcover.store.cases import CaseSearch, CaseSummary
from dermcover.store.timeline import CaseStatus
from dermcover.web.calendar_feed import deadlines_calendar
from dermcover.web.deps import RecordsDep, StaffDep, current_staff, verify_csrf
from dermcover.web.errors import FieldError
from dermcover.web.templating import templates

router = APIRouter(prefix="/clinic", dependencies=[Depends(current_staff), Depends(verify_csrf)])
feeds = APIRouter()

SOON_DAYS = 14
CSV_COLUMNS = (
    "case",
    "reference",
    "patient",
    "policy",
    "plan_type",
    "outcome",
    "status",
    "next_deadline",
    "procedure_codes",
    "diagnoses",
    "updated",
)
# A cell a spreadsheet would run as a formula starts with one of these: keep it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def case_search(
    patient: str = "", code: str = "", payer: str = ""
) -> tuple[CaseSearch | None, dict[str, str]]:
    """The search the case list's form asks for (None: no search), and its terms as typed."""
    terms = {"patient": patient.strip(), "code": code.strip(), "payer": payer.strip()}
    if not any(terms.values()):
        return None, terms
    return CaseSearch(**{k: v or None for k, v in terms.items()}), terms


def case_status(text: str) -> CaseStatus | None:
    """The status filter as the form sends it ("" for any), or a 422 naming what is allowed."""
    if not text:
        return None
    try:
        return CaseStatus(text)
    except ValueError:
        allowed = ", ".join(status.value for status in CaseStatus)
        raise FieldError(
            f"status = {text[:40]!r}: not a status; allowed: {allowed}", "status"
        ) from None


@dataclass(frozen=True)
class CaseFilters:
    """What the case list shows: the search (None: every case), the status (None: any), and the
    search's terms as typed, to show them again."""

    search: CaseSearch | None = None
    status: CaseStatus | None = None
    terms: dict[str, str] = field(default_factory=dict)

    @property
    def chosen(self) -> bool:
        return self.search is not None or self.status is not None


def case_filters(
    status: Annotated[str, Form(max_length=40)] = "",
    patient: Annotated[str, Form(max_length=200)] = "",
    code: Annotated[str, Form(max_length=20)] = "",
    payer: Annotated[str, Form(max_length=200)] = "",
) -> CaseFilters:
    """The case list's filters, from the search form's body: a patient's name is never put in
    an address (browser history, proxy and server logs, a link copied on), so the search and
    the export are POSTs (CSRF-checked, like every staff form) and never GETs."""
    search, terms = case_search(patient, code, payer)
    return CaseFilters(search, case_status(status), terms)


FiltersDep = Annotated[CaseFilters, Depends(case_filters)]


@router.post("/cases.csv")
def cases_csv(staff: StaffDep, store: RecordsDep, filters: FiltersDep) -> Response:
    """The case list, as the page shows it with the same search, for a spreadsheet."""
    rows = store.cases.list_cases(
        actor=staff.id, status=filters.status, search=filters.search, limit=10_000
    )
    return Response(
        cases_csv_text(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cases-{date.today()}.csv"'},
    )


def cases_csv_text(rows: list[CaseSummary]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            _cell(value)
            for value in (
                row.id,
                row.reference or "",
                row.patient_name or "",
                row.policy_id,
                row.plan_type or "",
                row.outcome.value,
                row.status.value,
                row.next_deadline.isoformat() if row.next_deadline else "",
                " ".join(row.procedure_codes),
                " ".join(row.diagnoses),
                row.updated_at.date().isoformat(),
            )
        )
    return out.getvalue()


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@router.get("/due")
def due_soon(request: Request, staff: StaffDep, store: RecordsDep) -> Response:
    """Every open deadline across the cases, soonest first, overdue and due soon marked."""
    today = date.today()
    entries = store.cases.open_deadlines(actor=staff.id)
    return templates.TemplateResponse(
        request,
        "clinic/due.html",
        {
            "staff": staff,
            "entries": entries,
            "today": today,
            "soon": today + timedelta(days=SOON_DAYS),
            "soon_days": SOON_DAYS,
        },
    )


@router.get("/calendar")
def calendar_page(request: Request, staff: StaffDep, store: RecordsDep) -> Response:
    token = store.calendars.token_for(staff.id)
    return templates.TemplateResponse(
        request,
        "clinic/calendar.html",
        {"staff": staff, "feed_url": str(request.url_for("calendar_feed", token=token))},
    )


@router.post("/calendar/renew")
def renew_calendar(staff: StaffDep, store: RecordsDep) -> Response:
    store.calendars.renew(staff.id)
    return RedirectResponse("/clinic/calendar", status_code=303)


@feeds.get("/calendar/{token}.ics", name="calendar_feed")
def calendar_feed(request: Request, token: str, store: RecordsDep) -> Response:
    """The deadlines the token's staff member can see, as iCalendar; 404 for any other token."""
    staff_id = store.calendars.staff_for(token)
    if staff_id is None:
        return Response("no such calendar\n", status_code=404, media_type="text/plain")
    entries = store.cases.open_deadlines(actor=staff_id)
    return Response(
        deadlines_calendar(entries, str(request.base_url)),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store"},
    )


@router.post("/cases/{case_id}/attachments")
async def attach(request: Request, case_id: str, staff: StaffDep, store: RecordsDep) -> Response:
    """Keep a photo or a record with the case; the case page lists it, the checklist counts it."""
    form = await request.form(max_part_size=MAX_ATTACHMENT_BYTES + 1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FieldError("file: choose a photo or a PDF to attach", "file")
    try:
        item = DocumentationItem(str(form.get("item") or ""))
    except ValueError:
        allowed = ", ".join(i.value for i in DocumentationItem)
        raise FieldError(f"item = {form.get('item')!r}: allowed: {allowed}", "item") from None
    content = await upload.read(MAX_ATTACHMENT_BYTES + 1)
    await run_in_threadpool(
        store.cases.add_attachment, case_id, item, upload.filename, content, actor=staff.id
    )
    return RedirectResponse(f"/clinic/cases/{case_id}#attachments", status_code=303)


@router.get("/cases/{case_id}/attachments/{attachment_id}")
def attachment(case_id: str, attachment_id: int, staff: StaffDep, store: RecordsDep) -> Response:
    view, content = store.cases.attachment_content(case_id, attachment_id, actor=staff.id)
    return Response(
        content,
        media_type=view.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="attachment-{view.id}{_ending(view)}"',
            "Cache-Control": "private, no-store",
        },
    )


def _ending(view: AttachmentView) -> str:
    name = view.filename
    return name[name.rfind(".") :].lower() if "." in name else ""
