"""时限预警 in the console: the deadline warnings (bot/notify/deadlines.py) a staff member may see — their own
department's, or all for the dispatcher — the unseen count for the menu badge, and the dispatcher's daily digests.
Opening the list marks the department's warnings seen (by whom, when)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from bot.console.permissions import allowed
from bot.console.services.auth import CurrentUser
from bot.core.database import Database
from bot.notify.models import WARNING_LABELS, DeadlineWarning, Digest
from bot.tickets.models import Ticket, utcnow

PAGE = 200


@dataclass(frozen=True)
class WarningRow:
    ticket_number: str
    department: str
    kind: str
    label: str
    due_date: object
    created_at: object
    seen_at: object
    seen_by: str | None
    status: str


class DeadlineBoard:
    def __init__(self, db: Database):
        self.db = db

    @staticmethod
    def _department(user: CurrentUser) -> str | None:
        """None: all departments; otherwise the user's own (a department user without one sees nothing)."""
        return None if allowed(user.role, "tickets.all") else (user.department or "\x00")

    def unseen(self, user: CurrentUser) -> int:
        if not allowed(user.role, "warnings"):
            return 0
        query = select(func.count()).select_from(DeadlineWarning).where(DeadlineWarning.seen_at.is_(None))
        department = self._department(user)
        if department is not None:
            query = query.where(DeadlineWarning.department == department)
        with self.db.session() as session:
            return int(session.execute(query).scalar_one())

    def rows(self, user: CurrentUser) -> list[WarningRow]:
        query = (
            select(DeadlineWarning, Ticket.status)
            .join(Ticket, Ticket.id == DeadlineWarning.ticket_id)
            .order_by(DeadlineWarning.seen_at.is_not(None), DeadlineWarning.id.desc())
            .limit(PAGE)
        )
        department = self._department(user)
        if department is not None:
            query = query.where(DeadlineWarning.department == department)
        with self.db.session() as session:
            return [
                WarningRow(
                    w.ticket_number,
                    w.department,
                    w.kind,
                    WARNING_LABELS.get(w.kind, w.kind),
                    w.due_date,
                    w.created_at,
                    w.seen_at,
                    w.seen_by,
                    status,
                )
                for w, status in session.execute(query)
            ]

    def mark_seen(self, user: CurrentUser) -> None:
        """Department staff opening the list have seen their department's warnings (the dispatcher's look does
        not count for them)."""
        if allowed(user.role, "tickets.all") or not user.department:
            return
        with self.db.session(write=True) as session:
            session.execute(
                update(DeadlineWarning)
                .where(DeadlineWarning.department == user.department, DeadlineWarning.seen_at.is_(None))
                .values(seen_at=utcnow(), seen_by=user.actor[:50])
            )

    def digests(self, limit: int = 7) -> list[Digest]:
        with self.db.session() as session:
            return list(session.execute(select(Digest).order_by(Digest.day.desc()).limit(limit)).scalars())
