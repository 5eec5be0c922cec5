"""`dermcover document KIND CASE --out FILE`: the letter, the packet, the estimate, the appeal."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dermcover.cli.app import app, console
from dermcover.cli.coverage import CaseArgument, PolicyOption, read_case

if TYPE_CHECKING:
    from pydantic import BaseModel

    from dermcover.case import Case


class DocumentKind(StrEnum):
    lmn = "lmn"
    pa_packet = "pa-packet"
    gfe = "gfe"
    appeal = "appeal"


FORMATS = (".pdf", ".html", ".json")


def _required(path: Path | None, option: str, kind: DocumentKind, what: str) -> Path:
    from dermcover.inputs import InputError

    if path is None:
        raise InputError(f"{option} is required for `document {kind.value}`: {what}")
    return path


SCHEDULE_HINT = (
    "give the sessions' plan with --schedule FILE, a YAML file such as "
    "`interval: {every: 6, unit: weeks}` (and `first_session: YYYY-MM-DD` if booked); "
    "see examples/schedule-burn-laser.yaml"
)


def build(
    kind: DocumentKind,
    case: Case,
    *,
    today: date,
    policy: str | None = None,
    estimate: Path | None = None,
    denial: Path | None = None,
    schedule: Path | None = None,
    language: str = "en",
) -> BaseModel:
    """The document model; a refusal becomes an input error (one line, exit status 2)."""
    # Each kind imports only its own document module: a letter does not load the calendars.
    from dermcover.documents import DocumentRefused
    from dermcover.documents.schedule import Schedule
    from dermcover.engine import determine, library
    from dermcover.inputs import InputError, load_model

    plan = load_model(Schedule, schedule) if schedule is not None else None
    determination = determine(case, policy, today=today)
    try:
        if kind is DocumentKind.gfe:
            from dermcover.documents.clinical import code_errors
            from dermcover.documents.gfe import good_faith_estimate
            from dermcover.estimate import EstimateRequest

            request = load_model(
                EstimateRequest,
                _required(estimate, "--estimate", kind, "the estimate request with the prices"),
            )
            return good_faith_estimate(
                case,
                request,
                plan,
                today=today,
                code_issues=code_errors(determination.code_issues),
                language=language,
            )
        pack = library().get(determination.policy.id)
        if kind is DocumentKind.lmn:
            from dermcover.documents.lmn import letter_of_medical_necessity

            return letter_of_medical_necessity(
                case, determination, pack, today=today, schedule=plan
            )
        if kind is DocumentKind.pa_packet:
            from dermcover.documents.pa_packet import prior_authorization_packet

            return prior_authorization_packet(case, determination, pack, today=today, schedule=plan)
        from dermcover.documents.appeal import appeal_letter
        from dermcover.documents.denial import Denial

        notice = load_model(
            Denial, _required(denial, "--denial", kind, "the denial notice as YAML or JSON")
        )
        return appeal_letter(case, determination, pack, notice, today=today)
    except DocumentRefused as refusal:
        message = str(refusal)
        if schedule is None and any(r.startswith("schedule.") for r in refusal.reasons):
            message += f"; {SCHEDULE_HINT}"
        raise InputError(message) from None


def check_language(kind: DocumentKind, language: str) -> None:
    """`--lang`: a language dermcover writes, and one this kind of document is written in."""
    from dermcover.documents import LANGUAGES
    from dermcover.inputs import InputError

    if language not in ("en", "es"):
        raise InputError(f"--lang {language}: unknown language; allowed: en, es")
    if language not in LANGUAGES[kind.value]:
        raise InputError(
            f"--lang {language}: `document {kind.value}` goes to the insurer and is written in "
            "English only; the Good Faith Estimate (gfe) is written in English or Spanish"
        )


def write(kind: DocumentKind, document: BaseModel, out: Path, language: str = "en") -> list[Path]:
    """Write `document` as `out`'s suffix says; a PDF packet gets its JSON beside it."""
    from dermcover.documents import render

    written = [out]
    if out.suffix == ".json":
        out.write_text(render.json_text(document), encoding="utf-8")
    elif out.suffix == ".html":
        out.write_text(render.html(kind.value, document, language), encoding="utf-8")
    else:
        out.write_bytes(render.pdf(kind.value, document, language))
        if kind is DocumentKind.pa_packet:
            beside = out.with_suffix(".json")
            beside.write_text(render.json_text(document), encoding="utf-8")
            written.append(beside)
    return written


@app.command()
def document(
    kind: Annotated[
        DocumentKind,
        typer.Argument(
            help="lmn (letter of medical necessity), pa-packet (prior-authorization packet), "
            "gfe (Good Faith Estimate) or appeal."
        ),
    ],
    case: CaseArgument,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Where to write it: .pdf, .html or .json."),
    ],
    estimate: Annotated[
        Path | None,
        typer.Option(help="gfe: the estimate request (prices, package) as YAML or JSON."),
    ] = None,
    denial: Annotated[
        Path | None,
        typer.Option(help="appeal: the denial (date, reason, plan type, codes) as YAML or JSON."),
    ] = None,
    schedule: Annotated[
        Path | None,
        typer.Option(
            help="Dates and interval of the sessions (lmn, pa-packet, gfe); gfe: booking date, "
            "care scheduled separately."
        ),
    ] = None,
    policy: PolicyOption = None,
    dated: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="The document's date; default: today."),
    ] = None,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="The patient's language for the Good Faith Estimate: en or es. Letters to the "
            "insurer are in English.",
        ),
    ] = "en",
) -> None:
    """Write CASE's letter of medical necessity, prior-auth packet, Good Faith Estimate or appeal.

    Refuses, saying why, when the document cannot honestly be written."""
    from dermcover.inputs import InputError

    if out.suffix not in FORMATS:
        raise InputError(
            f"--out {out}: unknown file type {out.suffix!r}; allowed: .pdf, .html, .json"
        )
    if not out.parent.is_dir():
        raise InputError(f"--out {out}: the folder {out.parent} does not exist")
    check_language(kind, lang)
    today = dated.date() if dated is not None else date.today()
    built = build(
        kind,
        read_case(case),
        today=today,
        policy=policy,
        estimate=estimate,
        denial=denial,
        schedule=schedule,
        language=lang,
    )
    for path in write(kind, built, out, lang):
        console.print(f"wrote {path}", highlight=False, soft_wrap=True)
    left_out = getattr(built, "left_out", None)
    for note in left_out or []:
        console.print(f"left out: {note}", highlight=False)
