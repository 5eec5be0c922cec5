"""Sign-in throttling: too many wrong passwords for one account, or from one address, and
sign-in is refused for a while, so a password cannot be guessed by trying many.

Failures are counted in memory, per server process, over a sliding window; a success for an
account clears that account's count. Behind several processes an attacker gets a few more tries
(one window per process), which still bounds guessing to a handful an hour.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from threading import Lock

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


class SignInThrottle:
    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = Lock()

    def retry_after(self, keys: Iterable[str]) -> int | None:
        """Seconds until sign-in may be tried again for any of `keys`, or None if it may now."""
        now = self._clock()
        waits: list[float] = []
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.max_failures:
                    waits.append(failures[0] + self.window_seconds - now)
        return math.ceil(max(waits)) if waits else None

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        return failures


def sign_in_keys(email: str, client: str | None) -> list[str]:
    """What failures are counted against: the account, and the address the attempt came from."""
    keys = [f"account:{email.strip().lower()}"]
    if client:
        keys.append(f"address:{client}")
    return keys
