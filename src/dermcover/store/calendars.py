"""Staff members' calendar feeds: one unguessable token each, which the feed's address carries
instead of a name or an id. A new link replaces the old one, which then stops working."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from dermcover.store.database import Sessions
from dermcover.store.models import CalendarFeed, StaffUser


class CalendarFeeds:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def token_for(self, staff_id: int) -> str:
        """The staff member's feed token, made on first use."""
        with self._sessions.begin() as session:
            feed = session.get(CalendarFeed, staff_id)
            if feed is None:
                feed = CalendarFeed(staff_id=staff_id, token=secrets.token_urlsafe(32))
                session.add(feed)
            return feed.token

    def renew(self, staff_id: int) -> str:
        """A new token; the old address stops working."""
        with self._sessions.begin() as session:
            feed = session.get(CalendarFeed, staff_id)
            token = secrets.token_urlsafe(32)
            if feed is None:
                session.add(CalendarFeed(staff_id=staff_id, token=token))
            else:
                feed.token = token
            return token

    def staff_for(self, token: str) -> int | None:
        """Whose feed `token` opens: an active staff member's id, else None."""
        if not token or len(token) > 64:
            return None
        with self._sessions.begin() as session:
            query = (
                select(CalendarFeed.staff_id)
                .join(StaffUser, StaffUser.id == CalendarFeed.staff_id)
                .where(CalendarFeed.token == token, StaffUser.active.is_(True))
            )
            found: int | None = session.scalars(query).one_or_none()
            return found
