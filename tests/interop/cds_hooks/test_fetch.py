"""Reading from the EHR's FHIR server: only a base URL the client allows, never a redirect off
it, and every answer bounded in size and time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dermcover.inputs import InputError
from dermcover.interop.cds_hooks.fetch import FetchFailed, FetchRefused, FhirFetcher
from dermcover.interop.cds_hooks.trust import TrustedClients

from ..support import public_jwks

BASE = "https://ehr.example.org/fhir"
PATIENT = b'{"resourceType": "Patient", "id": "p1"}'


class Server:
    """A FHIR server that answers every GET with `answer` and notes each URL asked for."""

    def __init__(self, answer: httpx.Response | None = None) -> None:
        self.asked: list[str] = []
        self.answer = answer or httpx.Response(200, content=PATIENT)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(str(request.url))
        return self.answer

    def fetcher(self, **options: float) -> FhirFetcher:
        made = FhirFetcher.for_request(
            {"fhirServer": BASE}, httpx.MockTransport(self.handle), [BASE]
        )
        assert made is not None
        for name, value in options.items():
            setattr(made, name, value)
        made.__post_init__()
        return made


@pytest.mark.parametrize(
    "server",
    [
        "https://evil.example/fhir",
        "https://ehr.example.org/fhir-other",
        "https://ehr.example.org.evil.example/fhir",
        "https://ehr.example.org",
        "http://ehr.example.org/fhir",
        "https://ehr.example.org/fhir/../admin",
    ],
)
def test_a_server_not_on_the_clients_list_is_refused(server: str) -> None:
    with pytest.raises(FetchRefused):
        FhirFetcher.for_request({"fhirServer": server}, None, [BASE])


def test_no_list_means_no_reads_and_the_listed_base_is_matched_as_written() -> None:
    with pytest.raises(FetchRefused, match="no fhir_servers"):
        FhirFetcher.for_request({"fhirServer": BASE}, None, [])
    found = FhirFetcher.for_request({"fhirServer": "HTTPS://EHR.example.org/fhir/"}, None, [BASE])
    assert found is not None and found.base == BASE


def test_a_redirect_is_not_followed() -> None:
    server = Server(httpx.Response(302, headers={"Location": "https://evil.example/Patient/p1"}))
    with pytest.raises(FetchFailed, match="redirects are not followed"):
        server.fetcher().get("Patient/p1")
    assert server.asked == [f"{BASE}/Patient/p1"]


def test_a_path_that_climbs_out_of_the_base_is_not_asked() -> None:
    server = Server()
    with pytest.raises(FetchFailed, match="not under"):
        server.fetcher().get("../admin/users")
    assert server.asked == []


def test_an_answer_over_the_size_limit_is_refused_declared_or_not() -> None:
    big = b'{"resourceType": "Patient", "text": "' + b"x" * 500 + b'"}'
    declared = Server(httpx.Response(200, content=big))
    with pytest.raises(FetchFailed, match="over 100 bytes"):
        declared.fetcher(max_bytes=100).get("Patient/p1")

    def chunks() -> Iterator[bytes]:
        yield from (big[i : i + 50] for i in range(0, len(big), 50))

    streamed = Server(httpx.Response(200, content=chunks()))  # no Content-Length
    with pytest.raises(FetchFailed, match="over 100 bytes"):
        streamed.fetcher(max_bytes=100).get("Patient/p1")
    assert Server().fetcher(max_bytes=100).get("Patient/p1") == {
        "resourceType": "Patient",
        "id": "p1",
    }


def test_a_server_that_trickles_runs_out_of_time() -> None:
    def trickle() -> Iterator[bytes]:
        for _ in range(100):
            time.sleep(0.02)
            yield b" "

    server = Server(httpx.Response(200, content=trickle()))
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="ran out"):
        server.fetcher(budget_seconds=0.2).get("Patient/p1")
    assert time.monotonic() - started < 1.0


def test_the_clients_file_names_a_bad_server_base(tmp_path: Path) -> None:
    path = tmp_path / "clients.json"
    client = {"iss": "https://ehr.example.org", "jwks": public_jwks()}
    path.write_text(
        json.dumps({"clients": [{**client, "fhir_servers": ["http://ehr.example.org/fhir"]}]})
    )
    with pytest.raises(InputError, match=r"fhir_servers\[0\].*https"):
        TrustedClients.from_file(path)
