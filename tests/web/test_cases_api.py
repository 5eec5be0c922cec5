"""Staff-only case records through the API, on SQLite and PostgreSQL: a case is stored with its
determination, a payer's answer opens the deadline the regulations set, and nobody else gets in."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .support import STAFF_EMAIL, example

MISSING = "00000000-0000-4000-8000-000000000000"  # a case id no case has

BURN = {
    "id": "burn-2025-01",
    "patient": {"name": "Sam Example", "age": 40},
    "payer": {"policy": "generic", "plan_type": "commercial", "network": "in"},
    "procedures": [{"kind": "fractional_ablative_laser", "sessions": 3, "site": "hand"}],
    "condition": {"kind": "burn_scar", "cause": "burn", "severity": "severe"},
    "purpose": "function",
    "impairment": ["restricted_range_of_motion"],
}


def test_anonymous_callers_get_401_on_every_case_route(records_client: TestClient) -> None:
    assert records_client.get("/api/v1/cases").status_code == 401
    assert records_client.get(f"/api/v1/cases/{MISSING}").status_code == 401
    assert records_client.post("/api/v1/cases", json=BURN).status_code == 401
    event = {"kind": "pa_submitted", "on": "2025-01-02"}
    assert records_client.post(f"/api/v1/cases/{MISSING}/events", json=event).status_code == 401


def test_a_wrong_password_does_not_sign_in(records_client: TestClient) -> None:
    response = records_client.post(
        "/api/v1/session", json={"email": STAFF_EMAIL, "password": "not the password at all"}
    )
    assert response.status_code == 401
    assert records_client.get("/api/v1/cases").status_code == 401


def test_a_case_is_stored_with_its_determination(staff_client: TestClient) -> None:
    created = staff_client.post("/api/v1/cases", json=example("pico-laser-prp-melasma.yaml"))
    assert created.status_code == 201
    body = created.json()
    assert body["determination"]["outcome"] == "not_covered_cosmetic"
    assert body["status"] == "not_covered"
    again = staff_client.get(f"/api/v1/cases/{body['id']}").json()
    assert again["case"]["procedures"] == body["case"]["procedures"]
    listed = staff_client.get("/api/v1/cases").json()
    assert [row["id"] for row in listed] == [body["id"]]


def test_a_denial_opens_the_appeal_deadline(staff_client: TestClient) -> None:
    case_id = staff_client.post("/api/v1/cases", json=BURN).json()["id"]
    submitted = staff_client.post(
        f"/api/v1/cases/{case_id}/events", json={"kind": "pa_submitted", "on": "2025-01-02"}
    )
    assert submitted.status_code == 201
    denied = staff_client.post(
        f"/api/v1/cases/{case_id}/events",
        json={"kind": "pa_denied", "on": "2025-01-10", "notes": "denied as cosmetic"},
    )
    assert denied.status_code == 201
    # Research C1: ERISA/ACA internal appeal, denial received 2025-01-10 -> file by 2025-07-09.
    assert [d["due"] for d in denied.json()["deadlines"]] == ["2025-07-09"]
    case = staff_client.get(f"/api/v1/cases/{case_id}").json()
    assert case["status"] == "denied"
    assert case["next_deadline"]["due"] == "2025-07-09"
    row = staff_client.get("/api/v1/cases").json()[0]
    assert row["next_deadline"] == "2025-07-09"
    events = staff_client.get(f"/api/v1/cases/{case_id}/events").json()
    assert [e["kind"] for e in events] == ["pa_submitted", "pa_denied"]


def test_a_submitted_request_opens_the_payer_decision_clock(staff_client: TestClient) -> None:
    case_id = staff_client.post("/api/v1/cases", json=BURN).json()["id"]
    event = staff_client.post(
        f"/api/v1/cases/{case_id}/events", json={"kind": "pa_submitted", "on": "2025-04-01"}
    ).json()
    # Research C5: pre-service claim received 2025-04-01 -> decision due 2025-04-16.
    assert "2025-04-16" in [d["due"] for d in event["deadlines"]]


def test_bad_event_input_is_a_422_naming_the_field(staff_client: TestClient) -> None:
    case_id = staff_client.post("/api/v1/cases", json=BURN).json()["id"]
    url = f"/api/v1/cases/{case_id}/events"
    bad_kind = staff_client.post(url, json={"kind": "payer_shrugged", "on": "2025-01-02"})
    assert bad_kind.status_code == 422
    assert bad_kind.json()["field"] == "kind"
    bad_date = staff_client.post(url, json={"kind": "pa_denied", "on": "2025-02-30"})
    assert bad_date.status_code == 422
    assert bad_date.json()["field"] == "on"
    future = staff_client.post(url, json={"kind": "pa_denied", "on": "2999-01-01"})
    assert future.status_code == 422
    assert "after today" in future.json()["detail"]


def test_a_case_that_does_not_exist_is_404(staff_client: TestClient) -> None:
    assert staff_client.get(f"/api/v1/cases/{MISSING}").status_code == 404
    missing = staff_client.post(
        f"/api/v1/cases/{MISSING}/events", json={"kind": "pa_submitted", "on": "2025-01-02"}
    )
    assert missing.status_code == 404
    assert staff_client.get("/api/v1/cases/not-a-number").status_code == 422


def test_updating_the_facts_decides_again(staff_client: TestClient) -> None:
    case_id = staff_client.post("/api/v1/cases", json=BURN).json()["id"]
    cosmetic = {**BURN, "purpose": "appearance", "impairment": []}
    cosmetic["condition"] = {"kind": "photoaging", "cause": "aging"}
    updated = staff_client.put(f"/api/v1/cases/{case_id}", json=cosmetic)
    assert updated.status_code == 200
    assert updated.json()["determination"]["outcome"] == "not_covered_cosmetic"


def test_writes_without_the_csrf_header_are_refused(staff_client: TestClient) -> None:
    token = staff_client.headers.pop("X-CSRF-Token")
    assert staff_client.post("/api/v1/cases", json=BURN).status_code == 403
    assert staff_client.get("/api/v1/cases").status_code == 200, "reads need no token"
    staff_client.headers["X-CSRF-Token"] = token + "x"
    assert staff_client.post("/api/v1/cases", json=BURN).status_code == 403


def test_every_read_and_write_is_audited(staff_client: TestClient) -> None:
    case_id = staff_client.post("/api/v1/cases", json=BURN).json()["id"]
    staff_client.get(f"/api/v1/cases/{case_id}")
    staff_client.post(
        f"/api/v1/cases/{case_id}/events", json={"kind": "pa_submitted", "on": "2025-01-02"}
    )
    page = staff_client.get(f"/clinic/cases/{case_id}")
    assert page.status_code == 200
    # The case page's access log shows who did what, newest first.
    log = page.text[page.text.index("Access log") :]
    assert log.count(STAFF_EMAIL) >= 4
    for action in ("created the case", "opened the case", "recorded an event"):
        assert action in log


def test_signing_out_ends_access(staff_client: TestClient) -> None:
    assert staff_client.delete("/api/v1/session").status_code == 204
    assert staff_client.get("/api/v1/cases").status_code == 401
