"""Every question the engine can put to a person asks one thing: one question mark, at the end."""

from __future__ import annotations

import pytest

from dermcover.case import Case
from dermcover.engine import determine, library
from dermcover.engine.facts import FACTS
from dermcover.engine.plans import plan_library


def _every_question() -> list[tuple[str, str]]:
    asks = [(f"fact {name}", fact.ask) for name, fact in FACTS.items()]
    asks += [(f"fact {name}", fact.patient_ask) for name, fact in FACTS.items() if fact.patient_ask]
    documents = [pack.spec for pack in library().packs.values()]
    documents += [plan.spec for plan in plan_library().plans.values()]
    for document in documents:
        for criterion_id, criterion in document.criteria.items():
            for ask in (criterion.ask, criterion.patient_ask):
                if ask:
                    asks.append((criterion_id, ask))
    return asks


@pytest.mark.parametrize(("where", "ask"), _every_question())
def test_a_question_asks_one_thing(where: str, ask: str) -> None:
    assert ask.count("?") == 1, f"{where}: {ask!r} asks more than one thing"


def test_a_technical_question_carries_plain_words_for_the_patient() -> None:
    """The criterion's own plain version goes with its own wording; the fact's with the fact's."""
    case = Case.model_validate(
        {
            "payer": {"policy": "aetna", "plan_type": "commercial"},
            "procedures": [{"kind": "chemical_peel", "depth": "dermal", "site": "face"}],
            "condition": {"kind": "actinic_keratosis", "lesion_count": 20},
            "purpose": "disease_treatment",
        }
    )
    asked = {q.field: q for q in determine(case).questions}
    tried = asked["prior_treatments"]
    assert "contraindicated" in tried.ask
    assert tried.patient_ask is not None and "contraindicated" not in tried.patient_ask
    assert "could not be used for a medical reason" in tried.patient_ask

    wound = Case.model_validate(
        {
            "payer": {"policy": "medicare", "plan_type": "medicare"},
            "procedures": [{"kind": "prp_wound_gel", "device_fda_cleared": True}],
            "condition": {"kind": "diabetic_ulcer"},
        }
    )
    weeks = next(q for q in determine(wound).questions if q.field.endswith("weeks_given"))
    assert weeks.ask == FACTS["weeks_given"].ask
    assert weeks.patient_ask == FACTS["weeks_given"].patient_ask
    # A question that reads plainly has no second wording.
    plain = next(q for q in determine(wound).questions if q.field == "purpose")
    assert plain.patient_ask is None
