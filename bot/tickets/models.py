"""Tables: tickets, their events (the full history), the daily number sequence, citizens' photos (and drafts).

Times are stored as naive UTC; the API shows them in China time (+08:00).
Any change here needs a migration: `python -m bot.tickets.migrate revision -m "what changed"`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.core.database import Base


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Ticket(Base):
    __tablename__ = "tickets"

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False, unique=True)
    idempotency_key = Column(String(200), unique=True)
    category = Column(String(10), nullable=False, index=True)
    summary = Column(String(200), nullable=False)
    description = Column(Text, nullable=False)
    location = Column(Text)
    latitude = Column(Float)
    longitude = Column(Float)
    occurred_at = Column(String(200))
    department = Column(String(100), nullable=False, index=True)
    department_inferred = Column(Boolean, nullable=False, default=False)
    # The triage's score for the inferred department and its top three ([[name, score], …] as JSON),
    # kept for the dispatcher; empty when the citizen or a client named the department.
    department_score = Column(Float)
    department_candidates = Column(Text)
    citizen_name = Column(String(100))
    phone = Column(String(30))
    channel = Column(String(50), nullable=False)
    consent = Column(Boolean, nullable=False, default=False)
    status = Column(String(10), nullable=False, index=True)
    urgency = Column(String(10), nullable=False)
    supervised = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    due_date = Column(Date, nullable=False, index=True)
    reply = Column(Text)
    replied_at = Column(DateTime)
    rating = Column(String(10))
    rating_comment = Column(Text)
    rated_at = Column(DateTime, index=True)  # ratings given in a period (dashboard, report)
    conversation_id = Column(String(200), index=True)

    events = relationship(
        "TicketEvent", back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )
    # The citizen's photos (few, small rows): loaded with the ticket, so lists and Open311 can show them.
    media = relationship("TicketMedia", order_by="TicketMedia.id", lazy="selectin", cascade="all, delete-orphan")


class TicketEvent(Base):
    __tablename__ = "ticket_events"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(20), nullable=False)
    from_status = Column(String(10))
    to_status = Column(String(10))
    actor = Column(String(100), nullable=False)
    note = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    ticket = relationship("Ticket", back_populates="events")

    # Tickets closed in a period (dashboard, monthly report).
    __table_args__ = (Index("ix_ticket_events_to_status_created_at", "to_status", "created_at"),)


class TriageExample(Base):
    """A dispatcher's routing decision on a ticket: a labelled example (text → department, type) for the
    next training of the triage (exported to its staff examples file). One per ticket: the latest choice."""

    __tablename__ = "triage_examples"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, unique=True)
    text = Column(Text, nullable=False)
    department = Column(String(100), nullable=False)
    category = Column(String(10), nullable=False)
    suggested = Column(Text)  # the triage's top three when the choice was made (JSON)
    actor = Column(String(100), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class DailySequence(Base):
    """Last ticket sequence number used per day (YYYYMMDD, China time)."""

    __tablename__ = "ticket_daily_sequences"

    day = Column(String(8), primary_key=True)
    last = Column(Integer, nullable=False)


class TicketMedia(Base):
    """A photo a citizen attached to their ticket (at most a few): stored re-encoded without EXIF under
    var/media/, served to staff (console) and Open311 clients (`media_url`), never publicly."""

    __tablename__ = "ticket_media"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    token = Column(String(40), nullable=False, unique=True)  # the file's name under var/media/ (random)
    content_type = Column(String(30), nullable=False)
    size = Column(Integer, nullable=False)
    width = Column(Integer, nullable=False)
    height = Column(Integer, nullable=False)
    had_location = Column(Boolean, nullable=False, default=False)  # GPS data was in the photo (removed)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class PhotoDraft(Base):
    """A photo a citizen added while still filling in the complaint form, before any ticket exists: kept for
    its conversation, moved into ticket_media when that conversation's ticket is created (bot/tickets/photo_drafts.py),
    deleted with its file when it is older than a day."""

    __tablename__ = "photo_drafts"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(200), nullable=False, index=True)
    token = Column(String(40), nullable=False, unique=True)  # the file's name under var/media/ (random)
    content_type = Column(String(30), nullable=False)
    size = Column(Integer, nullable=False)
    width = Column(Integer, nullable=False)
    height = Column(Integer, nullable=False)
    had_location = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
