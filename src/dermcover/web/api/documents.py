"""Document downloads: POST /api/v1/documents/{kind} for a case sent with the request, and
POST /api/v1/cases/{id}/documents/{kind} (staff) for a stored case, whose read is audited.
{kind} is lmn, pa-packet, gfe or appeal; the API document lists each as a path of its own."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from dermcover.case import Case
from dermcover.documents import LANGUAGES
from dermcover.i18n import DEFAULT
from dermcover.store.cases import CaseNotFound
from dermcover.web.api.determinations import EXAMPLE as CASE_EXAMPLE
from dermcover.web.api.estimates import EXAMPLE as ESTIMATE_EXAMPLE
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
    schema_name,
    with_article,
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


SentBody = Annotated[DocumentRequest, Depends(document(DocumentRequest))]
InputsBody = Annotated[DocumentInputs, Depends(document(DocumentInputs))]
SCHEDULE_EXAMPLE = {
    "scheduled_on": "2026-11-23",
    "first_session": "2026-12-14",
    "interval": {"every": 6, "unit": "weeks"},
    "separately_scheduled": [],
}
DENIAL_EXAMPLE = {
    "date": "2026-11-16",
    "received_on": "2026-11-19",
    "reason": "not_medically_necessary",
    "plan_type": "commercial",
    "codes": ["0479T"],
    "claim_type": "pre_service",
}
# The kinds that need an input show a request with it (and testers start from it: a whole valid
# estimate or denial is hard to find by chance).
INPUTS_EXAMPLES: dict[DocumentKind, dict[str, Any]] = {
    DocumentKind.gfe: {"estimate": ESTIMATE_EXAMPLE, "schedule": SCHEDULE_EXAMPLE},
    DocumentKind.appeal: {"denial": DENIAL_EXAMPLE},
}
# What each kind is written from besides the case; the others of schedule, estimate and denial
# may be sent too, and are not used.
USES = {
    DocumentKind.lmn: "Uses `schedule` (optional) for the treatment plan.",
    DocumentKind.pa_packet: "Uses `schedule` (optional) for the treatment plan.",
    DocumentKind.gfe: "Needs `estimate` (the prices to quote); uses `schedule` for the dates, "
    "the place and the pricing (without it, the estimate is refused with the reasons).",
    DocumentKind.appeal: "Needs `denial` (the denial notice).",
}


def document_kind(request: Request) -> DocumentKind:
    """The kind the path names: its `{kind}`, or the last part of a kind's own path."""
    named = str(request.path_params.get("kind") or request.url.path.rsplit("/", 1)[-1])
    try:
        return DocumentKind(named)
    except ValueError:
        allowed = ", ".join(kind.value for kind in DocumentKind)
        raise FieldError(
            f"path parameter kind = {named[:40]!r}: not a document kind; allowed: {allowed}",
            "kind",
        ) from None


KindDep = Annotated[DocumentKind, Depends(document_kind)]


async def document_for_case(
    request: Request,
    kind: KindDep,
    body: SentBody,
    fmt: FormatQuery = DocumentFormat.pdf,
    dated: DateQuery = None,
) -> Response:
    lang = chosen_language(request, kind)
    policy = checked_policy(body.case, None, "case.")
    return await _written(request, kind, body.case, body, fmt, policy, dated, lang)


async def document_for_record(
    request: Request,
    case_id: UUID,
    kind: KindDep,
    inputs: InputsBody,
    staff: StaffDep,
    store: RecordsDep,
    fmt: FormatQuery = DocumentFormat.pdf,
    dated: DateQuery = None,
) -> Response:
    lang = chosen_language(request, kind)
    view = await run_in_threadpool(
        store.cases.get_case, case_id, actor=staff.id, need=permission_for(kind)
    )
    if view is None:
        raise CaseNotFound(case_id)
    policy = view.determination.policy.id
    return await _written(request, kind, view.case, inputs, fmt, policy, dated, lang)


def chosen_language(request: Request, kind: DocumentKind) -> str:
    """The `lang` the query names (default en): the patient's language for the Good Faith
    Estimate; a letter or packet goes to the insurer and is refused in any language but English
    rather than quietly written in English."""
    language = request.query_params.get("lang", DEFAULT)
    allowed = LANGUAGES[kind.value]
    if language in allowed:
        return language
    shown = " or ".join(f"'{each}'" for each in allowed)
    if language in LANGUAGES["gfe"]:
        raise FieldError(
            f"query parameter lang = '{language}': the {PHRASES[kind]} goes to the insurer and "
            f"is written in English only; allowed: {shown} (the Good Faith Estimate, gfe, takes "
            "'en' or 'es')",
            "lang",
        )
    raise FieldError(
        f"query parameter lang = {language[:20]!r}: not a language dermcover writes this "
        f"document in; allowed: {shown}",
        "lang",
    )


def language_parameter(kind: DocumentKind) -> dict[str, Any]:
    """The `lang` query parameter as the document states it for one kind's own path."""
    allowed = list(LANGUAGES[kind.value])
    about = (
        "The patient's language: en (the default) or es."
        if len(allowed) > 1
        else "en only: this document goes to the insurer and is written in English."
    )
    return {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": about,
        "schema": {"type": "string", "enum": allowed, "default": DEFAULT},
    }


# One path per kind, each with the request schema of what that kind needs; then the path with
# `{kind}` in it, which the document leaves out, only to answer any other kind with a 422 that
# lists the kinds (it is matched after the four).
for kind in DocumentKind:
    name = kind.value.replace("-", "_")
    router.add_api_route(
        f"/documents/{kind.value}",
        document_for_case,
        methods=["POST"],
        name=f"{name}_for_case",
        openapi_extra={
            **request_body(
                schema_name(kind, stored=False),
                {"case": CASE_EXAMPLE, **INPUTS_EXAMPLES[kind]}
                if kind in INPUTS_EXAMPLES
                else None,
            ),
            "parameters": [language_parameter(kind)],
        },
        summary=f"Write {with_article(PHRASES[kind])} for a case sent with the request",
        description=USES[kind],
        response_class=Response,
    )
    staff_router.add_api_route(
        f"/cases/{{case_id}}/documents/{kind.value}",
        document_for_record,
        methods=["POST"],
        name=f"{name}_for_record",
        openapi_extra={
            **request_body(schema_name(kind, stored=True), INPUTS_EXAMPLES.get(kind)),
            "parameters": [language_parameter(kind)],
        },
        summary=f"Write {with_article(PHRASES[kind])} for a stored case (staff)",
        description=USES[kind],
        response_class=Response,
    )
router.add_api_route(
    "/documents/{kind}",
    document_for_case,
    methods=["POST"],
    include_in_schema=False,
    response_class=Response,
)
staff_router.add_api_route(
    "/cases/{case_id}/documents/{kind}",
    document_for_record,
    methods=["POST"],
    include_in_schema=False,
    response_class=Response,
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
