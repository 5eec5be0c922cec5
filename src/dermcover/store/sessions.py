"""Staff sign-in sessions, kept in the database so that they survive a restart, hold across
worker processes and end the moment they are revoked.

The client holds a random token (256 bits); the table holds its SHA-256, the account, the CSRF
token its forms carry, when it began and when it was last used. A session ends when it is
revoked (sign-out, a password change, the account disabled: the row is deleted), when it has
not been used for the idle timeout, or when it reaches its absolute age, whatever its use.
`last_seen_at` is written at most once a minute, so busy pages do not each cost a write.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from dermcover.store.audit import record
from dermcover.store.database import Sessions
from dermcover.store.models import AuditAction, StaffSession, StaffUser, now

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True)
class ActiveSession:
    user_id: int
    csrf_token: str
    started_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class SessionStore:
    def __init__(
        self,
        sessions: Sessions,
        *,
        idle: timedelta = IDLE_TIMEOUT,
        absolute: timedelta = ABSOLUTE_TIMEOUT,
    ) -> None:
        self._sessions = sessions
        self.idle = idle
        self.absolute = absolute

    def start(self, user_id: int) -> tuple[str, ActiveSession]:
        """A new session for the account: the token for the cookie, and the session."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            row = StaffSession(token_hash=token_hash(token), user_id=user_id, csrf_token=csrf)
            session.add(row)
            session.flush()
            return token, ActiveSession(user_id, csrf, row.created_at)

    def resume(self, token: str, *, at: datetime | None = None) -> ActiveSession | None:
        """The session the token belongs to, if it is still live (an ended one is deleted)."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        moment = at or now()
        with self._sessions.begin() as session:
            row = session.get(StaffSession, token_hash(token))
            if row is None:
                return None
            user = session.get(StaffUser, row.user_id)
            expired = (
                moment - row.last_seen_at > self.idle or moment - row.created_at > self.absolute
            )
            if user is None or not user.active or expired:
                session.delete(row)
                return None
            if moment - row.last_seen_at > TOUCH_EVERY:
                row.last_seen_at = moment
            return ActiveSession(row.user_id, row.csrf_token, row.created_at)

    def end(self, token: str) -> None:
        """Sign-out: the session ends here and everywhere."""
        with self._sessions.begin() as session:
            row = session.get(StaffSession, token_hash(token))
            if row is not None:
                record(session, row.user_id, AuditAction.signed_out, None)
                session.delete(row)

    def end_all(self, user_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))

    def sweep(self, *, at: datetime | None = None) -> int:
        """Delete the sessions that have run out; how many."""
        moment = at or now()
        with self._sessions.begin() as session:
            result = session.execute(
                delete(StaffSession).where(
                    (StaffSession.last_seen_at < moment - self.idle)
                    | (StaffSession.created_at < moment - self.absolute)
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)
