"""Sign-in throttling through the web: guessing runs out of tries, concurrent guesses are
checked one at a time, forwarded addresses count only from a trusted proxy, and a burst of
sign-ins waits its turn for the password hash instead of exhausting memory."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from dermcover.store import users
from dermcover.web.throttle import PasswordChecks

from .support import STAFF_EMAIL, STAFF_PASSWORD, csrf_from, make_app

WRONG = {"email": STAFF_EMAIL, "password": "not-it-at-all"}
RIGHT = {"email": STAFF_EMAIL, "password": STAFF_PASSWORD}


def test_the_api_refuses_even_the_right_password_after_five_wrong_ones(
    records_client: TestClient,
) -> None:
    for _ in range(5):
        assert records_client.post("/api/v1/session", json=WRONG).status_code == 401
    refused = records_client.post("/api/v1/session", json=RIGHT)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "too many failed sign-ins" in refused.json()["detail"]


def test_the_sign_in_page_says_to_wait(records_client: TestClient) -> None:
    for _ in range(5):
        token = csrf_from(records_client.get("/clinic/login").text)
        records_client.post("/clinic/login", data={"csrf_token": token, **WRONG})
    token = csrf_from(records_client.get("/clinic/login").text)
    page = records_client.post("/clinic/login", data={"csrf_token": token, **RIGHT})
    assert page.status_code == 429
    assert "too many failed sign-ins" in page.text


def test_the_lock_holds_across_a_restart(records_client: TestClient, database_url: URL) -> None:
    for _ in range(5):
        records_client.post("/api/v1/session", json=WRONG)
    with TestClient(make_app(database_url), raise_server_exceptions=False) as restarted:
        assert restarted.post("/api/v1/session", json=RIGHT).status_code == 429


class CountedChecks:
    """Wraps the password check to count the checks and how many ran at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.checks = 0
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()
        real = users.password_matches

        def counted(password_hash: str | None, password: str) -> bool:
            with self._lock:
                self.checks += 1
                self.running += 1
                self.most_at_once = max(self.most_at_once, self.running)
            try:
                time.sleep(0.01)  # long enough for overlapping checks to show
                return real(password_hash, password)
            finally:
                with self._lock:
                    self.running -= 1

        monkeypatch.setattr(users, "password_matches", counted)


async def guesses(app: FastAPI, bodies: list[dict[str, str]], **headers: str) -> list[int]:
    transport = httpx.ASGITransport(app=app, client=("10.0.0.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        answers = await asyncio.gather(
            *[client.post("/api/v1/session", json=b, headers=headers) for b in bodies]
        )
    return [a.status_code for a in answers]


def test_forty_concurrent_guesses_are_checked_one_at_a_time(
    database_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = CountedChecks(monkeypatch)
    statuses = asyncio.run(guesses(make_app(database_url), [WRONG] * 40))
    assert sorted(statuses) == [401] * 5 + [429] * 35
    assert counted.checks == 5
    assert counted.most_at_once == 1


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(database_url: URL) -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.5"}
    untrusting = make_app(database_url)
    # Five failures "from" other addresses are still the one real address to an untrusting app.
    for n in range(5):
        asyncio.run(guesses(untrusting, [WRONG], **{"X-Forwarded-For": f"203.0.113.{n}"}))
    assert asyncio.run(guesses(untrusting, [RIGHT], **spoofed)) == [429]

    behind_proxy = make_app(database_url, trusted_proxies=frozenset({"10.0.0.7"}))
    # Through the proxy, the client it names is counted, so another client is not locked.
    assert asyncio.run(guesses(behind_proxy, [WRONG] * 5, **spoofed)) == [401] * 5
    assert asyncio.run(guesses(behind_proxy, [RIGHT], **spoofed)) == [429]
    other_client = {"X-Forwarded-For": "198.51.100.1"}
    assert asyncio.run(guesses(behind_proxy, [RIGHT], **other_client)) == [200]


def test_a_burst_beyond_the_queue_gets_503_not_a_pile_of_hashes(
    database_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = CountedChecks(monkeypatch)
    app = make_app(database_url)
    app.state.password_checks = PasswordChecks(verifying=2, waiting=3)
    bodies: list[dict[str, Any]] = [
        {"email": f"person{n}@clinic.example", "password": "whatever it is"} for n in range(12)
    ]
    statuses = asyncio.run(guesses(app, bodies))
    assert statuses.count(503) == 7
    assert statuses.count(401) == 5
    assert counted.most_at_once <= 2
