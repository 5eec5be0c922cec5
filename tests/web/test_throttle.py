"""Sign-in throttling: guessing passwords runs out of tries."""

from __future__ import annotations

from fastapi.testclient import TestClient

from dermcover.web.throttle import SignInThrottle, sign_in_keys

from .support import STAFF_EMAIL, STAFF_PASSWORD, csrf_from


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_lock_the_account_for_the_rest_of_the_window() -> None:
    clock = Clock()
    throttle = SignInThrottle(max_failures=5, window_seconds=900, clock=clock)
    keys = sign_in_keys("Robin@Clinic.example", "10.0.0.1")
    for _ in range(4):
        throttle.failed(keys)
        clock.now += 10
    assert throttle.retry_after(keys) is None
    throttle.failed(keys)
    assert throttle.retry_after(keys) == 900 - 40
    clock.now += 900 - 40
    assert throttle.retry_after(keys) is None  # the first failure has left the window


def test_the_account_is_counted_whatever_the_spelling_or_address() -> None:
    throttle = SignInThrottle(max_failures=2, clock=Clock())
    throttle.failed(sign_in_keys("robin@clinic.example", "10.0.0.1"))
    throttle.failed(sign_in_keys(" ROBIN@clinic.example", "10.0.0.2"))
    assert throttle.retry_after(sign_in_keys("robin@clinic.example", "10.0.0.3")) is not None


def test_a_success_clears_the_account_but_not_the_address() -> None:
    throttle = SignInThrottle(max_failures=2, clock=Clock())
    keys = sign_in_keys("robin@clinic.example", "10.0.0.1")
    throttle.failed(keys)
    throttle.succeeded(keys[0])
    throttle.failed(keys)
    assert throttle.retry_after([keys[0]]) is None
    assert throttle.retry_after([keys[1]]) is not None


def test_the_api_refuses_even_the_right_password_after_five_wrong_ones(
    records_client: TestClient,
) -> None:
    for _ in range(5):
        wrong = records_client.post(
            "/api/v1/session", json={"email": STAFF_EMAIL, "password": "not-it-at-all"}
        )
        assert wrong.status_code == 401
    refused = records_client.post(
        "/api/v1/session", json={"email": STAFF_EMAIL, "password": STAFF_PASSWORD}
    )
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "too many failed sign-ins" in refused.json()["detail"]


def test_the_sign_in_page_says_to_wait(records_client: TestClient) -> None:
    for _ in range(5):
        token = csrf_from(records_client.get("/clinic/login").text)
        records_client.post(
            "/clinic/login", data={"csrf_token": token, "email": STAFF_EMAIL, "password": "no"}
        )
    token = csrf_from(records_client.get("/clinic/login").text)
    page = records_client.post(
        "/clinic/login",
        data={"csrf_token": token, "email": STAFF_EMAIL, "password": STAFF_PASSWORD},
    )
    assert page.status_code == 429
    assert "too many failed sign-ins" in page.text
