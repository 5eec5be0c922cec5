"""Documents for download: the letter of medical necessity, the prior-authorization packet, the
Good Faith Estimate and the appeal letter, built by `dermcover.documents` and rendered to PDF.

A document that cannot honestly be written (the policy does not support it, or a field it must
carry is missing) is refused with every reason, as a 422, never a half-filled paper.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field
from starlette.responses import Response

from dermcover.case import Case, Contract
from dermcover.documents import LANGUAGES, DocumentRefused, render
from dermcover.documents.appeal import appeal_letter
from dermcover.documents.clinical import code_errors
from dermcover.documents.denial import Denial
from dermcover.documents.gfe import good_faith_estimate
from dermcover.documents.lmn import letter_of_medical_necessity
from dermcover.documents.pa_packet import prior_authorization_packet
from dermcover.documents.schedule import Schedule
from dermcover.engine import determine, library
from dermcover.estimate import EstimateRequest
from dermcover.i18n import DEFAULT
from dermcover.store.clinics import Permission
from dermcover.web.errors import FieldError


class DocumentKind(StrEnum):
    lmn = "lmn"
    pa_packet = "pa-packet"
    gfe = "gfe"
    appeal = "appeal"


class DocumentFormat(StrEnum):
    pdf = "pdf"
    html = "html"
    json = "json"


TITLES = {
    DocumentKind.lmn: "Letter of medical necessity",
    DocumentKind.pa_packet: "Prior-authorization packet",
    DocumentKind.gfe: "Good Faith Estimate",
    DocumentKind.appeal: "Appeal letter",
}
# The name as it reads inside a sentence ("a letter of medical necessity", "a Good Faith Estimate").
PHRASES = {
    DocumentKind.lmn: "letter of medical necessity",
    DocumentKind.pa_packet: "prior-authorization packet",
    DocumentKind.gfe: "Good Faith Estimate",
    DocumentKind.appeal: "appeal letter",
}
FILENAMES = {
    DocumentKind.lmn: "letter-of-medical-necessity",
    DocumentKind.pa_packet: "prior-authorization-packet",
    DocumentKind.gfe: "good-faith-estimate",
    DocumentKind.appeal: "appeal-letter",
}


class DocumentInputs(Contract):
    """What a document needs beyond the case."""

    schedule: Schedule | None = Field(
        default=None, description="Session dates and interval (lmn, pa-packet, gfe)."
    )
    estimate: EstimateRequest | None = Field(
        default=None, description="gfe: the prices (its `case`, if any, is not used)."
    )
    denial: Denial | None = Field(default=None, description="appeal: the denial notice.")


class DocumentRequest(DocumentInputs):
    """A document for a case that is not stored: the case travels with the request."""

    case: Case


# The input a kind cannot be written without (`build` refuses it with a 422 naming the field).
# The routes still read every kind's body as `DocumentInputs`, so that a role that may not write
# the kind is told so (403) before a missing input is; the API document gives each such kind a
# request schema of its own, in which the input is required (`schema_name`).
NEEDED_INPUT = {DocumentKind.gfe: "estimate", DocumentKind.appeal: "denial"}


def schema_name(kind: DocumentKind, *, stored: bool) -> str:
    """The name of the API document's request schema for `kind`: for a stored case (its inputs
    alone) or for a case sent with the request."""
    if kind not in NEEDED_INPUT:
        return DocumentInputs.__name__ if stored else DocumentRequest.__name__
    return camel_case(TITLES[kind]) + ("Inputs" if stored else "Request")


def with_article(phrase: str) -> str:
    """ "appeal letter" -> "an appeal letter"."""
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def camel_case(title: str) -> str:
    """ "Prior-authorization packet" -> "PriorAuthorizationPacket"."""
    return "".join(word.capitalize() for word in title.replace("-", " ").split())


def language_for(kind: DocumentKind, language: str) -> str:
    """The language a document of `kind` is written in for a reader of `language`."""
    return language if language in LANGUAGES.get(kind.value, (DEFAULT,)) else DEFAULT


def permission_for(kind: DocumentKind) -> Permission:
    """Letters are a clinician's work too; the packet and the estimate are the billing office's."""
    if kind in (DocumentKind.lmn, DocumentKind.appeal):
        return Permission.write_letters
    return Permission.write_documents


def build(
    kind: DocumentKind,
    case: Case,
    inputs: DocumentInputs,
    *,
    today: date | None = None,
    policy: str | None = None,
    language: str = DEFAULT,
) -> BaseModel:
    """The document's model; a refusal or a missing input is a FieldError (422). `language`
    is the reader's: the patient's papers are written in it, the insurer's stay in English."""
    day = today or date.today()
    determination = determine(case, policy, today=day)
    try:
        if kind is DocumentKind.gfe:
            if inputs.estimate is None:
                raise FieldError(
                    "estimate: required for a Good Faith Estimate (the prices to quote)",
                    "estimate",
                )
            return good_faith_estimate(
                case,
                inputs.estimate,
                inputs.schedule,
                today=day,
                code_issues=code_errors(determination.code_issues),
                language=language_for(kind, language),
            )
        pack = library().get(determination.policy.id)
        if kind is DocumentKind.lmn:
            return letter_of_medical_necessity(
                case, determination, pack, today=day, schedule=inputs.schedule
            )
        if kind is DocumentKind.pa_packet:
            return prior_authorization_packet(
                case, determination, pack, today=day, schedule=inputs.schedule
            )
        if inputs.denial is None:
            raise FieldError("denial: required for an appeal (the denial notice)", "denial")
        return appeal_letter(case, determination, pack, inputs.denial, today=day)
    except DocumentRefused as refusal:
        raise Refused(refusal) from None


class Refused(FieldError):
    """A document refused, with its reasons kept for a page to list."""

    def __init__(self, refusal: DocumentRefused) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal
        self.reasons = refusal.reasons

    def __reduce__(self) -> tuple[type[Refused], tuple[DocumentRefused]]:
        return Refused, (self.refusal,)  # sent back whole from a helper process (web.heavy)


def written(
    kind: DocumentKind,
    case: Case,
    inputs: DocumentInputs,
    fmt: DocumentFormat = DocumentFormat.pdf,
    *,
    today: date | None = None,
    policy: str | None = None,
    language: str = DEFAULT,
) -> Response:
    """The document built and rendered: the heavy part, which runs in a helper process."""
    document = build(kind, case, inputs, today=today, policy=policy, language=language)
    return response(kind, document, fmt, language)


def response(
    kind: DocumentKind, document: BaseModel, fmt: DocumentFormat, language: str = DEFAULT
) -> Response:
    """The document as a download, in `language` where the kind is written in it."""
    language = language_for(kind, language)
    name = FILENAMES[kind]
    if fmt is DocumentFormat.json:
        content, media = render.json_text(document).encode(), "application/json"
    elif fmt is DocumentFormat.html:
        content, media = (
            render.html(kind.value, document, language).encode(),
            "text/html; charset=utf-8",
        )
    else:
        content, media = render.pdf(kind.value, document, language), "application/pdf"
    disposition = f'attachment; filename="{name}.{fmt.value}"'
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})
