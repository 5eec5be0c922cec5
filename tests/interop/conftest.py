"""One app per test module for the payer-standard routes: a migrated SQLite file, the kit's
public keys as the only trusted client, and a stand-in EHR FHIR server behind a mock transport
(so nothing here reaches the network)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from dermcover.interop.cds_hooks.trust import CLIENTS_ENV
from dermcover.store.migrate import upgrade_database
from dermcover.web import Settings, create_app

from .support import StandInEhr, clients_file, token

# What the stand-in EHR holds: enough for the kit's requests that come without prefetch.
EHR_RESOURCES: list[dict[str, Any]] = [
    {"resourceType": "Patient", "id": "example", "gender": "female", "birthDate": "1971-03-02"},
    {"resourceType": "Patient", "id": "pat015", "gender": "male", "birthDate": "2015-02-23"},
    {
        "resourceType": "Coverage",
        "id": "cov-example",
        "status": "active",
        "beneficiary": {"reference": "Patient/example"},
        "payor": [{"reference": "Organization/payer"}],
        "class": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                            "code": "plan",
                        }
                    ]
                },
                "value": "Medicare Part B",
            }
        ],
    },
    {
        "resourceType": "Coverage",
        "id": "cov015",
        "status": "active",
        "subscriberId": "10A3D58WH456",
        "beneficiary": {"reference": "Patient/pat015"},
        "payor": [{"reference": "Organization/org1234"}],
        "class": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                            "code": "plan",
                        }
                    ]
                },
                "value": "Medicare Part A",
            }
        ],
    },
    {
        "resourceType": "ServiceRequest",
        "id": "example",
        "status": "active",
        "intent": "order",
        "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "17000"}]},
        "reasonCode": [
            {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "L57.0"}]}
        ],
        "subject": {"reference": "Patient/example"},
    },
]


@pytest.fixture(scope="module")
def ehr() -> StandInEhr:
    return StandInEhr(EHR_RESOURCES)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, ehr: StandInEhr) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("interop")
    url = make_url(f"sqlite:///{folder / 'dermcover.db'}")
    upgrade_database(url)
    with pytest.MonkeyPatch.context() as env:
        env.setenv(CLIENTS_ENV, str(clients_file(folder)))
        env.delenv("DERMCOVER_INTEROP_INSECURE", raising=False)
        env.delenv("DERMCOVER_PUBLIC_URL", raising=False)
        app = create_app(Settings(database_url=str(url), plain_http=True))
    app.state.interop.transport = ehr.transport
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def signed(path: str, alg: str = "ES384") -> dict[str, str]:
    """The Authorization header for one call to `path` (a fresh jti every time)."""
    return {"Authorization": f"Bearer {token(f'http://testserver{path}', alg=alg)}"}
