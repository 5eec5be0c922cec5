"""A note's proposals as the review page shows them, and the accepted ones as case-form values.

Each proposal is one row of the review form, numbered: `use` (ticked when the reader prefers
it), and the value as an editable control, so staff accept, correct or drop each one. What they
accept becomes the new-case form's values; nothing is saved until they save that form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dermcover.notes.proposals import Proposal, TreatmentTried
from dermcover.web.case_form import Choice, all_fields, build_form
from dermcover.web.labels import field_label, label

# The note reader's field for one procedure or treatment, and the case form's field for it.
FORM_NAMES = {"procedures.kind": "procedures[0].kind", "procedures.site": "procedures[0].site"}
LISTS = ("impairment", "documentation", "condition.diagnoses")


@dataclass(frozen=True)
class ReviewRow:
    number: int
    field: str
    heading: str
    value: str
    choices: list[Choice]
    proposal: Proposal
    treatment: TreatmentTried | None = None

    @property
    def shown(self) -> str:
        if self.treatment is not None:
            return label(self.treatment.name)
        chosen = next((c.label for c in self.choices if c.value == self.value), None)
        return chosen or self.value


def _choices() -> dict[str, list[Choice]]:
    return {f.path: f.choices for f in all_fields(build_form({})) if f.choices}


def review_rows(proposals: Sequence[Proposal]) -> list[ReviewRow]:
    choices = _choices()
    rows = []
    for number, proposal in enumerate(proposals):
        value = proposal.value
        treatment = value if isinstance(value, TreatmentTried) else None
        heading = field_label(FORM_NAMES.get(proposal.field, proposal.field))
        if proposal.field.startswith("procedures."):
            heading = field_label(proposal.field.removeprefix("procedures."))
            heading = f"Procedure: {heading.lower()}"
        rows.append(
            ReviewRow(
                number=number,
                field=proposal.field,
                heading=heading,
                value="" if treatment is not None else str(value),
                choices=choices.get(proposal.field, []),
                proposal=proposal,
                treatment=treatment,
            )
        )
    return rows


def accepted_values(form: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The case form's values from the rows ticked on the review form, as corrected there."""
    values: dict[str, list[str]] = {}
    treatments = 0
    for number in sorted({int(n) for n in form.get("use", []) if n.isdigit()}):
        field = _one(form, f"field_{number}")
        if field == "prior_treatments":
            name = _one(form, f"name_{number}")
            if not name:
                continue
            row = f"prior_treatments[{treatments}]"
            values[f"{row}.name"] = [name]
            values[f"{row}.outcome"] = [_one(form, f"outcome_{number}")]
            values[f"{row}.months"] = [_one(form, f"months_{number}")]
            treatments += 1
            continue
        value = _one(form, f"value_{number}")
        if not value or not field:
            continue
        name = FORM_NAMES.get(field, field)
        if field in LISTS:
            values.setdefault(name, []).append(value)
        else:
            values.setdefault(name, [value])  # a field of one value: the first ticked wins
    if "condition.diagnoses" in values:
        values["condition.diagnoses"] = [", ".join(values["condition.diagnoses"])]
    return values


def _one(form: Mapping[str, Sequence[str]], key: str) -> str:
    found = form.get(key) or [""]
    return found[0].strip()
