"""Results patients share by link: kept only when the patient asks, under an unguessable token,
until they expire (`SHARE_DAYS`) or the patient deletes them. What is kept is the check's
answers and the numbers typed; no name or identifier is ever part of them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete

from dermcover.store.database import Sessions
from dermcover.store.models import SharedCheck, now

SHARE_DAYS = 30


@dataclass(frozen=True)
class Shared:
    state: dict[str, Any]
    costs: dict[str, str]
    expires_at: datetime


class SharedChecks:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def share(self, state: dict[str, Any], costs: dict[str, str]) -> str:
        token = secrets.token_urlsafe(24)
        with self._sessions.begin() as session:
            session.execute(delete(SharedCheck).where(SharedCheck.expires_at < now()))
            session.add(
                SharedCheck(
                    token=token,
                    state=state,
                    costs=costs,
                    expires_at=now() + timedelta(days=SHARE_DAYS),
                )
            )
        return token

    def get(self, token: str) -> Shared | None:
        if not token or len(token) > 64:
            return None
        with self._sessions.begin() as session:
            found = session.get(SharedCheck, token)
            if found is None or found.expires_at < now():
                return None
            return Shared(found.state, dict(found.costs), found.expires_at)

    def forget(self, token: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(SharedCheck).where(SharedCheck.token == token))
