"""Read-only ticket queries the workbench and the analytics need beyond bot/tickets/crud.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from bot.console.models import FollowUp
from bot.tickets.choices import Grade
from bot.tickets.models import Ticket, TicketEvent

BAD_GRADES = [g.value for g in Grade if g.is_bad]


def search(
    db: DbSession,
    *,
    status: str | None = None,
    category: str | None = None,
    department: str | None = None,
    bad_rating: bool = False,
    supervised: bool | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    text: str | None = None,
    limit: int = 5000,
) -> list[Ticket]:
    query = select(Ticket)
    for column, value in ((Ticket.status, status), (Ticket.category, category), (Ticket.department, department)):
        if value:
            query = query.where(column == value)
    if bad_rating:
        query = query.where(Ticket.rating.in_(BAD_GRADES))
    if supervised is not None:
        query = query.where(Ticket.supervised.is_(supervised))
    if created_from is not None:
        query = query.where(Ticket.created_at >= created_from)
    if created_to is not None:
        query = query.where(Ticket.created_at < created_to)
    if text:
        needle = text.strip()
        query = query.where(
            or_(
                *(
                    column.contains(needle, autoescape=True)
                    for column in (Ticket.number, Ticket.summary, Ticket.description, Ticket.location, Ticket.reply)
                )
            )
        )
    return list(db.execute(query.order_by(Ticket.id.desc()).limit(limit)).scalars())


def in_period(db: DbSession, created_from: datetime, created_to: datetime) -> list[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.created_at >= created_from, Ticket.created_at < created_to)
        .options(selectinload(Ticket.events))
    )
    return list(db.execute(query).scalars())


def closed_events_between(db: DbSession, start: datetime, end: datetime) -> list[TicketEvent]:
    query = (
        select(TicketEvent)
        .where(TicketEvent.to_status == "已办结", TicketEvent.created_at >= start, TicketEvent.created_at < end)
        .options(selectinload(TicketEvent.ticket))
    )
    return list(db.execute(query).scalars())


def bad_rated(db: DbSession, department: str | None = None) -> list[Ticket]:
    query = select(Ticket).where(Ticket.rating.in_(BAD_GRADES))
    if department:
        query = query.where(Ticket.department == department)
    return list(db.execute(query.order_by(Ticket.rated_at)).scalars())


def conversation_ids_with_tickets(db: DbSession, sender_ids: Sequence[str]) -> set:
    ids = [s for s in sender_ids if s]
    found: set = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        found |= set(db.execute(select(Ticket.conversation_id).where(Ticket.conversation_id.in_(chunk))).scalars())
    return found


def followups(db: DbSession, numbers: Sequence[str]) -> dict:
    if not numbers:
        return {}
    out: dict = {}
    rows = db.execute(select(FollowUp).where(FollowUp.ticket_number.in_(list(numbers))).order_by(FollowUp.id))
    for row in rows.scalars():
        out.setdefault(row.ticket_number, []).append(row)
    return out
