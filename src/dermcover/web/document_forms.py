"""The documents form on a case page, read into the inputs a document needs beyond the case:
the session schedule, the prices a Good Faith Estimate quotes, the denial an appeal answers."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from dermcover.case import Case
from dermcover.i18n import DEFAULT, LANGUAGES
from dermcover.inputs import describe, field_path
from dermcover.web.documents import DocumentInputs, DocumentKind
from dermcover.web.errors import FieldError


def _text(form: FormData, name: str) -> str | None:
    value = str(form.get(name) or "").strip()
    return value or None


def _schedule(form: FormData) -> dict[str, Any] | None:
    schedule: dict[str, Any] = {}
    for name in ("scheduled_on", "requested_on", "first_session", "location"):
        if _text(form, name):
            schedule[name] = _text(form, name)
    every = _text(form, "interval_every")
    if every:
        schedule["interval"] = {"every": every, "unit": _text(form, "interval_unit") or "weeks"}
    if form.get("nothing_separate"):
        schedule["separately_scheduled"] = []
    if form.get("self_pay_requested"):
        schedule["self_pay_requested"] = True
    return schedule or None


def _estimate(form: FormData) -> dict[str, Any] | None:
    prices: dict[str, Any] = {}
    if _text(form, "self_pay"):
        prices["self_pay"] = _text(form, "self_pay")
    if _text(form, "package_sessions") and _text(form, "package_price"):
        prices["package"] = {
            "sessions": _text(form, "package_sessions"),
            "price": _text(form, "package_price"),
        }
    return {"prices": prices} if prices else None


def _denial(form: FormData, case: Case) -> dict[str, Any] | None:
    if not _text(form, "denial_date"):
        return None
    codes = _text(form, "denial_codes")
    denial: dict[str, Any] = {
        "date": _text(form, "denial_date"),
        "reason": _text(form, "denial_reason") or "other",
        "plan_type": case.payer.plan_type.value if case.payer and case.payer.plan_type else None,
        "codes": codes.replace(",", " ").split() if codes else [],
    }
    for field, name in (
        ("received_on", "denial_received_on"),
        ("reason_text", "denial_reason_text"),
        ("reference", "denial_reference"),
    ):
        if _text(form, name):
            denial[field] = _text(form, name)
    return denial


def patient_language(form: FormData) -> str:
    """The language the patient reads, for the estimate (letters to the plan stay English)."""
    language = _text(form, "patient_language") or DEFAULT
    if language not in LANGUAGES:
        allowed = ", ".join(LANGUAGES)
        raise FieldError(
            f"patient_language: {language!r} is not a language dermcover writes; allowed: "
            f"{allowed}",
            "patient_language",
        )
    return language


def document_inputs(kind: DocumentKind, form: FormData, case: Case) -> DocumentInputs:
    data: dict[str, Any] = {"schedule": _schedule(form)}
    if kind is DocumentKind.gfe:
        data["estimate"] = _estimate(form)
    if kind is DocumentKind.appeal:
        data["denial"] = _denial(form, case)
    try:
        return DocumentInputs.model_validate(data)
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        raise FieldError(describe(exc, DocumentInputs, "documents form"), field_path(loc)) from None
