"""The handoff tables (prefix handoff_), in the ticket database with their own metadata and Alembic history.

Times are naive UTC. Any change here needs a migration: `python -m bot.handoff.migrate revision -m "…"`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import declarative_base, relationship

from bot.core.database import NAMING_CONVENTION
from bot.tickets.models import utcnow

HandoffBase: Any = declarative_base(  # SQLAlchemy 1.4 ships no types
    metadata=MetaData(naming_convention=NAMING_CONVENTION)
)

# Request statuses: queued → connected → returned | closed; queued → expired | cancelled.
QUEUED, CONNECTED, RETURNED, CLOSED, EXPIRED, CANCELLED = (
    "queued",
    "connected",
    "returned",
    "closed",
    "expired",
    "cancelled",
)
ONLINE, AWAY = "online", "away"


class HandoffRequest(HandoffBase):
    """One citizen's request for a person, from the queue to the end of the chat."""

    __tablename__ = "handoff_requests"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)  # Rasa sender id
    # The conversation id while the request is open (queued/connected), NULL after: the unique constraint
    # allows one open request per conversation on SQLite and PostgreSQL alike (NULLs never collide).
    open_conversation = Column(String(255), unique=True)
    channel = Column(String(50), nullable=False)
    reason = Column(String(20), nullable=False)  # asked | fallback | elderly
    elderly = Column(Boolean, nullable=False, default=False)
    status = Column(String(20), nullable=False, index=True)
    # Lets the citizen's page read this request's events; returned again to a repeated request of the same
    # open conversation, so it is kept as issued (it grants nothing else).
    poll_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    expires_at = Column(DateTime, nullable=False)  # a queued request not accepted by then expires
    accepted_at = Column(DateTime)
    ended_at = Column(DateTime)
    ended_by = Column(String(20))  # staff | citizen | system
    staff_user_id = Column(Integer, index=True)  # console_users.id (other metadata: no foreign key)
    staff_username = Column(String(50))
    staff_display_name = Column(String(50))
    ticket_number = Column(String(20))
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    events = relationship(
        "HandoffEvent", back_populates="request", order_by="HandoffEvent.id", cascade="all, delete-orphan"
    )


class HandoffEvent(HandoffBase):
    """What the citizen's side receives: status changes and staff messages, in id order."""

    __tablename__ = "handoff_events"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("handoff_requests.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(10), nullable=False)  # status | message
    status = Column(String(20), nullable=False)  # the request's status when it was written
    text = Column(Text, nullable=False)
    staff_display_name = Column(String(50))
    ticket_number = Column(String(20))  # a message announcing the ticket made from this chat
    at = Column(DateTime, nullable=False, default=utcnow)

    request = relationship("HandoffRequest", back_populates="events")


class StaffPresence(HandoffBase):
    """在线 / 离开 of a console user on the 人工接待 page; `last_seen_at` is refreshed while the page polls."""

    __tablename__ = "handoff_staff"

    user_id = Column(Integer, primary_key=True)
    username = Column(String(50), nullable=False)
    display_name = Column(String(50), nullable=False)
    status = Column(String(10), nullable=False)  # online | away
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)
    changed_at = Column(DateTime, nullable=False, default=utcnow)
