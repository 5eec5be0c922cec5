"""The clinic's everyday tools: search, CSV export, files kept with a case, "due soon" and the
calendar feed; and a patient's result shared by link."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

from fastapi.testclient import TestClient
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


def test_search_by_patient_code_payer_and_status(records_client: TestClient) -> None:
    two_cases(records_client)
    by_name = records_client.get("/clinic/cases", params={"patient": "maria"}).text
    assert "Maria Chen" in by_name and "Alex Example" not in by_name
    by_code = records_client.get("/clinic/cases", params={"code": "l905"}).text
    assert "Alex Example" in by_code and "Maria Chen" not in by_code
    by_payer = records_client.get("/clinic/cases", params={"payer": "aetna"}).text
    assert "Maria Chen" in by_payer and "Alex Example" not in by_payer
    by_plan_name = records_client.get("/clinic/cases", params={"payer": "choice"}).text
    assert "Maria Chen" in by_plan_name
    none = records_client.get("/clinic/cases", params={"patient": "nobody"}).text
    assert "No case matches this search" in none
    status = records_client.get("/clinic/cases", params={"status": "approved"}).text
    assert "Alex Example" not in status


def test_the_case_list_exports_as_csv_with_the_same_search(records_client: TestClient) -> None:
    two_cases(records_client)
    response = records_client.get("/clinic/cases.csv", params={"payer": "aetna"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["patient"] for row in rows] == ["Maria Chen"]
    assert rows[0]["policy"] == "aetna" and rows[0]["plan_type"] == "commercial"
    everything = list(csv.DictReader(io.StringIO(records_client.get("/clinic/cases.csv").text)))
    assert {row["patient"] for row in everything} == {"Alex Example", "Maria Chen"}


def test_a_formula_in_a_patient_name_stays_text_in_the_csv(records_client: TestClient) -> None:
    sign_in(records_client)
    case_path(records_client, {**CASE, "patient": {"name": "=HYPERLINK(1)"}})
    [row] = list(csv.DictReader(io.StringIO(records_client.get("/clinic/cases.csv").text)))
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
