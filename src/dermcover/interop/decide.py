"""One order through the engine: the case FHIR gave, plus what a completed questionnaire added
earlier for the same patient and codes, decided under the payer's pack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from dermcover.case import Case
from dermcover.determination import Determination
from dermcover.engine import determine
from dermcover.engine.library import PolicyLibrary
from dermcover.interop.coverage_info import CoverageAnswer, answer_for, undecidable
from dermcover.interop.mapping import OrderCase
from dermcover.store.prior_auths import CoverageAssertions


@dataclass(frozen=True)
class OrderAnswer:
    order: OrderCase
    subject: str
    case: Case | None
    determination: Determination | None
    answer: CoverageAnswer


def subject_of(patient_id: str | None, codes: list[str]) -> str:
    """What identifies "the same order" across CRD, DTR and PAS: the patient and the codes."""
    return f"{patient_id or '?'}|{','.join(sorted(codes))}"


def merged(known: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """`known` with every fact of `given` over it: what the EHR says now wins, what only an
    earlier answer said is kept."""
    out = dict(known)
    for key, value in given.items():
        before = out.get(key)
        if isinstance(value, dict) and isinstance(before, dict):
            out[key] = merged(before, value)
        elif (
            isinstance(value, list)
            and isinstance(before, list)
            and len(value) == len(before)
            and all(isinstance(v, dict) for v in [*value, *before])
        ):
            out[key] = [merged(b, v) for b, v in zip(before, value, strict=True)]
        else:
            out[key] = value
    return out


def with_known(case: Case, earlier: Case | None) -> Case:
    if earlier is None:
        return case
    document = merged(
        earlier.model_dump(mode="json", exclude_none=True),
        case.model_dump(mode="json", exclude_none=True),
    )
    try:
        return Case.model_validate(document)
    except ValidationError:
        return case


def decide_order(
    order: OrderCase,
    patient_id: str | None,
    *,
    today: date,
    assertions: CoverageAssertions | None,
    packs: PolicyLibrary | None = None,
) -> OrderAnswer:
    subject = subject_of(patient_id, order.codes)
    if order.case is None:
        return OrderAnswer(
            order, subject, None, None, undecidable(order.why or "no policy applies")
        )
    earlier = assertions.answered_for(subject) if assertions is not None else None
    case = with_known(order.case, earlier.case if earlier else None)
    determination = determine(case, today=today, packs=packs)
    return OrderAnswer(order, subject, case, determination, answer_for(determination))
