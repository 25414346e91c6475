"""Queries on handoff requests, their events and staff presence (no rules here; see service.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.handoff.models import CONNECTED, ONLINE, QUEUED, HandoffEvent, HandoffRequest, StaffPresence


def get(session: Session, request_id: int, for_update: bool = False) -> HandoffRequest | None:
    query = select(HandoffRequest).where(HandoffRequest.id == request_id)
    if for_update:
        query = query.with_for_update()  # PostgreSQL row lock; SQLite already holds the write lock
    return session.execute(query).scalar_one_or_none()


def open_for(session: Session, conversation_id: str) -> HandoffRequest | None:
    query = select(HandoffRequest).where(HandoffRequest.open_conversation == conversation_id)
    return session.execute(query).scalar_one_or_none()


def with_status(session: Session, status: str, staff_user_id: int | None = None) -> list[HandoffRequest]:
    query = select(HandoffRequest).where(HandoffRequest.status == status)
    if staff_user_id is not None:
        query = query.where(HandoffRequest.staff_user_id == staff_user_id)
    return list(session.execute(query.order_by(HandoffRequest.id)).scalars())


def queued_before(session: Session, request_id: int) -> int:
    """How many queued requests came before this one (its place is this + 1)."""
    query = select(func.count()).where(HandoffRequest.status == QUEUED, HandoffRequest.id < request_id)
    return session.execute(query).scalar_one()


def due_to_expire(session: Session, now: datetime) -> list[HandoffRequest]:
    query = select(HandoffRequest).where(HandoffRequest.status == QUEUED, HandoffRequest.expires_at <= now)
    return list(session.execute(query).scalars())


def recent_durations(session: Session, limit: int = 20) -> list[float]:
    """Seconds from accept to end of the latest finished chats."""
    query = (
        select(HandoffRequest.accepted_at, HandoffRequest.ended_at)
        .where(HandoffRequest.accepted_at.is_not(None), HandoffRequest.ended_at.is_not(None))
        .order_by(HandoffRequest.id.desc())
        .limit(limit)
    )
    return [(ended - accepted).total_seconds() for accepted, ended in session.execute(query)]


def events_after(session: Session, request_id: int, after: int, limit: int = 200) -> list[HandoffEvent]:
    query = (
        select(HandoffEvent)
        .where(HandoffEvent.request_id == request_id, HandoffEvent.id > after)
        .order_by(HandoffEvent.id)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def add_event(
    session: Session,
    request: HandoffRequest,
    kind: str,
    text: str,
    at: datetime,
    staff_display_name: str | None = None,
    ticket_number: str | None = None,
) -> HandoffEvent:
    event = HandoffEvent(
        request_id=request.id,
        kind=kind,
        status=request.status,
        text=text,
        at=at,
        staff_display_name=staff_display_name,
        ticket_number=ticket_number,
    )
    session.add(event)
    session.flush()
    return event


def presence(session: Session, user_id: int) -> StaffPresence | None:
    return session.get(StaffPresence, user_id)


def all_presence(session: Session) -> list[StaffPresence]:
    return list(session.execute(select(StaffPresence).order_by(StaffPresence.display_name)).scalars())


def available_staff(session: Session, seen_since: datetime) -> int:
    query = select(func.count()).where(StaffPresence.status == ONLINE, StaffPresence.last_seen_at >= seen_since)
    return session.execute(query).scalar_one()


def connected_with_staff_unseen_since(session: Session, seen_before: datetime) -> list[HandoffRequest]:
    """Connected chats whose staff member has not polled since `seen_before` (or never had a presence row)."""
    seen = select(StaffPresence.user_id).where(StaffPresence.last_seen_at >= seen_before)
    query = select(HandoffRequest).where(HandoffRequest.status == CONNECTED, HandoffRequest.staff_user_id.not_in(seen))
    return list(session.execute(query).scalars())
