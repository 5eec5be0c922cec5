"""The prior-authorization packet: what a clinic faxes or uploads to ask the plan for approval.

A cover sheet (who asks, for whom, for what, under which policy), the letter of medical necessity,
the documentation checklist (each item present or missing), the codes, the policy criteria met,
and what to attach. The same model is written as JSON for systems that file requests.

The packet asks only for lines that need prior authorization under the policy. It is refused
where there is nothing honest to ask for: no line supported as medically necessary, no line that
needs prior authorization, or a request already decided or pending.
"""

from __future__ import annotations

from datetime import date

from dermcover.case import Case, DocumentationItem, PriorAuthStatus
from dermcover.determination import Determination, Outcome
from dermcover.documents import labels
from dermcover.documents.clinical import CodedItem, ProcedureItem
from dermcover.documents.lmn import (
    NEEDED_FIELDS as LETTER_FIELDS,
)
from dermcover.documents.lmn import (
    LetterOfMedicalNecessity,
    letter_of_medical_necessity,
    refuse_unsupported,
)
from dermcover.documents.parties import Part, ProviderBlock, missing_fields
from dermcover.documents.refusal import DocumentRefused, refuse_if
from dermcover.documents.schedule import Schedule
from dermcover.engine.pack import Pack

DOCUMENT = "prior-authorization packet"

# A plan matches a request to its member by ID and calls the office back about it.
NEEDED_FIELDS = (*LETTER_FIELDS, "payer.member_id", "provider.phone")


class ChecklistItem(Part):
    item: DocumentationItem
    label: str
    status: str  # present | missing | included (this packet carries it)
    why: str | None


class CriterionMet(Part):
    procedure: str
    text: str
    citation: str


class PriorAuthorizationPacket(Part):
    prepared_on: date
    policy_id: str
    letter: LetterOfMedicalNecessity
    procedures: list[ProcedureItem]
    diagnoses: list[CodedItem]
    first_session: date | None
    checklist: list[ChecklistItem]
    criteria_met: list[CriterionMet]
    attach: list[str]
    to_obtain: list[str]

    @property
    def complete(self) -> bool:
        """Every document the checklist asks for is on file or in the packet."""
        return not self.to_obtain

    @property
    def provider(self) -> ProviderBlock:
        return self.letter.provider


def _status_reasons(case: Case) -> list[str]:
    authorization = case.prior_authorization
    status = authorization.status if authorization is not None else None
    reference = (
        f" (reference {authorization.reference})"
        if authorization is not None and authorization.reference
        else ""
    )
    if status is PriorAuthStatus.approved:
        return [f"prior authorization is already approved{reference}; nothing to request"]
    if status is PriorAuthStatus.pending:
        return [f"a prior-authorization request is already pending{reference}; wait for it"]
    if status is PriorAuthStatus.denied:
        return [
            f"prior authorization was denied{reference}; write an appeal instead "
            "(`dermcover document appeal CASE --denial FILE`)"
        ]
    return []


def prior_authorization_packet(
    case: Case,
    determination: Determination,
    pack: Pack,
    *,
    today: date,
    schedule: Schedule | None = None,
) -> PriorAuthorizationPacket:
    """The packet for the lines of `case` that need prior authorization, or `DocumentRefused`."""
    refuse_if(DOCUMENT, _status_reasons(case))
    supported = refuse_unsupported(DOCUMENT, determination)
    needing = [
        i for i in supported if determination.lines[i].outcome is Outcome.covered_with_prior_auth
    ]
    if not needing:
        raise DocumentRefused(
            DOCUMENT,
            [f"no procedure needs prior authorization under {determination.policy.title}"],
        )
    refuse_if(DOCUMENT, missing_fields(case, NEEDED_FIELDS))
    letter = letter_of_medical_necessity(case, determination, pack, today=today, schedule=schedule)
    requested = [item for item in letter.requested if item.prior_authorization_required]
    letter = letter.model_copy(update={"requested": requested})
    checklist = [
        ChecklistItem(
            item=check.item,
            label=labels.capitalised(labels.words(check.item)),
            status="included"
            if check.item is DocumentationItem.letter_of_medical_necessity
            else check.status,
            why=check.why,
        )
        for check in determination.documentation
    ]
    criteria_met = [
        CriterionMet(
            procedure=item.procedure.kind, text=criterion.text, citation=criterion.citation
        )
        for item in requested
        for criterion in item.criteria
    ]
    listed = {entry.item for entry in checklist}
    attach = [
        "This cover sheet and the letter of medical necessity (signed)",
        *(
            f"{entry.label}: {entry.why}" if entry.why else entry.label
            for entry in checklist
            if entry.status == "present"
        ),
        *(
            labels.capitalised(labels.words(item))
            for item in case.documentation or []
            if item not in listed
        ),
    ]
    return PriorAuthorizationPacket(
        prepared_on=today,
        policy_id=determination.policy.id,
        letter=letter,
        procedures=[item.procedure for item in requested],
        diagnoses=letter.diagnoses,
        first_session=schedule.first_session if schedule is not None else None,
        checklist=checklist,
        criteria_met=criteria_met,
        attach=attach,
        to_obtain=[entry.label for entry in checklist if entry.status == "missing"],
    )
