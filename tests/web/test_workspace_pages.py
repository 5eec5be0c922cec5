"""The clinic's everyday tools: search, CSV export, files kept with a case, "due soon" and the
calendar feed; and a patient's result shared by link."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

from fastapi.testclient import TestClient
from httpx import Response
from icalendar import Calendar

from .support import csrf_from
from .test_clinic_pages import CASE, new_case, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def case_path(client: TestClient, case: dict[str, object]) -> str:
    return new_case(client, case).split("testserver")[-1]


def two_cases(client: TestClient) -> tuple[str, str]:
    sign_in(client)
    first = case_path(
        client,
        {
            **CASE,
            "patient": {"name": "Alex Example"},
            "condition": {**CASE["condition"], "diagnoses": ["L90.5"]},  # type: ignore[dict-item]
        },
    )
    second = case_path(
        client,
        {
            **CASE,
            "patient": {"name": "Maria Chen"},
            "payer": {"policy": "aetna", "plan_type": "commercial", "plan_name": "Aetna Choice"},
        },
    )
    return first, second


def search(client: TestClient, path: str = "/clinic/cases/search", **terms: str) -> Response:
    """The case list's search form sent as the page sends it (POST, with the page's token)."""
    token = csrf_from(client.get("/clinic/cases").text)
    return client.post(path, data={"csrf_token": token, **terms})


def export(client: TestClient, **terms: str) -> list[dict[str, str]]:
    response = search(client, "/clinic/cases.csv", **terms)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def test_search_by_patient_code_payer_and_status(records_client: TestClient) -> None:
    two_cases(records_client)
    by_name = search(records_client, patient="maria").text
    assert "Maria Chen" in by_name and "Alex Example" not in by_name
    by_code = search(records_client, code="l905").text
    assert "Alex Example" in by_code and "Maria Chen" not in by_code
    by_payer = search(records_client, payer="aetna").text
    assert "Maria Chen" in by_payer and "Alex Example" not in by_payer
    by_plan_name = search(records_client, payer="choice").text
    assert "Maria Chen" in by_plan_name
    none = search(records_client, patient="nobody").text
    assert "No case matches this search" in none
    status = search(records_client, status="approved").text
    assert "Alex Example" not in status


def test_the_case_list_exports_as_csv_with_the_same_search(records_client: TestClient) -> None:
    two_cases(records_client)
    response = search(records_client, "/clinic/cases.csv", payer="aetna")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["patient"] for row in rows] == ["Maria Chen"]
    assert rows[0]["policy"] == "aetna" and rows[0]["plan_type"] == "commercial"
    everything = export(records_client)
    assert {row["patient"] for row in everything} == {"Alex Example", "Maria Chen"}


def test_the_export_form_carries_the_search_the_page_shows(records_client: TestClient) -> None:
    two_cases(records_client)
    page = search(records_client, patient="maria", status="covered").text
    form = page[page.index('<form id="export"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))
    assert fields.pop("csrf_token")
    assert fields == {"patient": "maria", "code": "", "payer": "", "status": "covered"}


def test_no_patient_name_is_ever_in_an_address_the_search_or_export_make(
    records_client: TestClient,
) -> None:
    two_cases(records_client)
    found = search(records_client, patient="Maria Chen")
    exported = search(records_client, "/clinic/cases.csv", patient="Maria Chen")
    assert "Maria Chen" in found.text and "Maria Chen" in exported.text
    addresses = [str(answer.url) for answer in (found, exported, *found.history)]
    addresses += [answer.headers.get("location", "") for answer in (found, exported)]
    # Every address the results page links to or sends a form to, a button's own included.
    addresses += [
        html.unescape(address)
        for address in re.findall(r'(?:href|action|formaction|src)="([^"]*)"', found.text)
    ]
    assert addresses and not [a for a in addresses if "maria" in a.lower()], addresses
    assert '<form method="get"' not in records_client.get("/clinic/cases").text
    # The terms go in the body only: typed into the address, they are not a search.
    typed = records_client.get("/clinic/cases", params={"patient": "maria"})
    assert "Alex Example" in typed.text
    assert records_client.get("/clinic/cases.csv", params={"patient": "maria"}).status_code == 405


def test_the_search_and_export_are_csrf_checked_and_not_stored(
    records_client: TestClient,
) -> None:
    two_cases(records_client)
    for path in ("/clinic/cases/search", "/clinic/cases.csv"):
        forged = records_client.post(path, data={"patient": "maria"})
        assert forged.status_code == 403, path
        assert "Maria Chen" not in forged.text
        answer = search(records_client, path, patient="maria")
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "no-store", path


def test_a_formula_in_a_patient_name_stays_text_in_the_csv(records_client: TestClient) -> None:
    sign_in(records_client)
    case_path(records_client, {**CASE, "patient": {"name": "=HYPERLINK(1)"}})
    [row] = export(records_client)
    assert row["patient"] == "'=HYPERLINK(1)"


def test_a_photo_attached_is_listed_downloadable_and_on_file(records_client: TestClient) -> None:
    first, second = two_cases(records_client)
    page = records_client.get(first).text
    response = records_client.post(
        f"{first}/attachments",
        data={"csrf_token": csrf_from(page), "item": "medical_records"},
        files={"file": ("visit.png", PNG, "image/png")},
    )
    assert response.status_code == 200
    assert "visit.png" in response.text
    link = re.search(rf'href="({first}/attachments/\d+)"', response.text)
    assert link
    download = records_client.get(link.group(1))
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    # Not reachable through another case's address.
    other = records_client.get(link.group(1).replace(first, second))
    assert other.status_code == 404
    # Medical records now count as on file in the checklist.
    assert re.search(r'class="present"><span class="mark">✔</span>Medical records', response.text)


def test_a_file_that_is_not_a_photo_or_record_is_refused(records_client: TestClient) -> None:
    first, _ = two_cases(records_client)
    token = csrf_from(records_client.get(first).text)
    response = records_client.post(
        f"{first}/attachments",
        data={"csrf_token": token, "item": "photos"},
        files={"file": ("hand.png", b"%PDF-1.4 not a png", "image/png")},
    )
    assert response.status_code == 422
    assert "its contents are not a .png file" in html.unescape(response.text)


def record_denial(client: TestClient, path: str, on: date) -> None:
    token = csrf_from(client.get(path).text)
    response = client.post(
        f"{path}/events", data={"csrf_token": token, "kind": "pa_denied", "on": on.isoformat()}
    )
    assert response.status_code == 200


def test_due_soon_and_the_calendar_feed_list_the_appeal_deadline(
    records_client: TestClient,
) -> None:
    first, _ = two_cases(records_client)
    record_denial(records_client, first, date(2025, 1, 10))
    due = records_client.get("/clinic/due").text
    # C1: an internal appeal of a denial received 2025-01-10 is due by 2025-07-09.
    assert "2025-07-09" in due and "File an internal appeal" in due
    assert "overdue" in due
    page = records_client.get("/clinic/calendar").text
    feed_url = html.unescape(re.search(r'id="feed-url" value="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    assert "Alex" not in feed_url and "@" not in feed_url
    # A calendar app reads it without signing in.
    records_client.post("/clinic/logout", data={"csrf_token": csrf_from(page)})
    feed = records_client.get(feed_url.split("testserver")[-1])
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    events = [(str(e["summary"]), e.decoded("dtstart")) for e in calendar.walk("VEVENT")]
    assert (f"Case #{first.rsplit('/', 1)[1]}: File an internal appeal", date(2025, 7, 9)) in events
    assert "Alex Example" not in feed.text  # no patient names in calendars
    assert records_client.get("/calendar/not-a-token.ics").status_code == 404


def test_a_new_calendar_address_retires_the_old_one(records_client: TestClient) -> None:
    sign_in(records_client)
    page = records_client.get("/clinic/calendar").text
    old = html.unescape(re.search(r'id="feed-url" value="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    records_client.post("/clinic/calendar/renew", data={"csrf_token": csrf_from(page)})
    new = html.unescape(
        re.search(
            r'id="feed-url" value="([^"]+)"', records_client.get("/clinic/calendar").text
        ).group(1)  # type: ignore[union-attr]
    )
    assert new != old
    assert records_client.get(old.split("testserver")[-1]).status_code == 404
    assert records_client.get(new.split("testserver")[-1]).status_code == 200


def test_a_shared_result_has_a_stable_link_without_patient_data(
    records_client: TestClient,
) -> None:
    from .test_patient_pages import hidden, reply, start

    page = start(records_client, "microneedling")
    for answer in ("acne_scars", "appearance", "__none__"):
        page = reply(records_client, page, "answer", answer=answer)
    shared = records_client.post(
        "/check/share",
        data={
            "csrf_token": csrf_from(page.text),
            "state": hidden(page.text, "state"),
            "self_pay": "350",
            "sessions": "3",
            "patient_name": "Ana Gomez",
        },
        follow_redirects=False,
    )
    assert shared.status_code == 303
    link = shared.headers["location"]
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{32}", link)
    again = records_client.get(link)
    assert again.status_code == 200
    assert 'id="verdict"' in again.text and "A shared result" in again.text
    assert records_client.get(link).text.count("$1,050.00") >= 1  # the costs, worked out again
    assert "Ana Gomez" not in again.text
    records_client.post(f"{link}/delete", data={"csrf_token": csrf_from(again.text)})
    assert records_client.get(link).status_code == 404
