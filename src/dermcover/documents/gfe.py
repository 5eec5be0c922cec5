"""The Good Faith Estimate for uninsured and self-pay patients (45 CFR 149.610; research §3).

It carries the ten content elements of 149.610(c)(1) (research §3.3):

1. patient name and date of birth (`patient`);
2. the primary service in plain words and its scheduled date (`primary_service`, `scheduled_for`);
3. the itemized items and services expected in the period of care (`items`);
4. diagnosis codes, service codes and the expected charge of each item (`diagnoses`, `items`);
5. name, NPI and TIN of the provider, the state and the location of care (`provider`,
   `location`, `state`);
6. care to be scheduled separately, with how to get an estimate for it (`separately_scheduled`,
   `separate_instructions`);
7-10. the disclaimers: other care is not included, this is only an estimate, the patient-provider
   dispute resolution process, and that it is not a contract (`disclaimers`).

Expected charges are the self-pay prices of the estimate request, discounts and prepaid packages
included (the cheaper way unless the schedule names one). The due date comes from the scheduling
date (or the request date) by the deadline calculators. One estimate may cover a recurring series
only up to 12 months: a longer series is split, and the sessions past 12 months are listed as care
that needs its own estimate. An estimate whose required inputs are missing is refused, naming
each missing element.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial

from pydantic import Field

from dermcover import i18n
from dermcover.case import Case, PlanType
from dermcover.deadlines.disputes import FEE, THRESHOLD, WINDOW_DAYS
from dermcover.deadlines.due import DueDate
from dermcover.deadlines.good_faith_estimate import (
    NOTES,
    due_after_request,
    due_after_scheduling,
    recurring_scope_fits,
)
from dermcover.documents import labels
from dermcover.documents.clinical import (
    CodedItem,
    diagnosis_items,
    missing_codes,
    missing_diagnoses,
    procedure_item,
)
from dermcover.documents.parties import (
    Part,
    PatientBlock,
    ProviderBlock,
    missing_fields,
    patient_block,
    provider_block,
)
from dermcover.documents.refusal import DocumentRefused, refuse_if
from dermcover.documents.schedule import Interval, Pricing, Schedule
from dermcover.estimate import EstimateRequest, Scenario, ScenarioName
from dermcover.money.amounts import total
from dermcover.money.scenarios import package_scenario, packages_to_buy, self_pay_scenario

DOCUMENT = "Good Faith Estimate"
Words = Callable[[str], str]

NEEDED_FIELDS = (
    "patient.name",
    "patient.birth_date",
    "provider.name",
    "provider.npi",
    "provider.tin",
    "provider.state",
)

# Why an estimate cannot be written yet, as templates: the patient pages translate each
# (web.refusal_words) and put its values back.
INSURED = (
    "the patient has %(coverage)s coverage: a Good Faith Estimate is for uninsured patients and "
    "for insured patients who ask that no claim go to the plan (set "
    "schedule.self_pay_requested: true if the patient asked)"
)
MANY_LINES = (
    "the case has %(count)s procedure lines and the estimate prices one: make one case and one "
    "estimate request per procedure"
)
NO_SCHEDULE = (
    "the schedule is missing (scheduled_on or requested_on, first_session, interval, "
    "separately_scheduled)"
)
NO_ADDRESS = "provider.address is missing (or schedule.location: where care is given)"
NOT_BOOKED = (
    "schedule.scheduled_on (or schedule.requested_on) is missing: the due date runs from the day "
    "the service was booked or the estimate asked for"
)
NO_FIRST_SESSION = "schedule.first_session is missing (the scheduled service date)"
NO_INTERVAL = "schedule.interval is missing (a recurring series must state how often it recurs)"
NO_SEPARATE_CARE = (
    "schedule.separately_scheduled is missing (care expected before or after that is booked "
    "separately; [] if there is none)"
)
NO_PACKAGE_PRICE = "schedule.pricing is package, but the estimate has no prices.package"
REFUSALS = (
    INSURED,
    MANY_LINES,
    NO_SCHEDULE,
    NO_ADDRESS,
    NOT_BOOKED,
    NO_FIRST_SESSION,
    NO_INTERVAL,
    NO_SEPARATE_CARE,
    NO_PACKAGE_PRICE,
)

DISPUTE_INSTRUCTIONS = "www.cms.gov/nosurprises"

RIGHT_TO_ESTIMATE = (
    "You have the right to receive a Good Faith Estimate of how much your care will cost. "
    "Under the law, health care providers must give patients who do not have insurance, or who "
    "are not using insurance, an estimate of the bill for items and services before they are "
    "given. Keep a copy of this estimate: you will need it if your bill is higher."
)


class Disclaimers(Part):
    other_care: str
    estimate_only: str
    dispute: str
    not_a_contract: str


class EstimateItem(Part):
    sessions: str
    first_date: date | None
    last_date: date | None
    description: str
    service_code: str
    diagnosis_codes: list[str]
    quantity: int
    list_price: Decimal | None
    discount: Decimal | None
    expected_charge: Decimal


class SeparateCare(Part):
    description: str
    code: str | None = None
    timing: str | None = None


class SeriesScope(Part):
    sessions_planned: int
    sessions_covered: int
    frequency: str | None
    first_date: date | None
    last_date: date | None = Field(description="The last session this estimate covers.")
    planned_last_date: date | None


class GoodFaithEstimate(Part):
    issued_on: date
    due: DueDate | None
    due_note: str
    right_to_estimate: str
    patient: PatientBlock
    provider: ProviderBlock
    location: str
    state: str
    primary_service: str
    scheduled_for: date | None
    series: SeriesScope | None
    diagnoses: list[CodedItem]
    items: list[EstimateItem]
    pricing: str
    total_expected: Decimal
    total_list: Decimal | None
    separately_scheduled: list[SeparateCare]
    separate_instructions: str
    disclaimers: Disclaimers
    dispute_threshold: Decimal = THRESHOLD
    dispute_window_days: int = WINDOW_DAYS
    dispute_fee: Decimal = FEE


def disclaimers(provider_name: str, language: str = i18n.DEFAULT) -> Disclaimers:
    _ = partial(i18n.translate, language)
    return Disclaimers(
        other_care=_(
            "Other items or services may be recommended as part of your care. They are not "
            "included in this estimate and must be scheduled or requested separately; you can "
            "ask for a Good Faith Estimate for each of them."
        ),
        estimate_only=_(
            "This is only an estimate, based on the items and services reasonably expected when "
            "it was issued. The actual items, services or charges may differ from it."
        ),
        dispute=_(
            "If you are billed at least %(threshold)s more than the total expected charges "
            "on this estimate from %(provider)s, you have the right to dispute the bill "
            "through the federal patient-provider dispute resolution process. Start it within "
            "%(days)s calendar days of the date on the first bill; there is a %(fee)s "
            "fee. Instructions and the form are at %(where)s. Starting a dispute "
            "will not adversely affect the quality of the care you receive. While it is open, "
            "the bill may not be sent to collections and late fees are suspended."
        )
        % {
            "threshold": i18n.whole_dollars(THRESHOLD, language),
            "provider": provider_name,
            "days": WINDOW_DAYS,
            "fee": i18n.whole_dollars(FEE, language),
            "where": DISPUTE_INSTRUCTIONS,
        },
        not_a_contract=_(
            "This Good Faith Estimate is not a contract and does not require you to get the "
            "items or services from any of the providers or facilities listed on it."
        ),
    )


def _eligibility_reasons(case: Case, request: EstimateRequest, schedule: Schedule) -> list[str]:
    plan_type = case.payer.plan_type if case.payer else None
    insured = request.plan is not None or (
        plan_type is not None and plan_type is not PlanType.self_pay
    )
    if insured and schedule.self_pay_requested is not True:
        coverage = labels.words(plan_type) if plan_type is not None else "health"
        return [INSURED % {"coverage": coverage}]
    return []


def _missing_inputs(
    case: Case, request: EstimateRequest, schedule: Schedule, sessions: int
) -> list[str]:
    reasons = [*missing_fields(case, NEEDED_FIELDS)]
    provider = case.provider
    if not schedule.location and not (provider and provider.address):
        reasons.append(NO_ADDRESS)
    reasons += missing_diagnoses(case)
    reasons += missing_codes(case, [0])
    if schedule.scheduled_on is None and schedule.requested_on is None:
        reasons.append(NOT_BOOKED)
    if schedule.scheduled_on is not None and schedule.first_session is None:
        reasons.append(NO_FIRST_SESSION)
    if sessions > 1 and schedule.interval is None:
        reasons.append(NO_INTERVAL)
    if schedule.separately_scheduled is None:
        reasons.append(NO_SEPARATE_CARE)
    if schedule.pricing is Pricing.package and request.prices.package is None:
        reasons.append(NO_PACKAGE_PRICE)
    return reasons


def _due(schedule: Schedule, _: Words, language: str) -> tuple[DueDate | None, str]:
    candidates: list[DueDate] = []
    note = ""
    if schedule.scheduled_on is not None and schedule.first_session is not None:
        after_booking = due_after_scheduling(schedule.scheduled_on, schedule.first_session)
        if after_booking is None:
            note = _(
                "Booked fewer than 3 business days ahead, so no scheduling deadline applies; "
                "it is given before the service."
            )
        else:
            candidates.append(after_booking)
    if schedule.requested_on is not None:
        candidates.append(due_after_request(schedule.requested_on))
    if not candidates:
        return None, note
    due = min(candidates, key=lambda candidate: candidate.due_date)
    note = due.note or ""
    return due, i18n.translate_made(language, note, NOTES) or note


def _day(value: date, language: str) -> str:
    """A date inside a sentence: ISO in English, as the estimate always wrote it; in words in
    Spanish, where 2027-03-01 reads as a figure to decode."""
    return value.isoformat() if language == i18n.DEFAULT else i18n.long_date(value, language)


def _sessions_covered(schedule: Schedule, sessions: int, start: date) -> int:
    """How many sessions of the series fall within the 12 months one estimate may cover."""
    interval = schedule.interval
    if sessions == 1 or interval is None:
        return sessions
    return sum(1 for n in range(sessions) if recurring_scope_fits(start, start + interval.step(n)))


def _scenario(request: EstimateRequest, schedule: Schedule, sessions: int) -> Scenario:
    prices = request.prices
    single = self_pay_scenario(prices.self_pay_price, sessions)
    if prices.package is None or schedule.pricing is Pricing.per_session:
        return single
    package = package_scenario(prices.package, prices.self_pay_price, sessions)
    if schedule.pricing is Pricing.package or package.patient_total < single.patient_total:
        return package
    return single


def _items(
    case: Case,
    request: EstimateRequest,
    scenario: Scenario,
    dates: list[date] | None,
    _: Words,
) -> list[EstimateItem]:
    """One item per session, or per prepaid package, with its list price and discount."""
    procedure = case.procedures[0]
    item = procedure_item(procedure)
    plain = _(item.kind) + (f", {_lower(_(labels.kind(procedure.site)))}" if procedure.site else "")
    diagnoses = [coded.code for coded in diagnosis_items(case)]
    prices = request.prices
    sessions = len(scenario.sessions)
    groups: list[tuple[list[int], bool]] = []  # the sessions of each item; prepaid package?
    package = prices.package
    if package is not None and scenario.name is ScenarioName.self_pay_package:
        bought = packages_to_buy(package, prices.self_pay_price, sessions)
        for n in range(1, sessions + 1):
            index, position = divmod(n - 1, package.sessions)
            if index < bought and position > 0:
                groups[-1][0].append(n)
            else:
                groups.append(([n], index < bought))
    else:
        groups = [([n], False) for n in range(1, sessions + 1)]

    items = []
    for group, prepaid in groups:
        charge = total(scenario.sessions[n - 1].patient for n in group)
        first, last = group[0], group[-1]
        label = (
            _("Session %(number)s") % {"number": first}
            if first == last
            else _("Sessions %(first)s–%(last)s") % {"first": first, "last": last}
        )
        description = plain
        if prepaid and len(group) > 1:
            description += " " + _("(prepaid package of %(count)s sessions)") % {
                "count": len(group)
            }
        elif prepaid:
            description += " " + _("(prepaid package of 1 session)")
        list_price = (
            prices.billed_charge * len(group)
            if prices.billed_charge is not None and prices.billed_charge * len(group) > charge
            else None
        )
        items.append(
            EstimateItem(
                sessions=label,
                first_date=dates[first - 1] if dates else None,
                last_date=dates[last - 1] if dates else None,
                description=description,
                service_code=procedure.code or "",
                diagnosis_codes=diagnoses,
                quantity=len(group),
                list_price=list_price,
                discount=list_price - charge if list_price is not None else None,
                expected_charge=charge,
            )
        )
    return items


def _lower(text: str) -> str:
    """A label inside a sentence: `Acne scars` -> `acne scars` (`PRP injection` stays)."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _primary_service(case: Case, schedule: Schedule, sessions: int, _: Words) -> str:
    first = case.procedures[0]
    text = _(procedure_item(first).kind)
    if first.site:
        text += " " + _("of the %(site)s") % {"site": _lower(_(labels.kind(first.site)))}
    condition = case.condition.kind if case.condition else None
    if condition is not None:
        text += " " + _("for %(condition)s") % {"condition": _lower(_(labels.kind(condition)))}
    if sessions > 1:
        text += ": " + _("a series of %(count)s sessions") % {"count": sessions}
        if schedule.interval is not None:
            text += f", {_interval(schedule.interval, _)}"
    return text


# How often a series recurs, by the interval's unit: once, and every so many.
EVERY_ONE = {"days": "every day", "weeks": "every week", "months": "every month"}
EVERY = {"days": "every %(count)s days", "weeks": "every %(count)s weeks"}
EVERY["months"] = "every %(count)s months"
INTERVAL_WORDS = (*EVERY_ONE.values(), *EVERY.values())


def _interval(interval: Interval, _: Words) -> str:
    """`every 4 weeks` in the estimate's language (the same words as `Interval.text`)."""
    unit = interval.unit.value
    if interval.every == 1:
        return _(EVERY_ONE[unit])
    return _(EVERY[unit]) % {"count": interval.every}


def good_faith_estimate(
    case: Case,
    request: EstimateRequest,
    schedule: Schedule | None,
    *,
    today: date,
    code_issues: list[str] | None = None,
    language: str = i18n.DEFAULT,
) -> GoodFaithEstimate:
    """The estimate for the first procedure line of `case`, priced by `request`.

    `code_issues` are the determination's code errors as refusal reasons (`code_errors`).
    `language` is the patient's: every sentence the estimate writes is in it; what the clinic
    typed (care scheduled separately, the location) and the code sets' descriptions are not.
    """
    _ = partial(i18n.translate, language)
    if schedule is None:
        raise DocumentRefused(DOCUMENT, [NO_SCHEDULE])
    if len(case.procedures) > 1:
        raise DocumentRefused(DOCUMENT, [MANY_LINES % {"count": len(case.procedures)}])
    sessions = request.sessions or case.procedures[0].sessions
    refuse_if(DOCUMENT, _eligibility_reasons(case, request, schedule))
    refuse_if(DOCUMENT, [*_missing_inputs(case, request, schedule, sessions), *(code_issues or [])])

    start = schedule.first_session or schedule.scheduled_on or schedule.requested_on or today
    covered = _sessions_covered(schedule, sessions, start)
    all_dates = schedule.session_dates(sessions)
    scenario = _scenario(request, schedule, covered)
    dates = all_dates[:covered] if all_dates else None
    items = _items(case, request, scenario, dates, _)

    separate = [
        SeparateCare(description=entry.description, code=entry.code, timing=entry.timing)
        for entry in schedule.separately_scheduled or []
    ]
    if covered < sessions:
        later = all_dates[covered] if all_dates else None
        separate.append(
            SeparateCare(
                description=_(
                    "Sessions %(first)s–%(last)s of the series: one estimate may cover "
                    "at most 12 months of a recurring series, so these need a new Good Faith "
                    "Estimate"
                )
                % {"first": covered + 1, "last": sessions},
                code=case.procedures[0].code,
                timing=_("from %(day)s") % {"day": _day(later, language)}
                if later
                else _("after the first 12 months"),
            )
        )
    provider = provider_block(case)
    due, due_note = _due(schedule, _, language)
    list_total = (
        total(
            item.list_price if item.list_price is not None else item.expected_charge
            for item in items
        )
        if any(item.list_price is not None for item in items)
        else None
    )
    return GoodFaithEstimate(
        issued_on=today,
        due=due,
        due_note=due_note,
        right_to_estimate=_(RIGHT_TO_ESTIMATE),
        patient=patient_block(case).model_copy(update={"member_id": None}),
        provider=provider,
        location=schedule.location or provider.address or "",
        state=provider.state or "",
        primary_service=_primary_service(case, schedule, sessions, _),
        scheduled_for=schedule.first_session,
        series=SeriesScope(
            sessions_planned=sessions,
            sessions_covered=covered,
            frequency=_interval(schedule.interval, _) if schedule.interval else None,
            first_date=dates[0] if dates else None,
            last_date=dates[-1] if dates else None,
            planned_last_date=all_dates[-1] if all_dates else None,
        )
        if sessions > 1
        else None,
        diagnoses=diagnosis_items(case),
        items=items,
        pricing=_("prepaid package price")
        if scenario.name is ScenarioName.self_pay_package
        else _("self-pay price per session"),
        total_expected=total(item.expected_charge for item in items),
        total_list=list_total,
        separately_scheduled=separate,
        separate_instructions=_(
            "Ask %(provider)s, or the provider who will give that "
            "care, for a Good Faith Estimate when you schedule it, or at any time before."
        )
        % {"provider": provider.organization or provider.name},
        disclaimers=disclaimers(provider.organization or provider.name, language),
    )
