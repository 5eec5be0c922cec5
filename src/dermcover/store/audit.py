"""The audit log: who did what to which case, in which clinic, and when. Nothing from inside a
case goes in: a case is named by its public id."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dermcover.store.database import Sessions
from dermcover.store.models import AuditAction, AuditEntry, StaffUser


def record(
    session: Session,
    actor: int | None,
    action: AuditAction,
    case_id: str | None,
    *,
    clinic_id: int | None = None,
) -> None:
    """Add an entry to the transaction `session` is in: it commits or rolls back with the work."""
    session.add(AuditEntry(user_id=actor, action=action, case_id=case_id, clinic_id=clinic_id))


@dataclass(frozen=True)
class AuditRecord:
    id: int
    user_id: int | None
    user_email: str | None
    action: AuditAction
    clinic_id: int | None
    case_id: str | None
    at: datetime


class AuditLog:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def add(self, actor: int | None, action: AuditAction) -> None:
        """An entry about no case in particular (a refused sign-in, say), on its own."""
        with self._sessions.begin() as session:
            record(session, actor, action, None)

    def entries(
        self,
        *,
        case_id: str | None = None,
        clinic_ids: Collection[int] | None = None,
        limit: int = 200,
    ) -> list[AuditRecord]:
        """The latest entries first; for one case when `case_id` is given, and only the
        entries of `clinic_ids` when that is given (a clinic sees its own log)."""
        query = (
            select(AuditEntry, StaffUser.email)
            .outerjoin(StaffUser, StaffUser.id == AuditEntry.user_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
        if case_id is not None:
            query = query.where(AuditEntry.case_id == str(case_id))
        if clinic_ids is not None:
            query = query.where(AuditEntry.clinic_id.in_(list(clinic_ids)))
        with self._sessions() as session:
            return [
                AuditRecord(
                    id=entry.id,
                    user_id=entry.user_id,
                    user_email=email,
                    action=entry.action,
                    clinic_id=entry.clinic_id,
                    case_id=entry.case_id,
                    at=entry.at,
                )
                for entry, email in session.execute(query)
            ]
