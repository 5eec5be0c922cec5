"""Nothing a client sends can produce a 500: arbitrary JSON, and valid cases with one field
replaced by arbitrary JSON, get 200 or 422, never anything else."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .support import example

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

CASE = example("microneedling-unknown-reason.yaml")
CASE_FIELDS = [
    ("payer", "policy"),
    ("payer", "network"),
    ("patient", "age"),
    ("procedures",),
    ("condition", "diagnoses"),
    ("condition", "kind"),
    ("impairment",),
    ("prior_treatments",),
    ("provider", "npi"),
]

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def replaced(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    case = {key: (dict(v) if isinstance(v, dict) else v) for key, v in CASE.items()}
    target: dict[str, Any] = case
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value
    return case


@FUZZ
@given(body=json_values)
def test_any_json_body_is_answered_200_or_422(client: TestClient, body: Any) -> None:
    for url in ("/api/v1/determinations", "/api/v1/estimates"):
        response = client.post(
            url, content=json.dumps(body), headers={"content-type": "application/json"}
        )
        assert response.status_code in (200, 422), (url, body, response.text)


@FUZZ
@given(path=st.sampled_from(CASE_FIELDS), value=json_values)
def test_a_case_with_one_field_replaced_is_answered_200_or_422(
    client: TestClient, path: tuple[str, ...], value: Any
) -> None:
    response = client.post("/api/v1/determinations", json=replaced(path, value))
    assert response.status_code in (200, 422), (path, value, response.text)
    estimate = client.post(
        "/api/v1/estimates", json={"case": replaced(path, value), "prices": {"self_pay": 100}}
    )
    assert estimate.status_code in (200, 422), (path, value, estimate.text)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes_are_answered_200_or_422(client: TestClient, raw: bytes) -> None:
    for content_type in ("application/json", "application/yaml"):
        response = client.post(
            "/api/v1/determinations", content=raw, headers={"content-type": content_type}
        )
        assert response.status_code in (200, 422), (raw, response.text)
