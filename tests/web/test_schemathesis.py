"""schemathesis against the service's own OpenAPI document: a bounded number of generated
requests per API operation, anonymous and signed in, with every check schemathesis has, and
its stateful mode chaining operations along the document's links (a created case to its
reads, revision, events and letter of medical necessity).

The document names two string formats of its own, which schemathesis is told how to write
here: `npi` (ten digits, the last the Luhn check digit over the 80840 prefix) and `past-date`
(a date that is today or before)."""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import OperationConfig
from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url

from dermcover.codes.search import search_icd10
from dermcover.engine.plans import plan_library
from dermcover.engine.spread import ALL_POLICIES
from dermcover.store.database import create_database_engine, session_factory
from dermcover.store.migrate import upgrade_database
from dermcover.store.models import CaseEvent, CaseRecord
from dermcover.store.users import UserRepository

from .support import STAFF_EMAIL, STAFF_PASSWORD, make_app

EXAMPLES = settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def _luhn_check_digit(digits: str) -> str:
    """The digit that makes `digits` + it pass the Luhn test (the NPI standard's worked rule)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


NPIS = st.text("0123456789", min_size=9, max_size=9).map(
    lambda nine: nine + _luhn_check_digit("80840" + nine)
)
schemathesis.openapi.format("npi", NPIS)
schemathesis.openapi.format(
    "past-date", st.dates(max_value=date.today()).map(lambda day: day.isoformat())
)


def fuzzed_database() -> URL:
    """The service's own SQLite file, with one staff account."""
    folder = Path(tempfile.mkdtemp(prefix="dermcover-fuzz-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = make_url(f"sqlite:///{folder / 'dermcover.db'}")
    upgrade_database(url)
    engine = create_database_engine(url)
    UserRepository(session_factory(engine)).add_user(STAFF_EMAIL, STAFF_PASSWORD)
    engine.dispose()
    return url


DATABASE = fuzzed_database()
search_icd10("acne", 1)  # the server warms the code search index before it serves; so here
APP: FastAPI = make_app(DATABASE, request_seconds=60)
# Hundreds of generated sign-ins come from the one test client: slowing that address (after 20
# failures, test_throttle's business) would only make this run crawl.
APP.state.records.throttle.slow_after = 1_000_000


# Rules that tie one field to another, which JSON Schema cannot state (it compares no value
# with another): what schemathesis generates as valid is brought within them before it is
# sent, in positive cases only (a negative case stays what it was made to be). Every check,
# `positive_data_acceptance` included, then runs on every operation: a 4xx on such data fails.
ORDERED_FIELDS = (  # (the lower, the higher, what the higher is when left out)
    ("deductible_met", "deductible", 0),  # what is met of a deductible is at most the deductible
    ("oop_met", "oop_max", None),  # and of the out-of-pocket maximum (none: no limit)
    ("scheduled_on", "first_session", None),  # a session is booked before it happens
    ("date", "received_on", None),  # a denial notice arrives after the date on it
)
PLAN_POLICIES = {plan_id: plan.spec.policy for plan_id, plan in plan_library().plans.items()}


def in_order(node: Any) -> None:
    """Each pair of ORDERED_FIELDS in `node` (and in everything it holds) made to keep its
    order, the first lowered to the second."""
    if isinstance(node, list):
        for item in node:
            in_order(item)
        return
    if not isinstance(node, dict):
        return
    for low, high, default in ORDERED_FIELDS:
        higher = node.get(high, default)
        first, second = ordering_value(node.get(low)), ordering_value(higher)
        if type(first) is type(second) and first is not None and first > second:  # type: ignore[operator]
            node[low] = higher
    for value in node.values():
        in_order(value)


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def ordering_value(value: Any) -> Decimal | str | None:
    """An amount (a number, or its digits as text) as a Decimal, a date as its ISO text (which
    sorts as the dates do); None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    if not isinstance(value, str):
        return None
    if ISO_DATE.fullmatch(value):
        return value
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def plan_under_the_policy_asked_for(case: Any) -> None:
    """A `policy` query parameter names the policy the case's plan sits over: the body and the
    query are two places OpenAPI cannot relate (a plan over another policy is a 422)."""
    query, body = case.query or {}, case.body
    payer = body.get("payer") if isinstance(body, dict) else None
    plan = payer.get("plan") if isinstance(payer, dict) else None
    asked = query.get("policy")
    if plan in PLAN_POLICIES and asked not in (None, ALL_POLICIES, PLAN_POLICIES[plan]):
        query["policy"] = PLAN_POLICIES[plan]


def within_cross_field_rules(context: Any, case: Any) -> Any:
    if case.meta is not None and case.meta.generation.mode.is_positive:
        in_order(case.body)
        plan_under_the_policy_asked_for(case)
    return case


def leaves_out_credentials(case: Any) -> bool:
    """Whether schemathesis made this case by leaving out the session cookie or the token the
    operation's security requirement names."""
    needs = {name for need in case.operation.definition.raw.get("security", []) for name in need}
    cookies, headers = case.cookies or {}, case.headers or {}
    return ("staffSession" in needs and "dermcover_session" not in cookies) or (
        "csrfToken" in needs and "X-CSRF-Token" not in headers
    )


def stored_rows() -> tuple[int, int]:
    """How many cases and events the database holds."""
    engine = create_database_engine(DATABASE)
    try:
        with engine.connect() as connection:
            cases = connection.scalar(select(func.count()).select_from(CaseRecord)) or 0
            events = connection.scalar(select(func.count()).select_from(CaseEvent)) or 0
    finally:
        engine.dispose()
    return cases, events


@pytest.fixture(scope="module")
def staff_headers() -> dict[str, str]:
    client = TestClient(APP)
    answer = client.post("/api/v1/session", json={"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert answer.status_code == 200, answer.text
    return {
        "X-CSRF-Token": answer.json()["csrf_token"],
        "Cookie": f"dermcover_session={client.cookies['dermcover_session']}",
    }


# Each operation that writes a document renders it (a PDF is the default), some hundred times
# the cost of any other answer: they get fewer examples each (2, the others 5), so that the
# run stays bounded. The coverage phase is not bounded by examples: for these operations it
# made over a thousand schema-valid bodies each (every boundary of every field, the longest
# texts among them), every one rendered, most of the run's time. There it makes the invalid
# ones only (each answered 422 before anything is rendered); the valid bodies these operations
# get come from the generated examples, and every check still runs on every request.
DOCUMENT_PATHS = r"/documents/"
PAPER_EXAMPLES = settings(EXAMPLES, max_examples=2)


# The coverage phase is not bounded by examples either: it enumerates every boundary of every
# parameter and field, some hundreds of requests an operation, the same ones in both runs, and
# makes them all before the first test runs. Each run makes those of the operations whose
# answer its credentials decide: the anonymous run the operations anyone may call, the
# signed-in run those that need staff. (Anonymous, a staff operation answers them all 401;
# signed in, an open operation answers them as it did anonymously, its code not reading the
# session.) The generated examples of every operation still go through both runs.
def needs_staff(operation: dict[str, Any]) -> bool:
    return bool(operation.get("security"))


def operation_ids(staff: bool) -> list[str]:
    """The API's operations that need staff (or, with `staff` false, that anyone may call)."""
    return [
        operation["operationId"]
        for path, item in APP.openapi()["paths"].items()
        if path.startswith("/api/v1/")
        for operation in item.values()
        if isinstance(operation, dict) and needs_staff(operation) == staff
    ]


def api_schema(*, signed_in: bool) -> Any:
    """The service's API document as schemathesis reads it, for the anonymous or the signed-in
    run: its coverage phase made only for the operations those credentials decide."""
    loaded = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex="^/api/v1/")
    # schemathesis can also draw string literals from the application's own code and put them
    # in any string field, whatever its format ("docs-assets" as a case UUID or an event's
    # date), and then call the service's 422 a rejection of valid data: generation from the
    # document only.
    loaded.config.analysis.constants.enabled = False
    # The stateful run follows the document's own links. schemathesis would also infer links by
    # field names, and wire a determination's `case_id` (the client's own label for the case,
    # any text) into the `{case_id}` of the case routes (a stored case's UUID).
    loaded.config.phases.stateful.inference.algorithms = []
    loaded.config.operations.operations += [
        OperationConfig.from_dict(
            {
                "include-path-regex": DOCUMENT_PATHS,
                "phases": {"coverage": {"generation": {"mode": "negative"}}},
            }
        ),
        OperationConfig.from_dict(
            {
                "include-operation-id": operation_ids(staff=not signed_in),
                "phases": {"coverage": {"enabled": False}},
            }
        ),
    ]
    loaded.hook("map_case")(within_cross_field_rules)
    return loaded


ANONYMOUS = api_schema(signed_in=False)
SIGNED_IN = api_schema(signed_in=True)


def anonymous(case: Any) -> None:
    case.call_and_validate()


def signed_in(case: Any, staff_headers: dict[str, str]) -> None:
    if case.path == "/api/v1/session" and case.method in ("DELETE", "PUT"):
        return  # signing out would end the session the others use
    if leaves_out_credentials(case):
        # A case made by leaving out the credentials: the anonymous run asks that one; here
        # the signed-in credentials would be added back and the case no longer be what it says.
        return
    case.call_and_validate(headers=staff_headers)


@ANONYMOUS.exclude(path_regex=DOCUMENT_PATHS).parametrize()
@EXAMPLES
def test_anonymous_requests_follow_the_document(case: Any) -> None:
    anonymous(case)


@SIGNED_IN.exclude(path_regex=DOCUMENT_PATHS).parametrize()
@EXAMPLES
def test_signed_in_requests_follow_the_document(case: Any, staff_headers: dict[str, str]) -> None:
    signed_in(case, staff_headers)


@ANONYMOUS.include(path_regex=DOCUMENT_PATHS).parametrize()
@PAPER_EXAMPLES
def test_anonymous_document_requests_follow_the_document(case: Any) -> None:
    anonymous(case)


@SIGNED_IN.include(path_regex=DOCUMENT_PATHS).parametrize()
@PAPER_EXAMPLES
def test_signed_in_document_requests_follow_the_document(
    case: Any, staff_headers: dict[str, str]
) -> None:
    signed_in(case, staff_headers)


Workflow = SIGNED_IN.as_state_machine()


class SignedInWorkflow(Workflow):  # type: ignore[misc,valid-type]
    """Chains operations along the document's links: create a case, then read, revise it,
    record its events and write its documents, as a signed-in biller would."""

    headers: ClassVar[dict[str, str]] = {}

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        if leaves_out_credentials(case):
            return {}  # a step made by leaving out the credentials goes without them
        return {"headers": SignedInWorkflow.headers}

    def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
        case.validate_response(
            response,
            transport_kwargs=kwargs or None,
            recorder=self.recorder,  # the stateful checks (use after free...) read the history
        )


def test_stateful_workflows_create_cases_and_record_their_events(
    staff_headers: dict[str, str],
) -> None:
    SignedInWorkflow.headers = staff_headers
    cases_before, events_before = stored_rows()
    SignedInWorkflow.run(
        settings=settings(
            max_examples=10,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    cases_after, events_after = stored_rows()
    # Generated bodies the document allows make cases, and the links carry their real ids on
    # to the events: a document whose schemas or links stopped allowing that fails here.
    assert cases_after > cases_before, "the stateful run stored no case"
    assert events_after > events_before, "the stateful run recorded no event on a stored case"
