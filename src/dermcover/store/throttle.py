"""Counting sign-in attempts in the database, so that every process and every restart sees one
count, and the check and the count are one atomic statement.

An attempt first *claims* a try: one upsert adds it to each of its counters and returns the new
counts, so two attempts at the same moment can never both see "four so far". Only then is the
password checked; a success gives the tries back (and clears the account's lock at that
address). The counters, over a fixed window from the first failure:

| key | after | what happens |
| --- | --- | --- |
| the account, from one address | 5 failures | locked there for the rest of the window (429) |
| the address | 20 failures | each further try waits longer, up to 10 s (never locked) |
| the account, from anywhere | 20 failures | each further try waits longer, up to 10 s |

Locking an account only at the address the guesses come from keeps a clinic behind one proxy
(or a stranger guessing someone's email) from locking everyone out; slowing the address and
the account bounds guessing from many accounts or many addresses without a ban.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, case, delete, literal, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dermcover.store.database import Sessions
from dermcover.store.models import SignInFailures, UtcDateTime, now

WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5
SLOW_AFTER = 20
SLOWDOWN_STEP_SECONDS = 0.5
MAX_SLOWDOWN_SECONDS = 10.0


@dataclass(frozen=True)
class SignInKeys:
    """What one attempt counts against (hashed: the table holds no emails or addresses)."""

    account_here: str
    address: str
    account: str


def keys_for(email: str, address: str | None) -> SignInKeys:
    account = email.strip().lower()[:254]
    where = (address or "unknown")[:64]
    return SignInKeys(
        account_here=_hash(f"account-at:{account}|{where}"),
        address=_hash(f"address:{where}"),
        account=_hash(f"account:{account}"),
    )


@dataclass(frozen=True)
class Claim:
    """The answer to a claimed try: refused for `retry_after` seconds, or go ahead after
    waiting `delay` seconds."""

    retry_after: int | None
    delay: float


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


class SignInCounter:
    def __init__(
        self,
        sessions: Sessions,
        *,
        window: timedelta = WINDOW,
        max_failures: int = MAX_FAILURES,
        slow_after: int = SLOW_AFTER,
    ) -> None:
        self._sessions = sessions
        self.window = window
        self.max_failures = max_failures
        self.slow_after = slow_after

    def claim(self, keys: SignInKeys, *, at: datetime | None = None) -> Claim:
        """Count this try against every key, atomically, and say whether it may go ahead."""
        moment = at or now()
        with self._sessions.begin() as session:
            here, here_started = _count(session, keys.account_here, moment, self.window)
            address, _ = _count(session, keys.address, moment, self.window)
            account, _ = _count(session, keys.account, moment, self.window)
        if here > self.max_failures:
            remaining = (here_started + self.window - moment).total_seconds()
            return Claim(retry_after=max(1, math.ceil(remaining)), delay=0.0)
        beyond = max(address, account) - self.slow_after
        delay = min(MAX_SLOWDOWN_SECONDS, beyond * SLOWDOWN_STEP_SECONDS) if beyond > 0 else 0.0
        return Claim(retry_after=None, delay=delay)

    def settle(self, keys: SignInKeys, *, succeeded: bool) -> None:
        """After the password was checked: a success gives its tries back and clears the
        account's count at this address; a failure leaves the counts as claimed."""
        if not succeeded:
            return
        with self._sessions.begin() as session:
            session.execute(
                delete(SignInFailures).where(SignInFailures.key_hash == keys.account_here)
            )
            session.execute(
                update(SignInFailures)
                .where(SignInFailures.key_hash.in_([keys.address, keys.account]))
                .where(SignInFailures.failures > 0)
                .values(failures=SignInFailures.failures - 1)
            )


def _count(session: Session, key: str, moment: datetime, window: timedelta) -> tuple[int, datetime]:
    """Add one to `key`'s count (starting afresh once its window is over); the new count and
    when its window began. One statement: atomic on SQLite and on PostgreSQL."""
    table = SignInFailures.__table__
    assert isinstance(table, Table)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stale = table.c.window_started_at <= moment - window
    begun = literal(moment, UtcDateTime())
    statement = (
        insert(table)
        .values(key_hash=key, failures=1, window_started_at=moment)
        .on_conflict_do_update(
            index_elements=[table.c.key_hash],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "window_started_at": case((stale, begun), else_=table.c.window_started_at),
            },
        )
        .returning(table.c.failures, table.c.window_started_at)
    )
    failures, started = session.execute(statement).one()
    return int(failures), started
