"""Sign-in, guarded: throttled in the database (`dermcover.store.throttle`), one check at a time
per account, and a bounded number of password hashes computed at once.

argon2id is deliberately costly (tens of milliseconds and 64 MiB each), so a burst of sign-ins
must not run them all at once: at most `MAX_VERIFYING` run together in a process, at most
`MAX_WAITING` more wait their turn, and any beyond that get 503 with Retry-After. Guesses for one
account are checked one after another, so that no burst can slip past the count.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from dermcover.store.models import AuditAction
from dermcover.store.throttle import Claim, keys_for
from dermcover.store.users import Staff
from dermcover.web.client_address import client_address
from dermcover.web.records import Records

MAX_VERIFYING = 4
MAX_WAITING = 64


class KeyedLocks:
    """One asyncio lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class PasswordChecks:
    """Where passwords are checked: bounded, and one at a time per account."""

    def __init__(self, verifying: int = MAX_VERIFYING, waiting: int = MAX_WAITING) -> None:
        self._slots = asyncio.Semaphore(verifying)
        self._capacity = verifying + waiting
        self._in_line = 0
        self._accounts = KeyedLocks()

    async def sign_in(self, request: Request, email: str, password: str) -> Staff | None:
        """The staff member these credentials are for, or None; 429 when this account is
        locked at this address, 503 when too many sign-ins are already waiting."""
        records: Records = request.app.state.records
        trusted = request.app.state.settings.trusted_proxies
        keys = keys_for(email, client_address(request, trusted))
        if self._in_line >= self._capacity:
            raise HTTPException(
                503, "too many sign-ins at once; try again shortly", headers={"Retry-After": "2"}
            )
        self._in_line += 1
        try:
            async with self._accounts.hold(keys.account):
                claim = await run_in_threadpool(records.throttle.claim, keys)
                await _wait_or_refuse(records, claim)
                async with self._slots:
                    staff = await run_in_threadpool(records.users.verify_password, email, password)
                await run_in_threadpool(records.throttle.settle, keys, succeeded=staff is not None)
                return staff
        finally:
            self._in_line -= 1


async def _wait_or_refuse(records: Records, claim: Claim) -> None:
    if claim.retry_after is not None:
        await run_in_threadpool(records.audit.add, None, AuditAction.sign_in_locked)
        minutes = math.ceil(claim.retry_after / 60)
        raise HTTPException(
            429,
            f"too many failed sign-ins; try again in {minutes} minute{'s' if minutes > 1 else ''}",
            headers={"Retry-After": str(claim.retry_after)},
        )
    if claim.delay:
        await asyncio.sleep(claim.delay)
