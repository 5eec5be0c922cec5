"""The audit log: who did what to which case, and when. Nothing from inside a case goes in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dermcover.store.database import Sessions
from dermcover.store.models import AuditAction, AuditEntry, StaffUser


def record(session: Session, actor: int | None, action: AuditAction, case_id: int | None) -> None:
    """Add an entry to the transaction `session` is in: it commits or rolls back with the work."""
    session.add(AuditEntry(user_id=actor, action=action, case_id=case_id))


@dataclass(frozen=True)
class AuditRecord:
    id: int
    user_id: int | None
    user_email: str | None
    action: AuditAction
    case_id: int | None
    at: datetime


class AuditLog:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def entries(self, *, case_id: int | None = None, limit: int = 200) -> list[AuditRecord]:
        """The latest entries first; for one case when `case_id` is given."""
        query = (
            select(AuditEntry, StaffUser.email)
            .outerjoin(StaffUser, StaffUser.id == AuditEntry.user_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
        if case_id is not None:
            query = query.where(AuditEntry.case_id == case_id)
        with self._sessions() as session:
            return [
                AuditRecord(
                    id=entry.id,
                    user_id=entry.user_id,
                    user_email=email,
                    action=entry.action,
                    case_id=entry.case_id,
                    at=entry.at,
                )
                for entry, email in session.execute(query)
            ]
