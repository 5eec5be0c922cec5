"""In a real browser, desktop and phone: a patient whose plan is not listed sees the spread; a
patient saves their answers, comes back and carries on; a clinic attaches a photo, records a
denial, finds the deadline in "due soon" and in the calendar feed, and exports the case list.
One service for the whole module."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from .browser import LiveServer, fits_the_screen, screenshot, start_server, stop_server
from .support import STAFF_EMAIL, STAFF_PASSWORD
from .test_browser import _seed, chromium, page, shot

__all__ = ["chromium", "page"]  # the shared browser fixtures

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("handoff")
    database_url = f"sqlite:///{folder / 'dermcover.db'}"
    _seed(database_url)
    server = start_server(database_url, folder / "server.log")
    yield server
    stop_server(server)


def answer_microneedling_for_looks(page: Page) -> None:
    page.select_option("#procedure", "microneedling")
    page.get_by_role("button", name="Start").click()
    page.select_option("#answer", "acne_scars")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("To change how the skin looks").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("None of these").check()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#verdict")).to_be_visible()


def test_a_patient_with_an_unlisted_plan_sees_the_spread(page: Page, live: LiveServer) -> None:
    page.goto(live.url + "/")
    expect(page.locator("#policy")).to_have_value("all")  # "Not listed, or not sure" first
    answer_microneedling_for_looks(page)
    spread = page.locator("#spread")
    expect(spread).to_contain_text("plans we know")
    expect(page.locator("#verdict")).not_to_contain_text("Covered")
    for payer in ("Aetna", "Anthem", "Cigna", "UnitedHealthcare"):
        expect(page.locator("ul.spread")).to_contain_text(payer)
    assert fits_the_screen(page)
    shot(page, "patient-spread")


def test_a_patient_saves_reloads_and_resumes(page: Page, live: LiveServer, tmp_path: Path) -> None:
    page.goto(live.url + "/")
    answer_microneedling_for_looks(page)
    page.fill("input[name=self_pay]", "350")
    page.fill("input[name=sessions]", "3")
    page.get_by_role("button", name="Compare my costs").click()
    expect(page.locator("figure.chart").first).to_be_visible()
    assert fits_the_screen(page)
    shot(page, "patient-result")
    with page.expect_download() as download:
        page.get_by_role("button", name="Save my answers", exact=True).click()
    saved = tmp_path / "my-coverage-check.yaml"
    download.value.save_as(saved)
    assert "self_pay: '350'" in saved.read_text(encoding="utf-8")

    page.goto(live.url + "/")  # a new visit: nothing kept on the server
    shot(page, "patient-start")
    page.set_input_files("#answers-file", str(saved))
    page.get_by_role("button", name="Carry on").click()
    expect(page.locator("#verdict")).to_be_visible()
    expect(page.locator("input[name=self_pay]:not([type=hidden])")).to_have_value("350")
    expect(page.locator("figure.chart").first).to_contain_text("$1,050.00")

    # A link to share: a stable address with no patient data in it.
    page.get_by_role("button", name="Get a link to share").click()
    expect(page.locator("#shared-link")).to_be_visible()
    assert "/r/" in page.url and "350" not in page.url
    shared_url = page.url
    page.goto(shared_url)
    expect(page.locator("#verdict")).to_be_visible()


def test_the_clinic_attaches_records_a_denial_and_finds_the_deadline(
    page: Page, live: LiveServer, tmp_path: Path
) -> None:
    page.goto(live.url + "/clinic/login")
    page.fill("#email", STAFF_EMAIL)
    page.fill("#password", STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Every address the browser asks for (pages, downloads, scripts) and keeps in its history.
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    page.fill("#search-patient", "maria")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table.cases")).to_contain_text("Maria Chen")
    expect(page.locator("table.cases")).not_to_contain_text("Lee Okafor")
    addresses.append(page.url)
    assert fits_the_screen(page)
    shot(page, "clinic-cases")
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert [row["patient"] for row in rows] == ["Maria Chen"]
    addresses += [download.value.url, page.url]
    assert {"/clinic/cases/search", "/clinic/cases.csv"} <= {httpx.URL(a).path for a in addresses}
    assert not [a for a in addresses if "maria" in a.lower()], addresses

    page.locator("table.cases tbody tr", has_text="Maria Chen").locator("a").first.click()
    photo = tmp_path / "cheek.png"
    photo.write_bytes(PNG)
    page.set_input_files("#attach-file", str(photo))
    page.select_option("#attach-item", "photos")
    page.get_by_role("button", name="Attach").click()
    expect(page.locator("#attachments")).to_contain_text("cheek.png")

    # The interval box keeps room for its number beside the unit, even on a phone.
    box = page.locator("input[name=interval_every]").bounding_box()
    assert box is not None and box["width"] >= 56

    page.select_option("#event-kind", "pa_denied")
    page.fill("#event-date", "2025-01-10")
    page.get_by_role("button", name="Record", exact=True).click()
    # Research C1: a denial received 2025-01-10 may be appealed until 2025-07-09.
    expect(page.locator("#next-deadline")).to_contain_text("2025-07-09")
    assert fits_the_screen(page)
    shot(page, "clinic-case")

    page.get_by_role("link", name="Due soon").click()
    row = page.locator("table.due tr", has_text="File an internal appeal").first
    expect(row).to_contain_text("2025-07-09")
    expect(row).to_contain_text("Maria Chen")
    assert fits_the_screen(page)
    shot(page, "clinic-due")

    page.get_by_role("link", name="Calendar", exact=True).click()
    feed_url = page.locator("#feed-url").input_value()
    shot(page, "clinic-calendar")
    feed = httpx.get(feed_url, timeout=10)  # a calendar app: no sign-in, no cookie
    assert feed.status_code == 200
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert any("File an internal appeal" in str(event["summary"]) for event in events)
    assert "Maria" not in feed.text

    # Printing keeps the content and drops the controls.
    page.goto(live.url + "/clinic/due")
    page.emulate_media(media="print")
    expect(page.locator("header nav")).to_be_hidden()
    expect(page.locator("table.due")).to_be_visible()


def test_a_spanish_patient_reads_the_policy_and_what_a_paper_still_needs(
    page: Page, live: LiveServer
) -> None:
    page.goto(live.url + "/language?to=es&next=/")
    page.select_option("#procedure", "microneedling")
    page.select_option("#policy", "aetna")
    page.get_by_role("button", name="Empezar").click()
    while page.locator("#verdict").count() == 0:
        page.get_by_role("button", name="No lo sé").click()
    # The policy by its Spanish name, its English title kept: it names Aetna's documents.
    expect(page.locator(".verdict-card .eyebrow")).to_contain_text(
        "Según Boletines de política clínica de Aetna para procedimientos de la piel "
        "(Aetna clinical policy bulletins for skin procedures)"
    )
    page.locator("#papers summary").click()
    page.get_by_role("button", name="Estimación de Buena Fe (PDF)").click()
    refused = page.locator("#papers .error")
    expect(refused).to_contain_text("Aún no se puede redactar: Estimación de Buena Fe.")
    expect(refused).to_contain_text("Los precios: escriba el «Precio en efectivo» por sesión")
    page.fill("input[name=self_pay]:not([type=hidden])", "350")
    page.fill("input[name=sessions]:not([type=hidden])", "3")
    page.get_by_role("button", name="Comparar mis costos").click()
    page.locator("#papers summary").click()
    page.get_by_role("button", name="Estimación de Buena Fe (PDF)").click()
    expect(refused).to_contain_text("Falta: Nombre completo")
    expect(refused).to_contain_text("escríbalo en «Reservado el»")
    expect(refused).not_to_contain_text("is missing")
    assert fits_the_screen(page)
    shot(page, "patient-papers-es")


def test_the_shared_result_and_the_code_lookup_pass_axe(page: Page, live: LiveServer) -> None:
    page.goto(live.url + "/language?to=en&next=/")
    answer_microneedling_for_looks(page)
    page.get_by_role("button", name="Get a link to share").click()
    expect(page.locator("#shared-link")).to_be_visible()
    assert fits_the_screen(page)
    shot(page, "patient-shared")
    page.goto(live.url + "/codes?q=acne+scars")
    expect(page.locator(".code-results")).to_contain_text("L90.5", timeout=30_000)
    assert fits_the_screen(page)
    shot(page, "patient-codes")


def test_a_printed_result_keeps_the_chart_and_drops_the_forms(page: Page, live: LiveServer) -> None:
    page.goto(live.url + "/language?to=en&next=/")
    answer_microneedling_for_looks(page)
    page.fill("input[name=self_pay]", "350")
    page.fill("input[name=sessions]", "3")
    page.get_by_role("button", name="Compare my costs").click()
    page.emulate_media(media="print")
    chart = page.locator("figure.chart").first
    expect(chart).to_be_visible()
    expect(chart).to_contain_text("$1,050.00")
    bar = chart.locator(".bar").first
    colour = bar.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), "the bars print in colour"
    for control in ("button", "input:not([type=hidden])", "select", "header nav"):
        hidden = page.locator(control)
        for index in range(hidden.count()):
            expect(hidden.nth(index)).to_be_hidden()
    expect(page.locator("#verdict")).to_be_visible()
    # What the patient told us prints too, though it is folded away on the screen.
    expect(page.locator("details.told dl.answers")).to_be_visible()
    expect(page.locator("details.told dl.answers")).to_contain_text("Acne scars")
    screenshot(page, f"patient-result-print-{page.width_name}")  # as the printer gets it
    if page.width_name == "desktop":
        assert page.pdf(format="Letter", print_background=True).startswith(b"%PDF")
