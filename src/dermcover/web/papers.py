"""The papers a patient can take away from the check: their answers as a case file, and the
letter of medical necessity or the Good Faith Estimate where one applies.

The details a paper must carry (name, birth date, the clinic's NPI and tax ID, the codes) are
asked only here, go into a copy of the case for this one download, and are kept nowhere.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from dermcover.case import Case
from dermcover.determination import Determination, Outcome
from dermcover.documents.schedule import Schedule
from dermcover.web.documents import DocumentInputs, DocumentKind
from dermcover.web.questions import AnswerError, set_path

# Form field -> case field, for the details a paper needs.
PAPER_FIELDS = {
    "patient_name": "patient.name",
    "birth_date": "patient.birth_date",
    "plan_type": "payer.plan_type",
    "provider_name": "provider.name",
    "provider_credentials": "provider.credentials",
    "provider_npi": "provider.npi",
    "provider_tin": "provider.tin",
    "provider_address": "provider.address",
    "provider_state": "provider.state",
    "procedure_code": "procedures[0].code",
}


def papers_that_apply(determination: Determination, insured: bool) -> list[DocumentKind]:
    """A letter where the policy supports coverage; an estimate where the patient pays."""
    kinds = []
    if any(line.outcome.is_covered for line in determination.lines):
        kinds.append(DocumentKind.lmn)
    if not insured or any(
        line.outcome not in (Outcome.covered, Outcome.covered_with_prior_auth)
        for line in determination.lines
    ):
        kinds.append(DocumentKind.gfe)
    return kinds


def case_for_paper(case: dict[str, Any], form: Mapping[str, Any]) -> Case:
    """A copy of the case with the paper's details filled in; nothing is kept."""
    filled = copy.deepcopy(case)
    for name, path in PAPER_FIELDS.items():
        value = str(form.get(name) or "").strip()
        if value:
            set_path(filled, path, value)
    diagnoses = str(form.get("diagnoses") or "").replace(",", " ").split()
    if diagnoses:
        set_path(filled, "condition.diagnoses", diagnoses)
    try:
        return Case.model_validate(filled)
    except ValidationError as exc:
        raise AnswerError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None


def paper_schedule(form: Mapping[str, Any], *, self_pay: bool) -> Schedule | None:
    data: dict[str, Any] = {"separately_scheduled": []}
    for name in ("scheduled_on", "first_session"):
        value = str(form.get(name) or "").strip()
        if value:
            data[name] = value
    every = str(form.get("every_weeks") or "").strip()
    if every:
        data["interval"] = {"every": every, "unit": "weeks"}
    if self_pay:
        data["self_pay_requested"] = True
    try:
        return DocumentInputs.model_validate({"schedule": data}).schedule
    except ValidationError as exc:
        raise AnswerError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
