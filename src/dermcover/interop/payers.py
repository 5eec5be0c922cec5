"""Which policy pack answers for a coverage: a configuration file maps payer identifiers (and,
optionally, the plan named on the coverage) to a pack, a plan type and the name shown to the
clinician.

The file is YAML or JSON, named by $DERMCOVER_PAYERS_FILE (default: the bundled `payers.yaml`):

    payers:
      - name: Cascade Health Plan            # shown as the card's source label
        identifiers: ["http://example.org/payer-id|CHP"]   # system|value, or a bare value
        references: ["Organization/chp"]     # the Coverage.payor reference, as the EHR sends it
        plans: ["Gold PPO"]                  # optional: Coverage.class values (any case)
        policy: aetna                        # the pack
        plan_type: commercial
    default: {name: Your health plan, policy: generic}   # optional: when nothing matches

The first entry whose payer and plan both match wins. Without a match and without a default the
coverage has no pack, and the answer says so rather than guessing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from dermcover.case import Network, PlanType
from dermcover.engine import library
from dermcover.inputs import InputError, load_model
from dermcover.interop.clinical import ClinicalData, listed
from dermcover.interop.fhir import JsonObject, reference_of, relative

PAYERS_ENV = "DERMCOVER_PAYERS_FILE"
BUNDLED = Path(__file__).with_name("payers.yaml")


class PayerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=120)
    identifiers: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    plans: list[str] = Field(default_factory=list)
    policy: str
    plan_type: PlanType | None = None
    network: Network | None = None


class PayerDirectory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    payers: list[PayerEntry] = Field(default_factory=list)
    default: PayerEntry | None = None

    def check_packs(self, source: str) -> None:
        packs = library().packs
        entries = [*self.payers, *([self.default] if self.default else [])]
        for entry in entries:
            if entry.policy not in packs:
                raise InputError(
                    f"{source}: payer {entry.name!r}: policy = {entry.policy!r} is not a pack; "
                    f"allowed: {', '.join(sorted(packs))}"
                )

    def match(self, coverage: JsonObject | None, data: ClinicalData) -> PayerEntry | None:
        if coverage is None:
            return None
        keys = set(_payer_keys(coverage, data))
        plans = {value.casefold() for value in _plan_values(coverage)}
        for entry in self.payers:
            named = keys & ({*entry.identifiers, *(relative(r) for r in entry.references)})
            if not named and (entry.identifiers or entry.references):
                continue
            if not (entry.identifiers or entry.references) and not entry.plans:
                continue
            if entry.plans and not plans & {plan.casefold() for plan in entry.plans}:
                continue
            return entry
        return self.default


def _payer_keys(coverage: JsonObject, data: ClinicalData) -> Iterable[str]:
    for payor in listed(coverage.get("payor")):
        reference = reference_of(payor)
        if reference:
            yield relative(reference)
        identifiers = [payor.get("identifier")] if isinstance(payor, dict) else []
        organization = data.resolve(payor)
        if organization is not None:
            identifiers += listed(organization.get("identifier"))
        for identifier in identifiers:
            if isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
                yield identifier["value"]
                if isinstance(identifier.get("system"), str):
                    yield f"{identifier['system']}|{identifier['value']}"


def _plan_values(coverage: JsonObject) -> Iterable[str]:
    for item in listed(coverage.get("class")):
        if isinstance(item, dict):
            for key in ("value", "name"):
                if isinstance(item.get(key), str):
                    yield item[key]


def payers_file() -> Path:
    configured = os.environ.get(PAYERS_ENV)
    return Path(configured) if configured else BUNDLED


@cache
def _load(path: Path) -> PayerDirectory:
    directory = load_model(PayerDirectory, path)
    directory.check_packs(str(path))
    return directory


def payer_directory(path: Path | None = None) -> PayerDirectory:
    """The payer-to-pack map, read once per file; an InputError names a bad entry."""
    return _load((path or payers_file()).resolve())
