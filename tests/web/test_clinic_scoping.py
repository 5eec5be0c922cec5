"""Clinics keep their cases to themselves, and roles limit what staff do with them: through the
API, the pages and the document downloads, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from dermcover.store.clinics import ClinicRepository
from dermcover.store.database import create_database_engine, session_factory
from dermcover.store.models import Role
from dermcover.store.users import UserRepository

from .support import STAFF_EMAIL, STAFF_PASSWORD, csrf_from, example

NORTH_EMAIL = "kim.north@north.example"
VIEWER_EMAIL = "lee.viewer@clinic.example"
CLINICIAN_EMAIL = "pat.clinician@clinic.example"
PASSWORD = "rain on the harbour wall"
BURN = {
    "patient": {"name": "Sam Example", "age": 40},
    "payer": {"policy": "generic", "plan_type": "commercial", "network": "in"},
    "procedures": [{"kind": "fractional_ablative_laser", "sessions": 3, "site": "hand"}],
    "condition": {"kind": "burn_scar", "cause": "burn", "severity": "severe"},
    "purpose": "function",
    "impairment": ["restricted_range_of_motion"],
}
EVENT = {"kind": "pa_submitted", "on": "2025-01-02"}


@pytest.fixture
def people(database_url: URL) -> URL:
    """Beside the default clinic's admin: a biller at another clinic, and a viewer and a
    clinician at the default clinic."""
    engine = create_database_engine(database_url)
    sessions = session_factory(engine)
    ClinicRepository(sessions).add_clinic("north", "North Skin Clinic")
    users = UserRepository(sessions)
    users.add_user(NORTH_EMAIL, PASSWORD, clinic="north", role=Role.biller)
    users.add_user(VIEWER_EMAIL, PASSWORD, clinic="default", role=Role.viewer)
    users.add_user(CLINICIAN_EMAIL, PASSWORD, clinic="default", role=Role.clinician)
    engine.dispose()
    return database_url


def signed_in(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    client.cookies.clear()
    answer = client.post("/api/v1/session", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


@pytest.fixture
def case_id(people: URL, records_client: TestClient) -> Iterator[str]:
    owner = signed_in(records_client, STAFF_EMAIL, STAFF_PASSWORD)
    created = owner.post("/api/v1/cases", json=example("burn-scar-laser.yaml"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["clinic"] == "default"
    yield body["id"]


def test_case_ids_are_random_uuids(case_id: str, records_client: TestClient) -> None:
    second = records_client.post("/api/v1/cases", json=BURN).json()["id"]
    assert len(case_id) == 36 and case_id.count("-") == 4
    assert case_id != second and not case_id.startswith("0000")


def test_another_clinic_gets_404_on_every_api_route(
    case_id: str, records_client: TestClient
) -> None:
    north = signed_in(records_client, NORTH_EMAIL)
    assert north.get("/api/v1/cases").json() == []
    base = f"/api/v1/cases/{case_id}"
    answers = {
        "read": north.get(base),
        "events": north.get(f"{base}/events"),
        "update": north.put(base, json=BURN),
        "event": north.post(f"{base}/events", json=EVENT),
        "document": north.post(f"{base}/documents/lmn", json={}),
    }
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 404)
    assert answers["read"].json()["detail"] == f"case {case_id}: no such case"
    # Nothing changed: the owner still sees the case as it was, with no events.
    owner = signed_in(records_client, STAFF_EMAIL, STAFF_PASSWORD)
    assert owner.get(f"{base}/events").json() == []


def test_another_clinic_gets_404_on_every_page(case_id: str, records_client: TestClient) -> None:
    north = signed_in(records_client, NORTH_EMAIL)
    token = csrf_from(north.get("/clinic/cases/new").text)
    base = f"/clinic/cases/{case_id}"
    form = {"csrf_token": token}
    answers = {
        "page": north.get(base),
        "edit page": north.get(f"{base}/edit"),
        "edit": north.post(f"{base}/edit", data={**form, "document": json.dumps(BURN)}),
        "event": north.post(f"{base}/events", data={**form, **EVENT}),
        "document": north.post(f"{base}/documents", data={**form, "kind": "lmn"}),
    }
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 404)
    listing = north.get("/clinic/cases")
    assert case_id not in listing.text and "Sam Example" not in listing.text


def test_a_viewer_reads_but_cannot_change_anything(
    case_id: str, records_client: TestClient
) -> None:
    viewer = signed_in(records_client, VIEWER_EMAIL)
    base = f"/api/v1/cases/{case_id}"
    assert viewer.get(base).status_code == 200
    assert [row["id"] for row in viewer.get("/api/v1/cases").json()] == [case_id]
    refused = {
        "update": viewer.put(base, json=BURN),
        "event": viewer.post(f"{base}/events", json=EVENT),
        "letter": viewer.post(f"{base}/documents/lmn", json={}),
        "new case": viewer.post("/api/v1/cases", json=BURN),
    }
    assert {name: a.status_code for name, a in refused.items()} == dict.fromkeys(refused, 403)
    assert "the viewer role may not record payer events" in refused["event"].json()["detail"]


def test_a_clinician_writes_letters_but_not_payer_events_or_estimates(
    case_id: str, records_client: TestClient
) -> None:
    clinician = signed_in(records_client, CLINICIAN_EMAIL)
    base = f"/api/v1/cases/{case_id}"
    assert clinician.put(base, json=example("burn-scar-laser.yaml")).status_code == 200
    assert clinician.post(f"{base}/events", json=EVENT).status_code == 403
    schedule = {"schedule": example("schedule-burn-laser.yaml")}
    letter = clinician.post(f"{base}/documents/lmn", params={"format": "json"}, json=schedule)
    assert letter.status_code == 200, letter.text
    estimate = clinician.post(f"{base}/documents/gfe", params={"format": "json"}, json=schedule)
    assert estimate.status_code == 403


def test_a_refused_attempt_is_in_the_owning_case_s_trail_as_refused(
    case_id: str, records_client: TestClient
) -> None:
    north = signed_in(records_client, NORTH_EMAIL)
    assert north.get(f"/api/v1/cases/{case_id}").status_code == 404
    owner = signed_in(records_client, STAFF_EMAIL, STAFF_PASSWORD)
    page = owner.get(f"/clinic/cases/{case_id}").text
    log = page[page.index("Access log") :]
    assert f"{NORTH_EMAIL} was refused the case" in log
