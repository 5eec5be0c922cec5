"""What the storage tests share besides fixtures: the example cases, the date, the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from dermcover.case import Case
from dermcover.inputs import load_model
from dermcover.store.audit import AuditLog
from dermcover.store.cases import CaseRepository
from dermcover.store.database import Sessions
from dermcover.store.users import UserRepository

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BURN_FIXTURE = ROOT / "policies" / "generic" / "fixtures" / "burn-contracture-covered.yaml"
TODAY = date(2026, 11, 22)
MISSING = "00000000-0000-4000-8000-000000000000"  # a case id no case has


def example(name: str) -> Case:
    return load_model(Case, EXAMPLES / name)


def burn_case() -> Case:
    """A burn scar that restricts the hand: the generic pack's fixture says covered once prior
    authorization is approved. Given a reference and a patient's name, as a clinic would."""
    fixture = yaml.safe_load(BURN_FIXTURE.read_text(encoding="utf-8"))
    return Case.model_validate(
        {**fixture["case"], "id": "burn-hand-01", "patient": {"name": "Jordan Ellis", "age": 37}}
    )


@dataclass(frozen=True)
class Store:
    cases: CaseRepository
    users: UserRepository
    audit: AuditLog
    sessions: Sessions
