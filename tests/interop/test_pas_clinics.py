"""Each EHR client's PAS requests are filed in the clinic its trusted-client entry names: two
clients configured to two clinics never share patients, and neither can inquire into the
other's requests; a client that names no clinic files in the default one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dermcover.inputs import InputError
from dermcover.interop.cds_hooks.trust import ClientSpec, TrustedClients
from dermcover.store.models import Role
from dermcover.web.interop import Interop

from .support import INFERNO_ISS, PAS, deep, load, public_jwks, token
from .variants import pas_request

SUBMIT, INQUIRE = "/fhir/Claim/$submit", "/fhir/Claim/$inquire"
NORTH_EHR, SOUTH_EHR = "https://north-ehr.example", "https://south-ehr.example"
TRACE = "http://davinci-pas.org/PATIENT_EVENT_TRACE_NUMBER"


@pytest.fixture(scope="module")
def records(client: TestClient) -> Iterator[Any]:
    found = client.app.state.records  # type: ignore[attr-defined]
    for slug in ("north", "south"):
        found.clinics.add_clinic(slug, f"{slug.title()} Dermatology")
    interop: Interop = client.app.state.interop  # type: ignore[attr-defined]
    kept = interop.clients
    interop.clients = TrustedClients.from_specs(
        [
            ClientSpec(iss=NORTH_EHR, jwks=public_jwks(), clinic="north"),
            ClientSpec(iss=SOUTH_EHR, jwks=public_jwks(), clinic="south"),
            ClientSpec(iss=INFERNO_ISS, jwks=public_jwks()),
        ]
    )
    yield found
    interop.clients = kept


def post(client: TestClient, path: str, body: Any, iss: str) -> Any:
    headers = {"Authorization": f"Bearer {token(f'http://testserver{path}', iss=iss)}"}
    answer = client.post(path, json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def submitted(client: TestClient, records: Any, iss: str, identifier: str) -> Any:
    body = pas_request(
        "pended_pa_submit_request_payload.json", ["0479T"], "T23.361S", identifier=identifier
    )
    post(client, SUBMIT, body, iss)
    found = records.prior_auths.latest_for_claim(f"{TRACE}|{identifier}", client=None)
    assert found is not None and found.case_id is not None
    return found


def inquiry(identifier: str) -> dict[str, Any]:
    body = deep(load(PAS / "pended_pa_inquire_request_payload.json"))
    body = body[0] if isinstance(body, list) else body
    body["entry"][0]["resource"]["identifier"][0]["value"] = identifier
    return body


def test_a_second_clinics_staff_cannot_see_a_record_filed_for_the_first(
    client: TestClient, records: Any
) -> None:
    north = submitted(client, records, NORTH_EHR, "NORTH-1")
    south = submitted(client, records, SOUTH_EHR, "SOUTH-1")
    north_staff = records.users.add_user(
        "biller@north.example", "north clinic long passphrase", clinic="north", role=Role.biller
    ).id
    south_staff = records.users.add_user(
        "biller@south.example", "south clinic long passphrase", clinic="south", role=Role.biller
    ).id

    seen = records.cases.get_case(north.case_id, actor=north_staff)
    assert seen is not None and seen.clinic == "north"
    assert records.cases.get_case(north.case_id, actor=south_staff) is None
    assert [c.id for c in records.cases.list_cases(actor=south_staff)] == [south.case_id]
    assert [c.id for c in records.cases.list_cases(actor=north_staff)] == [north.case_id]


def test_a_client_cannot_inquire_into_another_clinics_request(
    client: TestClient, records: Any
) -> None:
    submitted(client, records, NORTH_EHR, "NORTH-2")
    assert "parameter" not in post(client, INQUIRE, inquiry("NORTH-2"), SOUTH_EHR)
    [found] = post(client, INQUIRE, inquiry("NORTH-2"), NORTH_EHR)["parameter"]
    assert found["name"] == "return"


def test_a_client_naming_no_clinic_files_in_the_default_one(
    client: TestClient, records: Any
) -> None:
    filed = submitted(client, records, INFERNO_ISS, "DEFAULT-1")
    staff = records.users.add_user(
        "biller@default.example", "default clinic long passphrase", clinic="default"
    ).id
    seen = records.cases.get_case(filed.case_id, actor=staff)
    assert seen is not None and seen.clinic == "default"


def test_a_clinic_that_does_not_exist_is_a_clear_4xx(client: TestClient, records: Any) -> None:
    interop: Interop = client.app.state.interop  # type: ignore[attr-defined]
    kept = interop.clients
    interop.clients = TrustedClients.from_specs(
        [ClientSpec(iss=NORTH_EHR, jwks=public_jwks(), clinic="west")]
    )
    try:
        body = pas_request("pended_pa_submit_request_payload.json", ["0479T"], "T23.361S")
        headers = {"Authorization": f"Bearer {token(f'http://testserver{SUBMIT}', iss=NORTH_EHR)}"}
        answer = client.post(SUBMIT, json=body, headers=headers)
    finally:
        interop.clients = kept
    assert answer.status_code == 422
    assert "'west': no such clinic" in answer.json()["issue"][0]["diagnostics"]


def test_a_clients_file_with_a_bad_clinic_id_names_it() -> None:
    with pytest.raises(InputError, match=r"clients\[0\].*clinic = 'North Clinic'"):
        TrustedClients.from_specs(
            [ClientSpec(iss=NORTH_EHR, jwks=public_jwks(), clinic="North Clinic")]
        )
