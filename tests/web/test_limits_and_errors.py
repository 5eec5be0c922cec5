"""What no client can do: send more than the size limit (413), or get a traceback (never a 500
with details), or find a patient's details in the log."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from .support import csrf_from, make_app

URL_ = "/api/v1/determinations"


@pytest.fixture
def small_app(sqlite_url: URL) -> FastAPI:
    return make_app(sqlite_url, max_body_bytes=2_000)


@pytest.fixture
def small(small_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(small_app, raise_server_exceptions=False) as client:
        yield client


def test_a_declared_oversized_body_gets_413(small: TestClient) -> None:
    body = b'{"procedures": [{"kind": "microneedling"}], "id": "' + b"x" * 3_000 + b'"}'
    response = small.post(URL_, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "2,000 bytes" in response.json()["detail"]


def test_a_streamed_oversized_body_gets_413(small: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"procedures": [{"kind": "microneedling"}], "id": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    response = small.post(URL_, content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_an_oversized_form_gets_413_on_the_pages_too(small: TestClient) -> None:
    response = small.post("/check", data={"state": "x" * 5_000})
    assert response.status_code == 413


def test_a_body_under_the_limit_is_fine(small: TestClient) -> None:
    response = small.post(URL_, json={"procedures": [{"kind": "microneedling"}]})
    assert response.status_code == 200


def test_a_crash_is_a_plain_500_and_the_log_keeps_no_message(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/api/v1/crash")
    async def crash() -> None:
        raise RuntimeError("patient Jane Example, DOB 1980-01-01")

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.INFO):
        response = client.get("/api/v1/crash")
    assert response.status_code == 500
    assert "Jane" not in response.text
    assert "Traceback" not in response.text
    assert response.json()["detail"] == "something went wrong on our side"
    assert "RuntimeError" in caplog.text
    assert "Jane" not in caplog.text


def test_the_request_log_has_no_query_string(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="dermcover.web"):
        client.get("/api/v1/codes/icd10", params={"q": "keloid scar"})
    # The service's own lines: the test client (httpx) logs the URL it asked for, query and all.
    served = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "/api/v1/codes/icd10" in served
    assert "keloid" not in served


def test_a_determination_is_logged_with_its_status_and_without_its_query(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="dermcover.web"):
        client.post(URL_, params={"policy": "nosuchpolicy"}, json={"procedures": []})
    served = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert re.search(r"^POST /api/v1/determinations 422 [\d.]+ms$", served, re.M), served
    assert "nosuchpolicy" not in served


def test_unknown_routes_are_404_not_500(client: TestClient) -> None:
    assert client.get("/api/v1/nothing-here").status_code == 404
    assert client.get("/nothing-here").status_code == 404


def test_wrong_method_is_405(client: TestClient) -> None:
    assert client.get(URL_).status_code == 405


def test_nothing_a_patient_types_reaches_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = csrf_from(client.get("/").text)
    with caplog.at_level(logging.DEBUG):
        page = client.post(
            "/check",
            data={"csrf_token": token, "action": "start", "procedure": "microneedling"},
        )
        state = html.unescape(re.search(r'name="state" value="([^"]*)"', page.text).group(1))
        client.post(
            "/check/papers",
            data={
                "csrf_token": token,
                "state": state,
                "kind": "gfe",
                "patient_name": "Zephyrine Quillfeather",
                "birth_date": "1970-01-02",
            },
        )
        client.post("/api/v1/determinations", json={"procedures": [{"kind": "Quillfeather"}]})
    assert "/check/papers" in caplog.text, "requests are logged"
    assert "Quillfeather" not in caplog.text
    assert "1970-01-02" not in caplog.text


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/api/v1/policies")):
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
