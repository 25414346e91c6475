"""Queries on tickets and events (no business rules here; see service.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.tickets.choices import Status
from bot.tickets.models import Ticket, TicketEvent


def get_by_number(
    session: Session, number: str, *, with_events: bool = False, for_update: bool = False
) -> Ticket | None:
    query = select(Ticket).where(Ticket.number == number)
    if with_events:
        query = query.options(selectinload(Ticket.events))
    if for_update:
        query = query.with_for_update()  # PostgreSQL row lock; SQLite already holds the write lock
    ticket: Ticket | None = session.execute(query).scalar_one_or_none()
    return ticket


def get_by_idempotency_key(session: Session, key: str) -> Ticket | None:
    query = select(Ticket).where(Ticket.idempotency_key == key).options(selectinload(Ticket.events))
    ticket: Ticket | None = session.execute(query).scalar_one_or_none()
    return ticket


def list_tickets(
    session: Session,
    *,
    status: str | None = None,
    category: str | None = None,
    department: str | None = None,
    supervised: bool | None = None,
    idempotency_key: str | None = None,
    conversation_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[Ticket]]:
    query = select(Ticket)
    filters = {
        Ticket.status: status,
        Ticket.category: category,
        Ticket.department: department,
        Ticket.supervised: supervised,
        Ticket.idempotency_key: idempotency_key,
        Ticket.conversation_id: conversation_id,
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(column == value)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Ticket.id.desc()).limit(limit).offset(offset)).scalars().all()
    return total, list(rows)


def search_tickets(
    session: Session,
    *,
    categories: Sequence[str] | None = None,
    closed: bool | None = None,
    created_from: datetime | None = None,
    created_until: datetime | None = None,  # inclusive, as Open311's end_date
    limit: int = 1000,
) -> list[Ticket]:
    query = select(Ticket)
    if categories:
        query = query.where(Ticket.category.in_(list(categories)))
    if closed is not None:
        closed_status = Status.CLOSED.value
        query = query.where(Ticket.status == closed_status if closed else Ticket.status != closed_status)
    if created_from is not None:
        query = query.where(Ticket.created_at >= created_from)
    if created_until is not None:
        query = query.where(Ticket.created_at <= created_until)
    return list(session.execute(query.order_by(Ticket.id.desc()).limit(limit)).scalars().all())


def add_event(
    session: Session,
    ticket: Ticket,
    kind: str,
    actor: str,
    note: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
) -> TicketEvent:
    event = TicketEvent(kind=kind, actor=actor, note=note, from_status=from_status, to_status=to_status)
    ticket.events.append(event)
    session.flush()
    return event
