"""schemathesis against the service's own OpenAPI document: a bounded number of generated
requests per API operation, anonymous and signed in, with every check schemathesis has, and
its stateful mode chaining operations along the document's links (a created case to its
reads, revision and events)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any, ClassVar

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.engine import make_url

from dermcover.store.database import create_database_engine, session_factory
from dermcover.store.migrate import upgrade_database
from dermcover.store.users import UserRepository

from .support import STAFF_EMAIL, STAFF_PASSWORD, make_app

EXAMPLES = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
# Schema-valid data can still be refused for what no schema can say (an unknown policy id, a
# date after today, a document the policy does not support): those are 422s, not defects.
EXCLUDED = [positive_data_acceptance]


def fuzzed_app() -> FastAPI:
    """The service on its own SQLite file, with one staff account (the module's only app)."""
    folder = Path(tempfile.mkdtemp(prefix="dermcover-fuzz-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = make_url(f"sqlite:///{folder / 'dermcover.db'}")
    upgrade_database(url)
    engine = create_database_engine(url)
    UserRepository(session_factory(engine)).add_user(STAFF_EMAIL, STAFF_PASSWORD)
    engine.dispose()
    return make_app(url, request_seconds=60)


APP = fuzzed_app()
# Hundreds of generated sign-ins come from the one test client: slowing that address (after 20
# failures, test_throttle's business) would only make this run crawl.
APP.state.records.throttle.slow_after = 1_000_000
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex="^/api/v1/")


@pytest.fixture(scope="module")
def staff_headers() -> dict[str, str]:
    client = TestClient(APP)
    answer = client.post("/api/v1/session", json={"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert answer.status_code == 200, answer.text
    return {
        "X-CSRF-Token": answer.json()["csrf_token"],
        "Cookie": f"dermcover_session={client.cookies['dermcover_session']}",
    }


@schema.parametrize()
@EXAMPLES
def test_anonymous_requests_follow_the_document(case: Any) -> None:
    case.call_and_validate(excluded_checks=EXCLUDED)


@schema.parametrize()
@EXAMPLES
def test_signed_in_requests_follow_the_document(case: Any, staff_headers: dict[str, str]) -> None:
    if case.path == "/api/v1/session" and case.method in ("DELETE", "PUT"):
        return  # signing out or changing the password would end the session the others use
    described = str(getattr(getattr(case.meta, "phase", None), "data", None) or "")
    if "dermcover_session" in described or "X-CSRF-Token" in described:
        # A case made by leaving out the credentials: the anonymous run asks that one; here
        # the signed-in credentials would be added back and the case no longer be what it says.
        return
    case.call_and_validate(headers=staff_headers, excluded_checks=EXCLUDED)


Workflow = schema.as_state_machine()


class SignedInWorkflow(Workflow):  # type: ignore[misc,valid-type]
    """Chains operations along the document's links: create a case, then read, revise it and
    record its events, as a signed-in biller would."""

    headers: ClassVar[dict[str, str]] = {}

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return {"headers": SignedInWorkflow.headers}

    def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
        case.validate_response(response, excluded_checks=EXCLUDED, transport_kwargs=kwargs)


def test_stateful_workflows_follow_the_links(staff_headers: dict[str, str]) -> None:
    SignedInWorkflow.headers = staff_headers
    SignedInWorkflow.run(
        settings=settings(
            max_examples=6,
            stateful_step_count=4,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
