"""The engine's answer for one order as CRD 2.0.1's coverage-information extension.

Three-valued honesty: a line the engine decided becomes `covered` or `not-covered`; a line still
waiting on facts becomes `conditional`, with what is needed (`info-needed`, `doc-needed`) and, where
a form can settle it, the DTR questionnaire to complete. An order no pack can judge is
`conditional` too, with the reason in words, never a guess.

Rules of the 2.0.1 profile kept here: `pa-needed` whenever `covered` is not `not-covered`, and
never for `not-covered` (crd-ci-q2 as published, and its prose); `info-needed` only beside a
`conditional` (q3); a questionnaire only with `doc-needed` (q1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dermcover.determination import Determination, Outcome, PriorAuthorizationNeed, Question
from dermcover.interop.fhir import JsonObject

COVERAGE_INFO = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"

# Case fields whose questions CRD names with its own info-needed codes.
INFO_NEEDED = {"provider.type": "performer", "provider.setting": "location"}


@dataclass(frozen=True)
class CoverageAnswer:
    covered: str
    pa_needed: str | None
    reason: str
    doc_needed: str | None = None
    doc_purpose: list[str] = field(default_factory=list)
    info_needed: list[str] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return self.covered != "conditional"

    @property
    def needs_form(self) -> bool:
        return bool(self.questions) or bool(
            self.missing_documents and self.pa_needed == "auth-needed"
        )


def undecidable(why: str) -> CoverageAnswer:
    """No pack can judge the order: say so, and what would let one."""
    return CoverageAnswer("conditional", "conditional", why[:300], info_needed=["OTH"])


def answer_for(determination: Determination) -> CoverageAnswer:
    """The coverage answer for every line of one order's case."""
    lines = determination.lines
    outcomes = {line.outcome for line in lines}
    missing = [
        f"{check.item.value.replace('_', ' ')}"
        for check in determination.documentation
        if check.status == "missing"
    ]
    reasons = [reason for line in lines for reason in line.reasons]
    reason = reasons[0] if reasons else determination.outcome.value.replace("_", " ")
    if Outcome.insufficient_information in outcomes or (
        any(o.is_covered for o in outcomes) and not all(o.is_covered for o in outcomes)
    ):
        info = sorted({INFO_NEEDED.get(q.field, "OTH") for q in determination.questions} or {"OTH"})
        return CoverageAnswer(
            "conditional",
            "conditional",
            reason,
            doc_needed="clinical",
            doc_purpose=["withpa"],
            info_needed=info,
            missing_documents=missing,
            questions=list(determination.questions),
        )
    if not any(o.is_covered for o in outcomes):
        return CoverageAnswer("not-covered", None, reason)
    needs = {line.prior_authorization for line in lines}
    if PriorAuthorizationNeed.required in needs:
        return CoverageAnswer(
            "covered",
            "auth-needed",
            reason,
            doc_needed="clinical",
            doc_purpose=["withpa"],
            missing_documents=missing,
        )
    if PriorAuthorizationNeed.unknown in needs:
        return CoverageAnswer(
            "covered", "conditional", reason, info_needed=["OTH"], missing_documents=missing
        )
    if missing:
        return CoverageAnswer(
            "covered",
            "no-auth",
            reason,
            doc_needed="clinical",
            doc_purpose=["withclaim"],
            missing_documents=missing,
        )
    return CoverageAnswer("covered", "no-auth", reason)


def extension(
    answer: CoverageAnswer,
    *,
    coverage: str,
    assertion_id: str,
    today: date,
    questionnaire: str | None = None,
) -> JsonObject:
    """The ext-coverage-information extension (sub-extensions in the profile's order)."""
    parts: list[JsonObject] = [
        {"url": "coverage", "valueReference": {"reference": coverage}},
        {"url": "covered", "valueCode": answer.covered},
    ]
    if answer.pa_needed is not None and answer.covered != "not-covered":
        parts.append({"url": "pa-needed", "valueCode": answer.pa_needed})
    if answer.doc_needed is not None:
        parts.append({"url": "doc-needed", "valueCode": answer.doc_needed})
        parts += [{"url": "doc-purpose", "valueCode": purpose} for purpose in answer.doc_purpose]
    if "conditional" in (answer.covered, answer.pa_needed, answer.doc_needed):
        parts += [{"url": "info-needed", "valueCode": code} for code in answer.info_needed]
    parts.append({"url": "reason", "valueCodeableConcept": {"text": answer.reason}})
    if questionnaire is not None and answer.doc_needed is not None:
        parts.append({"url": "questionnaire", "valueCanonical": questionnaire})
    parts.append({"url": "date", "valueDate": today.isoformat()})
    parts.append({"url": "coverage-assertion-id", "valueString": assertion_id})
    return {"url": COVERAGE_INFO, "extension": parts}
