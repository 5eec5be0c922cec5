"""Staff sessions through the web: revoked at once, kept across a restart, and a cookie that
travels over HTTPS only unless the service is told it runs on plain HTTP for development."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from dermcover.store.database import create_database_engine, session_factory
from dermcover.store.users import UserRepository

from .support import STAFF_EMAIL, STAFF_PASSWORD, make_app

CREDENTIALS = {"email": STAFF_EMAIL, "password": STAFF_PASSWORD}


def sign_in(client: TestClient) -> str:
    answer = client.post("/api/v1/session", json=CREDENTIALS)
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client.cookies["dermcover_session"]


def with_cookie(client: TestClient, token: str) -> TestClient:
    other = TestClient(client.app, raise_server_exceptions=False)
    other.cookies.set("dermcover_session", token)
    return other


def test_a_signed_out_session_cannot_be_replayed(records_client: TestClient) -> None:
    token = sign_in(records_client)
    assert records_client.delete("/api/v1/session").status_code == 204
    replayed = with_cookie(records_client, token)
    assert replayed.get("/api/v1/cases").status_code == 401
    assert replayed.get("/clinic/cases", follow_redirects=False).status_code == 303


def test_a_password_change_ends_the_other_sessions_at_once(
    records_client: TestClient,
) -> None:
    elsewhere = with_cookie(records_client, sign_in(records_client))
    assert elsewhere.get("/api/v1/cases").status_code == 200
    changed = records_client.put(
        "/api/v1/session/password",
        json={"current_password": STAFF_PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert changed.status_code == 200, changed.text
    assert elsewhere.get("/api/v1/cases").status_code == 401
    records_client.headers["X-CSRF-Token"] = changed.json()["csrf_token"]
    assert records_client.get("/api/v1/cases").status_code == 200, "this client carries on"


def test_a_wrong_current_password_changes_nothing(records_client: TestClient) -> None:
    """A well-formed change whose proof of identity is wrong is refused (403), not called bad
    input: the OpenAPI document's schema allows any current password."""
    sign_in(records_client)
    refused = records_client.put(
        "/api/v1/session/password",
        json={"current_password": "not it at all", "new_password": "a brand new passphrase"},
    )
    assert refused.status_code == 403
    assert "current password" in refused.json()["detail"]
    assert records_client.get("/api/v1/cases").status_code == 200


def test_disabling_the_account_ends_its_session(
    records_client: TestClient, database_url: URL
) -> None:
    sign_in(records_client)
    engine = create_database_engine(database_url)
    UserRepository(session_factory(engine)).disable_user(STAFF_EMAIL)
    engine.dispose()
    assert records_client.get("/api/v1/cases").status_code == 401


def test_a_session_outlives_a_restart_of_the_service(
    records_client: TestClient, database_url: URL
) -> None:
    token = sign_in(records_client)
    with TestClient(make_app(database_url), raise_server_exceptions=False) as restarted:
        restarted.cookies.set("dermcover_session", token)
        assert restarted.get("/api/v1/cases").status_code == 200


def test_cookies_are_secure_unless_told_it_is_plain_http(database_url: URL) -> None:
    app = make_app(database_url, plain_http=False)
    with TestClient(app, base_url="https://testserver") as client:
        answer = client.post("/api/v1/session", json=CREDENTIALS)
        assert answer.status_code == 200
        cookie = answer.headers["set-cookie"]
        assert "dermcover_session=" in cookie
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    with TestClient(make_app(database_url, plain_http=True)) as client:
        cookie = client.post("/api/v1/session", json=CREDENTIALS).headers["set-cookie"]
        assert "Secure" not in cookie and "HttpOnly" in cookie


def test_serve_refuses_plain_http_away_from_loopback() -> None:
    from typer.testing import CliRunner

    from dermcover.cli import app

    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--plain-http"])
    assert result.exit_code == 2
    assert "plain HTTP (--plain-http, DERMCOVER_PLAIN_HTTP) is for development" in result.stderr
