"""Who a document is about, from and to, and the case fields each document cannot do without.

A document that needs a field the case leaves out is refused, naming the field by its path in the
case (`provider.npi`), so the person fixing it knows exactly what to add.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, ConfigDict

from dermcover.case import Case
from dermcover.documents import labels


class Part(BaseModel):
    """Base of every piece of a document: plain, immutable data a template prints."""

    model_config = ConfigDict(frozen=True)


class PatientBlock(Part):
    name: str
    birth_date: date | None = None
    member_id: str | None = None


class ProviderBlock(Part):
    name: str
    credentials: str | None = None
    npi: str | None = None
    tin: str | None = None
    organization: str | None = None
    address: str | None = None
    state: str | None = None
    phone: str | None = None
    specialty: str | None = None
    setting: str | None = None

    @property
    def signed_name(self) -> str:
        """`Dana Reyes, MD`."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class PlanBlock(Part):
    name: str
    plan_type: str | None = None
    member_id: str | None = None


# Each field a document may need: its path in the case and how to read it.
_READERS: dict[str, Callable[[Case], object]] = {
    "patient.name": lambda c: c.patient.name if c.patient else None,
    "patient.birth_date": lambda c: c.patient.birth_date if c.patient else None,
    "payer.member_id": lambda c: c.payer.member_id if c.payer else None,
    "provider.name": lambda c: c.provider.name if c.provider else None,
    "provider.credentials": lambda c: c.provider.credentials if c.provider else None,
    "provider.npi": lambda c: c.provider.npi if c.provider else None,
    "provider.tin": lambda c: c.provider.tin if c.provider else None,
    "provider.address": lambda c: c.provider.address if c.provider else None,
    "provider.state": lambda c: c.provider.state if c.provider else None,
    "provider.phone": lambda c: c.provider.phone if c.provider else None,
}


MISSING = "%(path)s is missing"  # a refusal reason, translated on the patient pages


def missing_fields(case: Case, needed: tuple[str, ...]) -> list[str]:
    """The `needed` case fields that are absent or blank, each as a refusal reason."""
    reasons = []
    for path in needed:
        value = _READERS[path](case)
        if value is None or (isinstance(value, str) and not value.strip()):
            reasons.append(MISSING % {"path": path})
    return reasons


def patient_block(case: Case) -> PatientBlock:
    patient = case.patient
    return PatientBlock(
        name=(patient.name if patient and patient.name else "").strip(),
        birth_date=patient.birth_date if patient else None,
        member_id=case.payer.member_id if case.payer else None,
    )


def provider_block(case: Case) -> ProviderBlock:
    provider = case.provider
    if provider is None:
        return ProviderBlock(name="")
    return ProviderBlock(
        name=(provider.name or "").strip(),
        credentials=provider.credentials,
        npi=provider.npi,
        tin=provider.tin,
        organization=provider.organization,
        address=provider.address,
        state=provider.state,
        phone=provider.phone,
        specialty=labels.capitalised(labels.provider_type(provider.type))
        if provider.type
        else None,
        setting=labels.setting(provider.setting) if provider.setting else None,
    )


def plan_block(case: Case, payer_name: str) -> PlanBlock:
    """The plan: its own name when the case gives one, else the policy pack's payer."""
    payer = case.payer
    return PlanBlock(
        name=payer.plan_name if payer and payer.plan_name else payer_name,
        plan_type=labels.words(payer.plan_type) if payer and payer.plan_type else None,
        member_id=payer.member_id if payer else None,
    )
