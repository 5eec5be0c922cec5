"""Input an attacker (or a broken client) sends gets a 4xx with one line naming the field and
the limit, never a 500, and never its own huge value echoed back."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from dermcover.case import MAX_PROCEDURES
from dermcover.web.api import determinations
from dermcover.web.api.determinations import INLINE_BYTES, INLINE_LINES

from .support import example, make_app

CASE = example("microneedling-unknown-reason.yaml")
CASE_JSON = json.dumps(CASE)
DETERMINATIONS = "/api/v1/determinations"
ESTIMATES = "/api/v1/estimates"
YAML = "application/yaml"
ALIASES = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else 'x, x, x'}]\n"
    for prev, name in zip(["", "a", "b", "c", "d"], ["a", "b", "c", "d", "e"], strict=True)
)

HOSTILE = [
    # (what, url, body, content type, status, what the one line says)
    (
        "integer of 5,000 digits",
        DETERMINATIONS,
        json.dumps({**CASE, "patient": {"age": 0}}).replace('"age": 0', '"age": ' + "9" * 5000),
        None,
        422,
        "patient.age: a number of 5,000 digits; at most 30 are allowed",
    ),
    (
        "nesting 500 deep",
        DETERMINATIONS,
        '{"a":' * 500 + "1" + "}" * 500,
        None,
        422,
        "nested deeper than 32 levels (the limit)",
    ),
    (
        "money of 1e26",
        ESTIMATES,
        '{"prices": {"self_pay": 1e26}}',
        None,
        422,
        "prices.self_pay = 1e+26: Input should be less than or equal to 10000000",
    ),
    (
        "money of 10**30",
        ESTIMATES,
        '{"prices": {"self_pay": ' + "1" + "0" * 29 + "}}",
        None,
        422,
        "prices.self_pay",
    ),
    (
        "a lone surrogate",
        DETERMINATIONS,
        CASE_JSON.replace('"example-unknowns"', '"\\ud800"'),
        None,
        422,
        "id: text holds a lone surrogate",
    ),
    (
        "a NUL character",
        DETERMINATIONS,
        CASE_JSON.replace('"example-unknowns"', '"a\\u0000b"'),
        None,
        422,
        "id: text holds a NUL character",
    ),
    (
        "infinity",
        DETERMINATIONS,
        CASE_JSON.replace('"sessions": 3', '"sessions": 1e400'),
        None,
        422,
        "procedures[0].sessions = Infinity: Input should be a finite number",
    ),
    (
        "NaN",
        ESTIMATES,
        '{"prices": {"self_pay": NaN}}',
        None,
        422,
        "NaN is not a number a request may hold",
    ),
    (
        "YAML false for a number",
        ESTIMATES,
        "prices: {self_pay: 100}\nsessions: false\n",
        YAML,
        422,
        "sessions = false: false is not a number",
    ),
    (
        "a JSON key twice",
        DETERMINATIONS,
        '{"purpose": "function", "purpose": "appearance"}',
        None,
        422,
        "duplicate field 'purpose'",
    ),
    (
        "a YAML key twice",
        DETERMINATIONS,
        "purpose: function\npurpose: appearance\n",
        YAML,
        422,
        "request body:2: duplicate field 'purpose'",
    ),
    ("YAML aliases", DETERMINATIONS, ALIASES, YAML, 422, "YAML aliases (*name) are not allowed"),
    (
        "5,000 procedures",
        DETERMINATIONS,
        json.dumps({**CASE, "procedures": CASE["procedures"] * 5000}),
        None,
        422,
        "procedures: 5,000 items; at most 1,000 are allowed in a list",
    ),
    (
        "60 procedures",
        DETERMINATIONS,
        json.dumps({**CASE, "procedures": CASE["procedures"] * 60}),
        None,
        422,
        "procedures = ",
    ),
    (
        "a 100,000-character text",
        DETERMINATIONS,
        json.dumps({**CASE, "id": "x" * 100_000}),
        None,
        422,
        "id: text of 100,000 characters; at most 20,000 are allowed",
    ),
    (
        "plain text",
        DETERMINATIONS,
        CASE_JSON,
        "text/plain",
        415,
        "Content-Type 'text/plain': send the body as application/json or application/yaml",
    ),
    ("a form", DETERMINATIONS, "a=1", "application/x-www-form-urlencoded", 415, "Content-Type"),
]


@pytest.mark.parametrize(
    ("url", "body", "content_type", "status", "says"),
    [pytest.param(*case[1:], id=case[0]) for case in HOSTILE],
)
def test_hostile_bodies_get_a_4xx_with_the_one_line(
    client: TestClient, url: str, body: str, content_type: str | None, status: int, says: str
) -> None:
    answer = client.post(
        url,
        content=body.encode("utf-8", "surrogatepass"),
        headers={"content-type": content_type or "application/json"},
    )
    assert answer.status_code == status, answer.text
    detail = answer.json()["detail"]
    assert says in detail
    assert len(detail) < 300 and "\n" not in detail


def test_sixty_procedures_name_the_limit(client: TestClient) -> None:
    answer = client.post(DETERMINATIONS, json={**CASE, "procedures": CASE["procedures"] * 60})
    assert answer.status_code == 422
    assert "List should have at most 50 items" in answer.json()["detail"]
    assert answer.json()["field"] == "procedures"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/" + "9" * 30,
        "/api/v1/cases/" + "a" * 5000,
        "/api/v1/policies/" + "x" * 5000,
        "/api/v1/codes/icd10?q=acne&limit=" + "9" * 30,
        "/api/v1/cases?limit=" + "9" * 30,
    ],
)
def test_ids_beyond_64_bits_or_very_long_are_a_4xx(records_client: TestClient, path: str) -> None:
    signed_in = records_client.post(
        "/api/v1/session",
        json={"email": "robin.billing@clinic.example", "password": "blue kettle on the stove"},
    )
    assert signed_in.status_code == 200
    answer = records_client.get(path)
    assert answer.status_code in (404, 422), answer.text
    assert len(answer.json()["detail"]) < 300


# Costly cases, as a client may send them: the most procedure lines a case may have, and one
# line with a long list (the prior treatments tried). A case this size is decided in a worker
# thread; small ones are decided on the event loop, since their size bounds their cost (see
# INLINE_LINES in the determinations route). The decision is slowed down here so that it
# certainly outlasts the budget on any machine.
COSTLY = {
    "most lines": {**CASE, "procedures": CASE["procedures"] * MAX_PROCEDURES},
    "a long list": {
        **CASE,
        "prior_treatments": [{"name": "silicone_gel", "outcome": "failed", "months": 3}] * 30,
    },
}


def costly_case(name: str) -> dict[str, Any]:
    case = COSTLY[name]
    past_the_bound = len(case["procedures"]) > INLINE_LINES or len(json.dumps(case)) > INLINE_BYTES
    assert past_the_bound, "this case would be decided on the event loop"
    return case


def slow_determine(*args: Any, **kwargs: Any) -> Any:
    time.sleep(1.5)
    raise AssertionError("the budget should have answered first")


@pytest.mark.parametrize("costly", COSTLY)
def test_a_request_over_its_time_budget_gets_503_with_retry_after(
    sqlite_url: URL, monkeypatch: pytest.MonkeyPatch, costly: str
) -> None:
    monkeypatch.setattr(determinations, "determine", slow_determine)
    with TestClient(make_app(sqlite_url, request_seconds=0.3), raise_server_exceptions=False) as c:
        begun = time.perf_counter()
        answer = c.post(DETERMINATIONS, json=costly_case(costly))
        waited = time.perf_counter() - begun
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert "budget" in answer.json()["detail"]
    assert waited < 1.2, "the 503 waited for the decision to end"


@pytest.mark.parametrize("costly", COSTLY)
def test_a_slow_decision_does_not_stall_the_others(
    sqlite_url: URL, monkeypatch: pytest.MonkeyPatch, costly: str
) -> None:
    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.0)
        return real(*args, **kwargs)

    real = determinations.determine
    monkeypatch.setattr(determinations, "determine", slow)
    app = make_app(sqlite_url)

    async def both() -> tuple[float, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            costly_answer = asyncio.create_task(c.post(DETERMINATIONS, json=costly_case(costly)))
            await asyncio.sleep(0.1)
            begun = time.perf_counter()
            cheap = await c.get("/api/v1/policies")
            waited = time.perf_counter() - begun
            assert (await costly_answer).status_code == 200
            return waited, cheap.status_code

    waited, status = asyncio.run(both())
    assert status == 200
    assert waited < 0.5, "the cheap request waited for the costly one"
