"""The facts a policy pack may test, and how each is read from a case.

A pack's criteria name facts (`lesion_count`, `cause`, `impairment`...) and a test on each
(`at_least: 15`, `in: [burn, trauma]`). This module is the whole vocabulary: every fact says which
case fields it reads (so the engine knows what to ask when it is unknown) and which tests it
accepts. Tests are plain data, never Python callables inside packs, so that a pack can later be
compiled to dataframe expressions for batch runs.

Three-valued throughout: a fact the case does not give reads as None and every test on it is
unknown. An empty list is a known "none".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from dermcover.case import (
    Case,
    Cause,
    ConditionKind,
    Depth,
    DocumentationItem,
    Impairment,
    Network,
    PlanType,
    Procedure,
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
from dermcover.codes.conditions import infer_condition_kind
from dermcover.codes.procedures import lookup
from dermcover.determination import Status
from dermcover.engine.logic import MET, NOT_MET, UNKNOWN


@dataclass(frozen=True, slots=True)
class LineView:
    """One procedure line of a case, with the facts derived once (kind from code, age...)."""

    case: Case
    index: int
    procedure: Procedure
    kind: ProcedureKind | None
    condition_kind: ConditionKind | None
    age: int | None


def line_views(case: Case, today: date) -> list[LineView]:
    condition = case.condition
    condition_kind = condition.kind if condition is not None else None
    if condition_kind is None and condition is not None and condition.diagnoses:
        condition_kind = infer_condition_kind(condition.diagnoses, cause=condition.cause)
    age = case.patient.age_on(today) if case.patient is not None else None
    return [
        LineView(case, index, procedure, procedure.resolved_kind, condition_kind, age)
        for index, procedure in enumerate(case.procedures)
    ]


class PackSyntaxError(ValueError):
    """A test in a pack that the vocabulary does not allow; the message says what is allowed."""


# ---------------------------------------------------------------------------------------------
# Tests: what a criterion asks of one fact's value.


@dataclass(frozen=True, slots=True)
class Test:
    """A compiled test. `spec` is the pack's own words, kept for the trace."""

    spec: Mapping[str, Any]
    check: Callable[[Any], Status]


def _one_of(
    values: Sequence[Any] | Any,
    allowed: type[StrEnum] | None,
    key: str,
    allow_empty: bool = False,
) -> frozenset[Any]:
    items: list[Any] = values if isinstance(values, list) else [values]
    if not items and not allow_empty:
        raise PackSyntaxError(f"`{key}` needs at least one value")
    if allowed is None:
        return frozenset(str(item) for item in items)
    names = {member.value for member in allowed}
    for item in items:
        if item not in names:
            raise PackSyntaxError(
                f"{item!r} is not a valid value; allowed: {', '.join(sorted(names))}"
            )
    return frozenset(allowed(item) for item in items)


def _membership(allowed: type[StrEnum] | None) -> Callable[[Mapping[str, Any]], Test]:
    """Tests on a single-valued fact: `in: [a, b]` or `is: a`."""

    def compile_(params: Mapping[str, Any]) -> Test:
        _only(params, {"in", "is"}, exactly_one=True)
        key = "in" if "in" in params else "is"
        values = _one_of(params[key], allowed, key)

        def check(value: Any) -> Status:
            if value is None:
                return UNKNOWN
            return MET if value in values else NOT_MET

        return Test(dict(params), check)

    return compile_


def _flag(params: Mapping[str, Any]) -> Test:
    """Tests on a yes/no fact: `is: true`."""
    _only(params, {"is"}, exactly_one=True)
    expected = params["is"]
    if not isinstance(expected, bool):
        raise PackSyntaxError(f"`is` takes true or false, not {expected!r}")

    def check(value: Any) -> Status:
        if value is None:
            return UNKNOWN
        return MET if value is expected else NOT_MET

    return Test(dict(params), check)


def _number(params: Mapping[str, Any]) -> Test:
    """Tests on a count or measure: `at_least: 15`, `at_most: 6`, or both."""
    _only(params, {"at_least", "at_most"})
    low, high = params.get("at_least"), params.get("at_most")
    for key, bound in (("at_least", low), ("at_most", high)):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int | float)):
            raise PackSyntaxError(f"`{key}` takes a number, not {bound!r}")
    if low is None and high is None:
        raise PackSyntaxError("a number test needs `at_least`, `at_most` or both")

    def check(value: Any) -> Status:
        if value is None:
            return UNKNOWN
        if low is not None and value < low:
            return NOT_MET
        if high is not None and value > high:
            return NOT_MET
        return MET

    return Test(dict(params), check)


def _members(allowed: type[StrEnum]) -> Callable[[Mapping[str, Any]], Test]:
    """Tests on a list fact: `any: [...]` (one of these is present) or `any_except: [...]`."""

    def compile_(params: Mapping[str, Any]) -> Test:
        _only(params, {"any", "any_except"}, exactly_one=True)
        key = "any" if "any" in params else "any_except"
        values = _one_of(params[key], allowed, key, allow_empty=key == "any_except")
        wanted = values if key == "any" else frozenset(allowed) - values

        def check(value: Any) -> Status:
            if value is None:
                return UNKNOWN
            return MET if wanted.intersection(value) else NOT_MET

        return Test(dict(params), check)

    return compile_


def _diagnosis(params: Mapping[str, Any]) -> Test:
    """`prefixes: [L57.0, T2]`: some diagnosis on the case starts with one of these."""
    _only(params, {"prefixes"}, exactly_one=True)
    prefixes = tuple(sorted(_one_of(params["prefixes"], None, "prefixes")))

    def check(value: Any) -> Status:
        if value is None:
            return UNKNOWN
        return MET if any(code.startswith(prefixes) for code in value) else NOT_MET

    return Test(dict(params), check)


_TRIED_AND_FAILED = frozenset(
    {TreatmentOutcome.failed, TreatmentOutcome.contraindicated, TreatmentOutcome.not_tolerated}
)


def _prior_treatment(params: Mapping[str, Any]) -> Test:
    """Optional `names: [...]` (absent: any treatment), `classes: [...]` (treatment classes,
    from `kind` or the canonical name), `outcomes: [...]` (default: failed, contraindicated or
    not tolerated; add `partial` where the policy says "did not adequately respond"),
    `min_months` and `at_least` (how many different treatments, default 1; with `classes`, how
    many different classes): that many of these treatments were tried with one of these
    outcomes, for long enough. A contraindication needs no trial period."""
    _only(params, {"names", "classes", "outcomes", "min_months", "at_least"})
    names = _one_of(params["names"], None, "names") if "names" in params else None
    classes = _one_of(params["classes"], TreatmentClass, "classes") if "classes" in params else None
    outcomes = (
        _one_of(params["outcomes"], TreatmentOutcome, "outcomes")
        if "outcomes" in params
        else _TRIED_AND_FAILED
    )
    min_months = params.get("min_months")
    if min_months is not None and not isinstance(min_months, int | float):
        raise PackSyntaxError(f"`min_months` takes a number, not {min_months!r}")
    needed = params.get("at_least", 1)
    if isinstance(needed, bool) or not isinstance(needed, int) or needed < 1:
        raise PackSyntaxError(f"`at_least` takes a whole number of treatments, not {needed!r}")

    def counts(treatment: Any) -> Status:
        if names is not None and treatment.name not in names:
            return NOT_MET
        statuses = [MET]
        if classes is not None:
            kind = treatment.resolved_kind
            statuses.append(UNKNOWN if kind is None else MET if kind in classes else NOT_MET)
        if treatment.outcome is None:
            statuses.append(UNKNOWN)
        elif treatment.outcome not in outcomes:
            statuses.append(NOT_MET)
        elif min_months is not None and treatment.outcome is not TreatmentOutcome.contraindicated:
            if treatment.months is None:
                statuses.append(UNKNOWN)
            elif treatment.months < min_months:
                statuses.append(NOT_MET)
        if NOT_MET in statuses:
            return NOT_MET
        return UNKNOWN if UNKNOWN in statuses else MET

    def key(treatment: Any) -> object:
        # With classes, two treatments of one class count once; a treatment of unknown class
        # might be any class, so it keeps a key of its own.
        if classes is None:
            return treatment.name
        kind = treatment.resolved_kind
        return kind if kind is not None else ("name", treatment.name)

    def check(value: Any) -> Status:
        if value is None:
            return UNKNOWN
        sure: set[object] = set()
        maybe: set[object] = set()
        for treatment in value:
            status = counts(treatment)
            if status is MET:
                sure.add(key(treatment))
            elif status is UNKNOWN:
                maybe.add(key(treatment))
        if len(sure) >= needed:
            return MET
        return UNKNOWN if len(sure | maybe) >= needed else NOT_MET

    return Test(dict(params), check)


def _only(params: Mapping[str, Any], allowed: set[str], exactly_one: bool = False) -> None:
    unknown = set(params) - allowed
    if unknown:
        raise PackSyntaxError(
            f"unknown test {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}"
        )
    if exactly_one and len(params) != 1:
        raise PackSyntaxError(f"give exactly one of: {', '.join(sorted(allowed))}")


# ---------------------------------------------------------------------------------------------
# The facts.


@dataclass(frozen=True, slots=True)
class Fact:
    name: str
    fields: tuple[str, ...]  # case paths it reads; "{i}" is the procedure line's index
    ask: str  # the question to ask when it is unknown
    read: Callable[[LineView], Any]
    compile: Callable[[Mapping[str, Any]], Test]
    line_level: bool = field(default=False)
    # The same question in plain words for the patient's pages, where `ask` is technical.
    patient_ask: str | None = field(default=None)

    def fields_for(self, index: int) -> tuple[str, ...]:
        return tuple(path.replace("{i}", str(index)) for path in self.fields)


def _depth(view: LineView) -> Depth | None:
    if view.procedure.depth is not None:
        return view.procedure.depth
    entry = lookup(view.procedure.code) if view.procedure.code else None
    return Depth(entry.depth) if entry is not None and entry.depth is not None else None


def _site(view: LineView) -> Site | None:
    if view.procedure.site is not None:
        return view.procedure.site
    entry = lookup(view.procedure.code) if view.procedure.code else None
    return Site.face if entry is not None and entry.facial else None


def _cause(view: LineView) -> Cause | None:
    cause = view.case.condition.cause if view.case.condition else None
    return None if cause is Cause.unknown else cause


def _condition(view: LineView, name: str) -> Any:
    return getattr(view.case.condition, name) if view.case.condition is not None else None


def _claim_diagnoses(view: LineView) -> list[str] | None:
    """The codes the claim line carries: its own, else the diagnoses the clinician recorded.
    Only codes count here, never the condition's kind: a code edit looks at codes."""
    if view.procedure.claim_diagnoses is not None:
        return view.procedure.claim_diagnoses
    return _condition(view, "diagnoses")  # type: ignore[no-any-return]


def _days_since_injury(view: LineView) -> int | None:
    """Days since the injury: given, else at least 30 a month from `months_since_onset` (whose
    question asks when the condition started or the injury happened)."""
    days = _condition(view, "days_since_injury")
    if days is not None:
        return int(days)
    months = _condition(view, "months_since_onset")
    return 30 * int(months) if months is not None else None


def _provider_state(view: LineView) -> UsState | None:
    """Where the procedure is done, which decides the Medicare contractor (and its local
    policies). A value that is not a two-letter state code reads as unknown."""
    provider = view.case.provider
    if provider is None or provider.state is None:
        return None
    code = provider.state.strip().upper()
    return UsState(code) if code in UsState.__members__ else None


def _attr(section: str, name: str) -> Callable[[LineView], Any]:
    def read(view: LineView) -> Any:
        part = getattr(view.case, section)
        return getattr(part, name) if part is not None else None

    return read


FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in (
        Fact(
            "procedure_kind",
            ("procedures[{i}].kind",),
            "Which procedure is planned?",
            lambda v: v.kind,
            _membership(ProcedureKind),
            line_level=True,
        ),
        Fact(
            "procedure_code",
            ("procedures[{i}].code",),
            "Which CPT or HCPCS code will the clinic bill for this procedure?",
            lambda v: v.procedure.code,
            _membership(None),
            line_level=True,
        ),
        Fact(
            "depth",
            ("procedures[{i}].depth",),
            "How deep does the peel or resurfacing go: epidermal (superficial) or dermal "
            "(medium or deep)?",
            _depth,
            _membership(Depth),
            line_level=True,
        ),
        Fact(
            "site",
            ("procedures[{i}].site",),
            "Where on the body will it be done?",
            _site,
            _membership(Site),
            line_level=True,
        ),
        Fact(
            "sessions",
            ("procedures[{i}].sessions",),
            "How many sessions are planned?",
            lambda v: v.procedure.sessions,
            _number,
            line_level=True,
        ),
        Fact(
            "area_cm2",
            ("procedures[{i}].area_cm2",),
            "How large is the area to be treated, in square centimetres?",
            lambda v: v.procedure.area_cm2,
            _number,
            line_level=True,
        ),
        Fact(
            "device_fda_cleared",
            ("procedures[{i}].device_fda_cleared",),
            "Is the device the clinic will use FDA-cleared for this use?",
            lambda v: v.procedure.device_fda_cleared,
            _flag,
            line_level=True,
        ),
        Fact(
            "weeks_given",
            ("procedures[{i}].weeks_given",),
            "How many weeks of this treatment have already been given (0 if it has not started)?",
            lambda v: v.procedure.weeks_given,
            _number,
            line_level=True,
            patient_ask="For how many weeks have you already had this treatment? (0 if it has "
            "not started.)",
        ),
        Fact(
            "course_treatments",
            ("procedures[{i}].course_treatments",),
            "How many treatments does this course include in all, counting any already given?",
            lambda v: v.procedure.course_treatments,
            _number,
            line_level=True,
            patient_ask="How many sessions of this treatment are planned in this round, counting "
            "any you have already had?",
        ),
        Fact(
            "claim_diagnosis",
            ("condition.diagnoses", "procedures[{i}].claim_diagnoses"),
            "Which ICD-10-CM diagnosis codes will the claim for this procedure carry?",
            _claim_diagnoses,
            _diagnosis,
            line_level=True,
            patient_ask="Which diagnosis codes will the clinic put on the bill for this "
            "procedure? They look like L71.1; the clinic can tell you.",
        ),
        Fact(
            "condition_kind",
            ("condition.kind", "condition.diagnoses"),
            "What condition is being treated?",
            lambda v: v.condition_kind,
            _membership(ConditionKind),
        ),
        Fact(
            "diagnosis",
            ("condition.diagnoses",),
            "Which ICD-10-CM diagnosis codes has the clinician recorded?",
            lambda v: _condition(v, "diagnoses"),
            _diagnosis,
            patient_ask="Which diagnosis codes has your clinician recorded? They look like L90.5 "
            "and are on your visit summary.",
        ),
        Fact(
            "cause",
            ("condition.cause",),
            "What caused the condition: a burn, an injury, surgery, something present from "
            "birth, a disease, acne, sun damage or ageing?",
            _cause,
            _membership(Cause),
        ),
        Fact(
            "severity",
            ("condition.severity",),
            "How severe has the clinician judged it: mild, moderate or severe?",
            lambda v: _condition(v, "severity"),
            _membership(Severity),
        ),
        Fact(
            "lesion_count",
            ("condition.lesion_count",),
            "How many lesions are there (for example, how many actinic keratoses)?",
            lambda v: _condition(v, "lesion_count"),
            _number,
        ),
        Fact(
            "months_since_onset",
            ("condition.months_since_onset",),
            "How many months ago did the condition start (or the injury happen)?",
            lambda v: _condition(v, "months_since_onset"),
            _number,
        ),
        Fact(
            "days_since_injury",
            ("condition.days_since_injury", "condition.months_since_onset"),
            "How many days ago did the injury or burn happen?",
            _days_since_injury,
            _number,
        ),
        Fact(
            "body_surface_percent",
            ("condition.body_surface_percent",),
            "About how much of the body's skin is affected, as a percentage? (The palm of one "
            "hand is about 1%.)",
            lambda v: _condition(v, "body_surface_percent"),
            _number,
        ),
        Fact(
            "recurrent",
            ("condition.recurrent",),
            "Has the condition come back after it was treated before?",
            lambda v: _condition(v, "recurrent"),
            _flag,
        ),
        Fact(
            "individual_treatment_impractical",
            ("condition.individual_treatment_impractical",),
            "Has the clinician found the lesions too many or too spread out to remove one by one "
            "(by freezing, scraping or cutting out)?",
            lambda v: _condition(v, "individual_treatment_impractical"),
            _flag,
        ),
        Fact(
            "hyperkeratotic",
            ("condition.hyperkeratotic",),
            "Are the lesions hyperkeratotic, that is thick, crusted and scaly rather than flat?",
            lambda v: _condition(v, "hyperkeratotic"),
            _flag,
        ),
        Fact(
            "atrophic_scars",
            ("condition.atrophic_scars",),
            "Seen under light from the side, are the scars sunken: narrow pits that cast a "
            "shadow, gentle rolling dips, or crater-like hollows with sharp edges?",
            lambda v: _condition(v, "atrophic_scars"),
            _flag,
        ),
        Fact(
            "purpose",
            ("purpose",),
            "What is the treatment for: to change how the skin looks, to restore function, to "
            "relieve symptoms, or to treat a disease?",
            lambda v: v.case.purpose,
            _membership(Purpose),
        ),
        Fact(
            "impairment",
            ("impairment",),
            "Does the condition cause documented problems such as restricted movement, pain "
            "needing painkillers, bleeding, ulceration, infections or itching? "
            "(None is an answer.)",
            lambda v: v.case.impairment,
            _members(Impairment),
            patient_ask="Does the condition cause problems a clinician has recorded, such as "
            "restricted movement, pain that needs painkillers, bleeding, open sores, infections "
            "or itching? (None is an answer.)",
        ),
        Fact(
            "impairment_significant",
            ("impairment_significant",),
            "Has the clinician judged the problem significant, meaning it really gets in the way "
            "of using that part of the body rather than being a minor nuisance?",
            lambda v: v.case.impairment_significant,
            _flag,
        ),
        Fact(
            "improvement_expected",
            ("improvement_expected",),
            "Does the clinician expect this procedure to improve that problem?",
            lambda v: v.case.improvement_expected,
            _flag,
        ),
        Fact(
            "prior_treatment",
            ("prior_treatments",),
            "Which treatments have already been tried for this condition, and how did each go?",
            lambda v: v.case.prior_treatments,
            _prior_treatment,
        ),
        Fact(
            "documentation",
            ("documentation",),
            "Which records does the clinic already have on file (photos, measurements, "
            "treatment records...)?",
            lambda v: v.case.documentation,
            _members(DocumentationItem),
        ),
        Fact(
            "member_state",
            ("patient.state",),
            "In which US state do you live? (State law can require a plan to cover some "
            "treatments.)",
            _attr("patient", "state"),
            _membership(UsState),
        ),
        Fact(
            "provider_state",
            ("provider.state",),
            "In which US state will the procedure be done?",
            _provider_state,
            _membership(UsState),
        ),
        Fact(
            "age",
            ("patient.age", "patient.birth_date"),
            "How old is the patient?",
            lambda v: v.age,
            _number,
        ),
        Fact(
            "provider_type",
            ("provider.type",),
            "Who will perform the procedure: a dermatologist, plastic surgeon, other physician, "
            "nurse practitioner, physician assistant, nurse or esthetician?",
            _attr("provider", "type"),
            _membership(ProviderType),
        ),
        Fact(
            "setting",
            ("provider.setting",),
            "Where will it be done: a doctor's office, a hospital outpatient department, a "
            "surgery center or a medical spa?",
            _attr("provider", "setting"),
            _membership(Setting),
        ),
        Fact(
            "plan_type",
            ("payer.plan_type",),
            "What kind of plan is it: commercial (employer or marketplace), Medicare, Medicare "
            "Advantage, Medicaid, or none (self-pay)?",
            _attr("payer", "plan_type"),
            _membership(PlanType),
        ),
        Fact(
            "network",
            ("payer.network",),
            "Is the clinic in your plan's network?",
            _attr("payer", "network"),
            _membership(Network),
        ),
    )
}
