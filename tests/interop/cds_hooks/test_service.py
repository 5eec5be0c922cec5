"""The hook call over HTTP: who may call it, where missing data comes from, and that no body,
however odd, gets a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermcover.interop.cds_hooks.trust import ClientSpec, TrustedClients
from dermcover.web.interop import Interop

from .. import kit_checks as kit
from ..conftest import signed
from ..support import INFERNO_ISS, StandInEhr, crd, deep, public_jwks, token
from ..variants import order_sign_actinic_keratoses

PATH = "/cds-services/order-sign"


def post(client: TestClient, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return client.post(PATH, json=body, headers=headers if headers is not None else signed(PATH))


@pytest.fixture
def interop(client: TestClient) -> Iterator[Interop]:
    found: Interop = client.app.state.interop  # type: ignore[attr-defined]
    transport, clients = found.transport, found.clients
    yield found
    found.transport, found.clients = transport, clients
    found.insecure = False


def test_a_call_without_a_token_is_refused(client: TestClient) -> None:
    answer = post(client, crd("order_sign_0.json"), headers={})
    assert answer.status_code == 401
    assert "bearer token" in answer.json()["detail"]


def test_a_token_for_another_service_is_refused(client: TestClient) -> None:
    wrong = {"Authorization": f"Bearer {token('http://testserver/cds-services/order-select')}"}
    assert post(client, crd("order_sign_0.json"), headers=wrong).status_code == 401


def test_the_development_switch_lets_unsigned_calls_in_and_says_so(
    client: TestClient, interop: Interop, caplog: pytest.LogCaptureFixture
) -> None:
    interop.insecure = True
    answer = post(client, crd("order_sign_0.json"), headers={})
    assert answer.status_code == 200
    assert "unauthenticated" in caplog.text


def test_without_prefetch_the_data_is_read_from_the_ehr_with_its_token(
    client: TestClient, ehr: StandInEhr
) -> None:
    with_prefetch = order_sign_actinic_keratoses()
    without = deep(with_prefetch)
    del without["prefetch"]
    before = len(ehr.paths)
    first, second = post(client, with_prefetch).json(), post(client, without).json()
    read = ehr.paths[before:]
    assert "Coverage/cov015" in read and "Patient/pat015" in read
    assert set(ehr.tokens[before:]) == {"Bearer SAMPLE_TOKEN"}
    assert kit.response_problems("order-sign", second) == []

    def covered(answer: dict[str, Any]) -> list[str]:
        subs = answer["systemActions"][0]["resource"]["extension"][-1]["extension"]
        return [s.get("valueCode") for s in subs if s["url"] in ("covered", "pa-needed")]

    assert covered(first) == covered(second) == ["covered", "no-auth"]


def test_412_only_when_the_coverage_can_be_had_neither_way(
    client: TestClient, interop: Interop
) -> None:
    body = deep(crd("order_sign_1.json"))
    del body["prefetch"]
    for order in body["context"]["draftOrders"]["entry"]:
        order["resource"].pop("insurance")

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    interop.transport = httpx.MockTransport(unreachable)
    answer = post(client, body)
    assert answer.status_code == 412
    assert "coverage" in answer.json()["detail"]
    no_server = deep(body)
    del no_server["fhirServer"]
    assert post(client, no_server).status_code == 412


def without_prefetch() -> dict[str, Any]:
    body = order_sign_actinic_keratoses()
    del body["prefetch"]
    return body


@pytest.mark.parametrize(
    ("servers", "why"),
    [
        ([], "no fhir_servers"),
        (["https://ehr.example.org/fhir"], "not one of this client's fhir_servers"),
    ],
)
def test_a_fhir_server_the_client_does_not_list_is_never_read(
    client: TestClient, interop: Interop, ehr: StandInEhr, servers: list[str], why: str
) -> None:
    spec = ClientSpec(iss=INFERNO_ISS, jwks=public_jwks(), fhir_servers=servers)
    interop.clients = TrustedClients.from_specs([spec])
    before = len(ehr.paths)
    answer = post(client, without_prefetch())
    assert answer.status_code == 412
    assert why in answer.json()["detail"]
    assert ehr.paths[before:] == []
    assert post(client, order_sign_actinic_keratoses()).status_code == 200  # prefetch: no reads


def test_insecure_mode_reads_from_no_fhir_server(
    client: TestClient, interop: Interop, ehr: StandInEhr
) -> None:
    interop.insecure = True
    before = len(ehr.paths)
    assert post(client, without_prefetch(), headers={}).status_code == 412
    assert ehr.paths[before:] == []


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_no_body_gets_a_500(client: TestClient, junk: Any) -> None:
    base = deep(crd("order_sign_1.json"))
    for body in (junk, {**base, "context": junk}, {**base, "prefetch": junk}):
        answer = client.post(PATH, content=json.dumps(body), headers=signed(PATH))
        assert answer.status_code in (200, 400, 412), answer.text


def test_behind_a_proxy_the_token_names_the_public_url(
    client: TestClient, interop: Interop
) -> None:
    interop.public_url = "https://payer.example"
    try:
        body = crd("order_sign_0.json")
        local = post(client, body)  # a token for http://testserver/... no longer fits
        public = {"Authorization": f"Bearer {token('https://payer.example' + PATH)}"}
        assert local.status_code == 401
        assert post(client, body, headers=public).status_code == 200
    finally:
        interop.public_url = None
