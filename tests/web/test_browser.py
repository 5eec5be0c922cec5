"""End to end in a real browser, on desktop and phone widths: the patient's check from the first
page to the cost chart, and the clinic's day from sign-in to a denial's appeal deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dermcover.case import Case
from dermcover.store.cases import CaseRepository
from dermcover.store.database import create_database_engine, session_factory
from dermcover.store.migrate import upgrade_database
from dermcover.store.timeline import EventKind
from dermcover.store.users import UserRepository

from .browser import (
    VIEWPORTS,
    LiveServer,
    accessibility_problems,
    browser,
    fits_the_screen,
    screenshot,
    start_server,
    stop_server,
)
from .support import STAFF_EMAIL, STAFF_PASSWORD, example


def _seed(database_url: str) -> None:
    """A staff account, and two cases already under way so the list has something to show."""
    upgrade_database(database_url)
    engine = create_database_engine(database_url)
    sessions = session_factory(engine)
    staff = UserRepository(sessions).add_user(STAFF_EMAIL, STAFF_PASSWORD, name="Robin Park")
    cases = CaseRepository(sessions)
    melasma = Case.model_validate(
        {**example("pico-laser-prp-melasma.yaml"), "patient": {"name": "Maria Chen", "age": 41}}
    )
    cases.create_case(melasma, actor=staff.id)
    unknown = Case.model_validate(
        {
            **example("microneedling-unknown-reason.yaml"),
            "patient": {"name": "Lee Okafor", "age": 29},
            "payer": {"policy": "generic", "plan_type": "commercial", "network": "in"},
        }
    )
    pending = cases.create_case(unknown, actor=staff.id)
    cases.add_event(pending.id, EventKind.pa_submitted, date.today(), actor=staff.id)
    engine.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A fresh service and database for each test, so that tests cannot see each other's cases."""
    folder = tmp_path
    database_url = f"sqlite:///{folder / 'dermcover.db'}"
    _seed(database_url)
    live = start_server(database_url, folder / "server.log")
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    yield from browser()


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(
        viewport=VIEWPORTS[request.param],  # type: ignore[arg-type]
        bypass_csp=True,  # so that axe-core can be injected into the page
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.width_name = request.param
    yield tab
    context.close()


def shot(page: Page, name: str) -> None:
    """Check the page as it stands: axe-core finds no accessibility problem, one h1, a skip link;
    then save its screenshot."""
    assert accessibility_problems(page) == [], name
    assert page.locator("h1").count() == 1, f"{name}: one h1"
    assert page.locator("a.skip-link[href='#main']").count() == 1, f"{name}: skip link"
    screenshot(page, f"{name}-{page.width_name}")


def test_the_patient_check_from_start_to_cost_chart(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/")
    expect(page.get_by_role("heading", name="Will my insurance cover it?")).to_be_visible()
    assert fits_the_screen(page)
    shot(page, "patient-start")
    page.select_option("#procedure", "microneedling")
    page.get_by_role("button", name="Start").click()

    # The engine asks for the condition first, then only what the policy still turns on.
    expect(page.locator(".question legend")).to_contain_text("What condition")
    page.select_option("#answer", "acne_scars")
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".question legend")).to_contain_text("What is the treatment for")
    page.get_by_label("To change how the skin looks").check()
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".question legend")).to_contain_text("problems a clinician has recorded")
    assert fits_the_screen(page)
    shot(page, "patient-question")
    page.get_by_label("None of these").check()
    page.get_by_role("button", name="Next").click()

    # "Not listed, or not sure" (the first choice): the answer is the spread across insurers.
    expect(page.locator("#spread")).to_contain_text("plans we know call this cosmetic")
    expect(page.get_by_role("heading", name="What to do next")).to_be_visible()

    page.fill("input[name=self_pay]", "350")
    page.fill("input[name=negotiated_rate]", "300")
    page.fill("input[name=sessions]", "3")
    page.fill("input[name=deductible]", "1500")
    page.fill("input[name=coinsurance]", "20")
    page.fill("input[name=hsa_balance]", "400")
    page.fill("input[name=loan_apr]", "7")
    page.fill("input[name=loan_months]", "12")
    page.fill("input[name=plan_months]", "6")
    page.get_by_role("button", name="Compare my costs").click()
    chart = page.locator("figure.chart").first
    expect(chart).to_be_visible()
    # Excluded as cosmetic: in network costs the cash price too, 3 x $350.
    expect(chart.locator(".bar-row").first).to_contain_text("$1,050.00")
    assert fits_the_screen(page)
    shot(page, "patient-result")


def fill_the_new_case_form(page: Page) -> None:
    """The new-case form as staff fill it: choices, the code pickers, a check, then save."""
    page.get_by_label("Name", exact=True).first.fill("Jordan Rivera")
    page.select_option("#f-payer-policy", "generic")
    page.select_option("#f-payer-plan-type", "commercial")
    page.select_option("#f-procedures-0-kind", "fractional_ablative_laser")
    page.get_by_label("Code (procedure 1): search procedure codes by words").fill("fractional")
    page.locator("#f-procedures-0-code-results button[data-code='0479T']").click()
    expect(page.locator("#f-procedures-0-code")).to_have_value("0479T")
    page.fill("#f-procedures-0-sessions", "3")
    page.select_option("#f-procedures-0-site", "hand")
    page.get_by_label("Diagnosis codes: search diagnosis codes by words").fill("acne scars")
    first = page.locator("#f-condition-diagnoses-results button").first
    # The first search builds the code index, which takes a few seconds on a fresh server.
    expect(first).to_have_attribute("data-code", "L90.5", timeout=30_000)
    first.click()
    expect(page.locator("#f-condition-diagnoses")).to_have_value("L90.5")
    page.select_option("#f-condition-kind", "burn_scar")
    page.select_option("#f-condition-cause", "burn")
    page.get_by_role("button", name="Check what is still needed").click()
    expect(page.locator("#still-needed")).to_be_visible()
    expect(page.locator(".field.needed").first).to_be_visible()
    expect(page.locator("#f-procedures-0-code")).to_have_value("0479T")  # kept on the way
    assert fits_the_screen(page)
    shot(page, "clinic-new-case")
    page.select_option("#f-condition-severity", "severe")
    page.select_option("#f-purpose", "function")
    page.get_by_label("Restricted movement").check()
    page.fill("#f-prior-treatments-0-name", "silicone_sheeting")
    page.select_option("#f-prior-treatments-0-outcome", "failed")
    page.fill("#f-prior-treatments-0-months", "6")
    page.get_by_role("button", name="Create and decide").click()


def test_the_clinic_records_a_denial_and_sees_the_appeal_deadline(
    page: Page, server: LiveServer
) -> None:
    page.goto(server.url + "/clinic/cases")
    expect(page).to_have_url(server.url + "/clinic/login")
    shot(page, "clinic-login")
    page.fill("#email", STAFF_EMAIL)
    page.fill("#password", STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()

    page.get_by_role("link", name="New case").click()
    fill_the_new_case_form(page)
    expect(page.locator("h1")).to_contain_text("Jordan Rivera")
    expect(page.locator("dl.facts")).to_contain_text("L90.5")
    expect(page.locator("dl.facts")).to_contain_text("0479T")

    page.select_option("#event-kind", "pa_submitted")
    page.fill("#event-date", "2025-01-02")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#status")).to_have_text("Prior authorization pending")
    page.select_option("#event-kind", "pa_denied")
    page.fill("#event-date", "2025-01-10")
    page.fill("#event-notes", "Denied as cosmetic; reference PA-77310")
    page.get_by_role("button", name="Record").click()

    # Research C1: ERISA/ACA internal appeal, denial received 2025-01-10 -> file by 2025-07-09.
    expect(page.locator("#status")).to_have_text("Denied")
    expect(page.locator("#next-deadline")).to_contain_text("2025-07-09")
    expect(page.locator("#timeline")).to_contain_text("Denied as cosmetic")
    assert fits_the_screen(page)
    shot(page, "clinic-case")

    page.get_by_role("link", name="Cases", exact=True).click()
    row = page.locator("tr", has_text="Jordan Rivera")
    expect(row).to_contain_text("2025-07-09")
    assert fits_the_screen(page)
    shot(page, "clinic-cases")


VISIT_NOTE = """\
41 yo F with severe burn scars of the right forearm from a kitchen fire. Range of motion at
the elbow is limited; goniometer measurements recorded. Patient denies itching.
Silicone gel sheeting for 6 months without improvement. Photographs in chart.
Dx: T22.30XS, L90.5. Plan: fractional CO2 laser, 4 sessions.
"""


def sign_in(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/clinic/login")
    page.fill("#email", STAFF_EMAIL)
    page.fill("#password", STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()


def test_the_clinic_creates_a_case_from_a_pasted_note(page: Page, server: LiveServer) -> None:
    sign_in(page, server)
    page.get_by_role("link", name="From a visit note").click()
    page.fill("#note", VISIT_NOTE)
    page.get_by_role("button", name="Read the note").click()
    proposals = page.locator("#proposals")
    # The spaCy pipeline is built on the first note a fresh server reads.
    expect(proposals.locator("mark", has_text="burn scars")).to_be_visible(timeout=30_000)
    expect(proposals).to_contain_text("denies itching")  # set aside, with its sentence
    assert fits_the_screen(page)
    shot(page, "clinic-note")
    site = proposals.locator("li.proposal", has=page.locator("mark", has_text="forearm"))
    site.locator("select").select_option("hand")  # staff correct what the note got wrong
    page.get_by_role("button", name="Use these facts in a new case").click()

    expect(page.locator("#from-note")).to_be_visible()
    expect(page.locator("#f-procedures-0-kind")).to_have_value("fractional_ablative_laser")
    expect(page.locator("#f-procedures-0-site")).to_have_value("hand")
    expect(page.locator("#f-condition-diagnoses")).to_have_value("T22.30XS, L90.5")
    page.get_by_label("Name", exact=True).first.fill("Dana Whitfield")
    page.select_option("#f-purpose", "function")
    page.get_by_role("button", name="Create and decide").click()
    expect(page.locator("h1")).to_contain_text("Dana Whitfield")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("T22.30XS")
    expect(facts).to_contain_text("Silicone sheeting: failed (6 months)")


def _luminance(rgb: str) -> float:
    channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two CSS rgb() colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_spanish_pages_and_the_rest_pass_axe(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/language?to=es&next=/")
    expect(page.locator("h1")).to_have_text("¿Lo cubrirá mi seguro?")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    shot(page, "patient-start-es")
    # The focus ring stands out at least 3:1 from the card it sits on and from the page.
    page.focus("#procedure")
    ring = page.eval_on_selector("#procedure", "e => getComputedStyle(e).outlineColor")
    card = page.eval_on_selector(".card", "e => getComputedStyle(e).backgroundColor")
    body = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert contrast(ring, card) >= 3 and contrast(ring, body) >= 3, (ring, card, body)

    page.select_option("#procedure", "microneedling")
    page.get_by_role("button", name="Empezar").click()
    expect(page.locator(".question legend")).to_contain_text("Pregunta 1")
    shot(page, "patient-question-es")
    page.select_option("#answer", "acne_scars")
    page.get_by_role("button", name="Siguiente").click()
    page.get_by_label("Para cambiar el aspecto de la piel").check()
    page.get_by_role("button", name="Siguiente").click()
    page.get_by_label("Ninguno de estos").check()
    page.get_by_role("button", name="Siguiente").click()
    # "Not listed, or not sure" (the first choice): the spread across insurers, in Spanish.
    expect(page.locator("#verdict")).to_have_text("Depende de su plan")
    # The engine's words in Spanish too: the spread, each insurer's reason, the next steps.
    expect(page.locator(".spread-summary")).to_contain_text(
        "planes que conocemos lo consideran cosmético"
    )
    expect(page.locator("ul.spread")).to_contain_text("Sin un deterioro funcional documentado")
    expect(page.locator("ol.steps")).to_contain_text("pida a la clínica una Estimación de Buena Fe")
    expect(page.locator(".policy-language")).to_have_count(0)  # nothing left in English
    expect(page.locator("#costs")).to_contain_text("Deducible: lo que usted paga")
    assert fits_the_screen(page)
    shot(page, "patient-result-es")

    page.goto(server.url + "/codes?q=acne+scars")
    expect(page.locator(".code-results")).to_contain_text("L90.5", timeout=30_000)
    shot(page, "patient-codes-es")
    page.goto(server.url + "/language?to=en&next=/no-such-page")
    expect(page.locator("h1")).to_have_text("Not found")
    assert accessibility_problems(page) == []

    sign_in(page, server)
    page.locator("tr", has_text="Lee Okafor").get_by_role("link").first.click()
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.locator(".field.needed").first).to_be_visible()
    assert fits_the_screen(page)
    shot(page, "clinic-edit-case")
    page.goto(server.url + "/clinic/notes")
    shot(page, "clinic-note-empty")
    page.goto(server.url + "/clinic/cases/new")
    page.get_by_role("button", name="Create and decide").click()  # nothing filled in
    expect(page.locator("#form-errors")).to_contain_text("at least one procedure")
    shot(page, "clinic-new-case-errors")
