"""Read-only ticket queries of the 人工接待 page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from bot.tickets.models import Ticket


def tickets_with_phone(db: DbSession, phone: str, limit: int = 20) -> list[Ticket]:
    """The citizen's earlier tickets: the phone as the ticket API stores it (normalized)."""
    query = select(Ticket).where(Ticket.phone == phone).order_by(Ticket.id.desc()).limit(limit)
    return list(db.execute(query).scalars())
