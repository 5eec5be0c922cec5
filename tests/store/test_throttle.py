"""Sign-in counting in the database: one atomic claim per try, whatever the process."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from store_support import Store

from dermcover.store.models import now
from dermcover.store.throttle import SignInCounter, keys_for

HERE = keys_for("robin@clinic.example", "10.0.0.1")


def test_five_failures_lock_the_account_at_that_address_for_the_window(store: Store) -> None:
    counter = SignInCounter(store.sessions)
    start = now()
    for minute in range(5):
        assert counter.claim(HERE, at=start + timedelta(minutes=minute)).retry_after is None
    refused = counter.claim(HERE, at=start + timedelta(minutes=5))
    assert refused.retry_after == 10 * 60  # the window began at the first failure
    elsewhere = keys_for("Robin@Clinic.example ", "10.0.0.2")
    assert counter.claim(elsewhere, at=start + timedelta(minutes=5)).retry_after is None
    assert counter.claim(HERE, at=start + timedelta(minutes=15, seconds=1)).retry_after is None


def test_a_success_gives_the_account_its_tries_back(store: Store) -> None:
    counter = SignInCounter(store.sessions)
    for _ in range(4):
        counter.claim(HERE)
    counter.settle(HERE, succeeded=True)
    for _ in range(5):
        assert counter.claim(HERE).retry_after is None


def test_a_busy_address_is_slowed_not_locked(store: Store) -> None:
    counter = SignInCounter(store.sessions)
    claims = [counter.claim(keys_for(f"user{n}@clinic.example", "10.0.0.9")) for n in range(24)]
    assert all(c.retry_after is None for c in claims)
    assert [c.delay for c in claims[:20]] == [0.0] * 20
    assert [c.delay for c in claims[20:]] == [0.5, 1.0, 1.5, 2.0]


def test_forty_claims_at_once_let_exactly_five_through(store: Store) -> None:
    counter = SignInCounter(store.sessions)
    with ThreadPoolExecutor(max_workers=8) as pool:
        claims = list(pool.map(lambda _: counter.claim(HERE), range(40)))
    assert sum(c.retry_after is None for c in claims) == 5
