"""Document downloads: POST /api/v1/documents/{kind} for a case sent with the request, and
POST /api/v1/cases/{id}/documents/{kind} (staff) for a stored case, whose read is audited."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from dermcover.case import Case
from dermcover.documents import LANGUAGES
from dermcover.i18n import DEFAULT
from dermcover.store.cases import CaseNotFound
from dermcover.web.bodies import document, request_body
from dermcover.web.deps import RecordsDep, StaffDep, checked_policy, current_staff, verify_csrf
from dermcover.web.documents import (
    PHRASES,
    DocumentFormat,
    DocumentInputs,
    DocumentKind,
    DocumentRequest,
    Refused,
    permission_for,
    written,
)
from dermcover.web.errors import FieldError
from dermcover.web.heavy import heavy_work

router = APIRouter(tags=["documents"])
staff_router = APIRouter(
    tags=["documents"], dependencies=[Depends(current_staff), Depends(verify_csrf)]
)

FormatQuery = Annotated[DocumentFormat, Query(alias="format")]
DateQuery = Annotated[
    date | None, Query(alias="date", description="The document's date; default: today.")
]


class Language(StrEnum):
    en = "en"
    es = "es"


LangQuery = Annotated[
    Language,
    Query(
        alias="lang",
        description="The patient's language for the Good Faith Estimate: en (the default) or es. "
        "Letters and the packet go to the insurer and are written in English only.",
    ),
]
KIND_HELP = (
    "lmn: letter of medical necessity; pa-packet: prior-authorization packet; gfe: Good Faith "
    "Estimate (needs `estimate` and `schedule`); appeal: appeal letter (needs `denial`)."
)


@router.post(
    "/documents/{kind}",
    openapi_extra=request_body(DocumentRequest),
    summary="Write a document for a case sent with the request",
    description=KIND_HELP,
    response_class=Response,
)
async def document_for_case(
    request: Request,
    kind: DocumentKind,
    body: Annotated[DocumentRequest, Depends(document(DocumentRequest))],
    fmt: FormatQuery = DocumentFormat.pdf,
    dated: DateQuery = None,
    lang: LangQuery = Language.en,
) -> Response:
    check_language(kind, lang)
    policy = checked_policy(body.case, None, "case.")
    return await _written(request, kind, body.case, body, fmt, policy, dated, lang)


@staff_router.post(
    "/cases/{case_id}/documents/{kind}",
    openapi_extra=request_body(DocumentInputs),
    summary="Write a document for a stored case (staff)",
    description=KIND_HELP,
    response_class=Response,
)
async def document_for_record(
    request: Request,
    case_id: UUID,
    kind: DocumentKind,
    inputs: Annotated[DocumentInputs, Depends(document(DocumentInputs))],
    staff: StaffDep,
    store: RecordsDep,
    fmt: FormatQuery = DocumentFormat.pdf,
    dated: DateQuery = None,
    lang: LangQuery = Language.en,
) -> Response:
    check_language(kind, lang)
    view = await run_in_threadpool(
        store.cases.get_case, case_id, actor=staff.id, need=permission_for(kind)
    )
    if view is None:
        raise CaseNotFound(case_id)
    policy = view.determination.policy.id
    return await _written(request, kind, view.case, inputs, fmt, policy, dated, lang)


def check_language(kind: DocumentKind, language: str) -> None:
    """A Spanish letter is refused rather than quietly written in English."""
    if language not in LANGUAGES[kind.value]:
        raise FieldError(
            f"query parameter lang = '{language}': the {PHRASES[kind]} goes to the insurer and "
            "is written in English only; allowed: en (the Good Faith Estimate, gfe, takes en "
            "or es)",
            "lang",
        )


async def _written(
    request: Request,
    kind: DocumentKind,
    case: Case,
    inputs: DocumentInputs,
    fmt: DocumentFormat,
    policy: str | None,
    dated: date | None,
    language: str = DEFAULT,
) -> Response:
    """The document, written in a helper process (web.heavy); 409 when the case as decided does
    not support it (a letter for a line no policy criterion supports, an appeal of what the
    policy does not cover): the request is well formed, the case's facts and decision stand in
    its way."""
    try:
        return await heavy_work(request).run(
            written, kind, case, inputs, fmt, policy=policy, today=dated, language=language
        )
    except Refused as refusal:
        raise HTTPException(409, str(refusal)) from None
