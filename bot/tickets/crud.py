"""Queries on tickets and events (no business rules here; see service.py)."""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Sequence, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.tickets.choices import Status
from bot.tickets.models import Ticket, TicketEvent


def get_by_number(session: Session, number: str, *, with_events: bool = False, for_update: bool = False) -> Optional[Ticket]:
    query = select(Ticket).where(Ticket.number == number)
    if with_events:
        query = query.options(selectinload(Ticket.events))
    if for_update:
        query = query.with_for_update()  # PostgreSQL row lock; SQLite already holds the write lock
    return session.execute(query).scalar_one_or_none()


def get_by_idempotency_key(session: Session, key: str) -> Optional[Ticket]:
    query = select(Ticket).where(Ticket.idempotency_key == key).options(selectinload(Ticket.events))
    return session.execute(query).scalar_one_or_none()


def list_tickets(
    session: Session,
    *,
    status: Optional[str] = None,
    category: Optional[str] = None,
    department: Optional[str] = None,
    supervised: Optional[bool] = None,
    idempotency_key: Optional[str] = None,
    conversation_id: Optional[str] = None,
    limit: int = 50,
    offset: int = 0,
) -> Tuple[int, List[Ticket]]:
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
    categories: Optional[Sequence[str]] = None,
    closed: Optional[bool] = None,
    created_from: Optional[datetime] = None,
    created_to: Optional[datetime] = None,
    limit: int = 1000,
) -> List[Ticket]:
    query = select(Ticket)
    if categories:
        query = query.where(Ticket.category.in_(list(categories)))
    if closed is not None:
        closed_status = Status.CLOSED.value
        query = query.where(Ticket.status == closed_status if closed else Ticket.status != closed_status)
    if created_from is not None:
        query = query.where(Ticket.created_at >= created_from)
    if created_to is not None:
        query = query.where(Ticket.created_at <= created_to)
    return list(session.execute(query.order_by(Ticket.id.desc()).limit(limit)).scalars().all())


def add_event(session: Session, ticket: Ticket, kind: str, actor: str, note: Optional[str] = None,
              from_status: Optional[str] = None, to_status: Optional[str] = None) -> TicketEvent:
    event = TicketEvent(kind=kind, actor=actor, note=note, from_status=from_status, to_status=to_status)
    ticket.events.append(event)
    session.flush()
    return event
