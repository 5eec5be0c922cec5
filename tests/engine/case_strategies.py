"""Generated cases for the property and differential tests: one strategy, written once.

`case_data` draws case data (JSON-ready dicts, so a test can take a field away before the case
model reads it); `cases` the same as `Case` models. The values are the ones the shipped packs'
criteria test (their diagnoses, codes and treatments), so the generated cases reach most rules.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from dermcover.case import (
    Case,
    Cause,
    ConditionKind,
    Depth,
    DocumentationItem,
    Impairment,
    Network,
    PlanType,
    ProcedureKind,
    ProviderType,
    Purpose,
    Setting,
    Severity,
    Site,
    TreatmentClass,
    TreatmentOutcome,
    UsState,
)

DIAGNOSES = [
    "L57.0", "L90.5", "L91.0", "L81.1", "L70.0", "L71.1", "L71.9", "T23.302S", "Q82.5",
    "E11.621", "L97.519", "D22.5", "C44.311", "L73.2", "L40.0", "B07.8", "l57.0",
]  # fmt: skip
CODES = [
    "15788", "15789", "15780", "15781", "17999", "0232T", "17106", "17000", "17003", "17004",
    "17110", "0479T", "0480T", "96567", "10040", "96920", "11900", "15782", "J7321",
]  # fmt: skip
TREATMENTS = [
    "fluorouracil_topical", "imiquimod", "cryotherapy", "silicone_sheeting", "isotretinoin",
    "topical_retinoid", "intralesional_steroid", "doxycycline",
]  # fmt: skip


def values(enum: Any) -> st.SearchStrategy[str]:
    return st.sampled_from([member.value for member in enum])


def some(enum: Any) -> st.SearchStrategy[list[str]]:
    return st.lists(values(enum), max_size=3, unique=True)


procedures = st.one_of(
    st.fixed_dictionaries(
        {"kind": values(ProcedureKind)},
        optional={
            "code": st.sampled_from(CODES),
            "sessions": st.integers(1, 12),
            "site": values(Site),
            "area_cm2": st.sampled_from([1.5, 10.0, 25.0, 80.0, 200.0]),
            "depth": values(Depth),
            "device_fda_cleared": st.booleans(),
            "weeks_given": st.integers(0, 30),
            "course_treatments": st.integers(1, 12),
            "claim_diagnoses": st.lists(st.sampled_from(DIAGNOSES), max_size=2, unique=True),
        },
    ),
    st.fixed_dictionaries({"code": st.sampled_from(["17000", "15788", "0479T", "96567", "10040"])}),
)

case_data = st.fixed_dictionaries(
    {"procedures": st.lists(procedures, min_size=1, max_size=3)},
    optional={
        "id": st.sampled_from(["a", "b", "c"]),
        "payer": st.fixed_dictionaries(
            {}, optional={"plan_type": values(PlanType), "network": values(Network)}
        ),
        "patient": st.one_of(
            st.fixed_dictionaries(
                {}, optional={"age": st.integers(0, 100), "state": values(UsState)}
            ),
            st.fixed_dictionaries({"birth_date": st.dates(date(1930, 1, 1), date(2020, 12, 31))}),
        ),
        "condition": st.fixed_dictionaries(
            {},
            optional={
                "diagnoses": st.lists(st.sampled_from(DIAGNOSES), max_size=3, unique=True),
                "kind": values(ConditionKind),
                "cause": values(Cause),
                "severity": values(Severity),
                "lesion_count": st.integers(0, 40),
                "months_since_onset": st.integers(0, 60),
                "days_since_injury": st.integers(0, 800),
                "body_surface_percent": st.sampled_from([0.5, 3.0, 12.0, 40.0]),
            },
        ),
        "purpose": values(Purpose),
        "impairment": some(Impairment),
        "impairment_significant": st.booleans(),
        "improvement_expected": st.booleans(),
        "prior_treatments": st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(TREATMENTS)},
                optional={"outcome": values(TreatmentOutcome), "months": st.integers(0, 12)},
            )
            | st.fixed_dictionaries(
                {"name": st.sampled_from(["compounded_cream", "clinic_protocol_b"])},
                optional={"outcome": values(TreatmentOutcome), "kind": values(TreatmentClass)},
            ),
            max_size=3,
        ),
        "documentation": some(DocumentationItem),
        "provider": st.fixed_dictionaries(
            {}, optional={"type": values(ProviderType), "setting": values(Setting)}
        ),
    },
)

cases = case_data.map(Case.model_validate)


def _naming(plan_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "payer": {**data.get("payer", {}), "plan": plan_id}}


def naming_plan(plan_id: str) -> st.SearchStrategy[Case]:
    """Generated cases that name a plan document, and so are decided under its policy with
    its exclusions first."""
    return case_data.map(lambda data: _naming(plan_id, data)).map(Case.model_validate)
