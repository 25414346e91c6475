"""The console's own tables (prefix console_), in the ticket database but with their own metadata.

A separate declarative base keeps the two Alembic histories apart: the tickets' autogenerate never sees
these tables and the console's never sees the tickets (see bot/console/migrate.py).
Times are naive UTC, shown in China time. Message text is stored already masked (phones, ID numbers).
Any change here needs a migration: `python -m bot.console.migrate revision -m "what changed"`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base, relationship

from bot.core.database import NAMING_CONVENTION
from bot.tickets.models import utcnow

ConsoleBase: Any = declarative_base(  # SQLAlchemy 1.4 ships no types
    metadata=MetaData(naming_convention=NAMING_CONVENTION)
)


class User(ConsoleBase):
    __tablename__ = "console_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(50), nullable=False, unique=True)
    display_name = Column(String(50), nullable=False)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(20), nullable=False)  # see bot/console/permissions.py
    department = Column(String(100))  # department staff only: the ticket department they handle
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    last_login_at = Column(DateTime)


class Session(ConsoleBase):
    """Server-side login session; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "console_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False, index=True)
    client = Column(String(64))

    user = relationship("User")


class AuditEntry(ConsoleBase):
    """Who changed what, when, with the values before and after (JSON)."""

    __tablename__ = "console_audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    actor = Column(String(50), nullable=False, index=True)
    role = Column(String(20))
    action = Column(String(50), nullable=False, index=True)
    target = Column(String(200), nullable=False, index=True)
    before = Column(Text)
    after = Column(Text)
    note = Column(Text)


class SyncState(ConsoleBase):
    """How far the console has read Rasa's tracker store (events.id)."""

    __tablename__ = "console_sync_state"

    name = Column(String(50), primary_key=True)
    last_event_id = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class InboxGroup(ConsoleBase):
    """Similar unresolved messages; `tokens` of the first member decide who else joins."""

    __tablename__ = "console_inbox_groups"

    id = Column(Integer, primary_key=True)
    representative = Column(Text, nullable=False)
    tokens = Column(Text, nullable=False)  # space-separated features (jieba tokens + character bigrams)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    messages = relationship("Message", back_populates="group", order_by="Message.event_id")


class Message(ConsoleBase):
    """One citizen message read from the tracker store (every message: analytics need them all).

    `reason` is set when the assistant did not resolve it (an inbox item); `status` is then
    open → labelled | gap (knowledge gap) → gap_fixed | dismissed.
    """

    __tablename__ = "console_messages"

    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, nullable=False, unique=True)
    sender_id = Column(String(255), nullable=False, index=True)
    at = Column(DateTime, nullable=False, index=True)
    text = Column(Text, nullable=False)  # masked
    is_payload = Column(Boolean, nullable=False, default=False)  # a button (/intent), not typed text
    intent = Column(String(100), index=True)
    confidence = Column(Float)
    top_intent = Column(String(100))  # best real intent when NLU fell back (a labelling suggestion)
    top_confidence = Column(Float)
    service = Column(String(100), index=True)  # service id named or resolved in this turn
    actions = Column(Text)  # the bot's actions in this turn, comma-separated
    reason = Column(String(30), index=True)
    status = Column(String(20), index=True)
    group_id = Column(Integer, ForeignKey("console_inbox_groups.id", ondelete="SET NULL"), index=True)
    label_intent = Column(String(100))
    label_example = Column(Text)  # the Rasa YAML example written (with entity annotations)
    handled_by = Column(String(50))
    handled_at = Column(DateTime, index=True)
    note = Column(Text)

    group = relationship("InboxGroup", back_populates="messages")


class TrainJob(ConsoleBase):
    __tablename__ = "console_train_jobs"

    id = Column(Integer, primary_key=True)
    started_by = Column(String(50), nullable=False)
    started_at = Column(DateTime, nullable=False, default=utcnow)
    finished_at = Column(DateTime)
    status = Column(String(20), nullable=False)  # running | loading | done | failed
    return_code = Column(Integer)
    model_path = Column(Text)
    log_path = Column(Text, nullable=False)
    message = Column(Text)


class FollowUp(ConsoleBase):
    """回访 of a 差评 ticket: the call to the citizen, and the rectification result."""

    __tablename__ = "console_followups"

    id = Column(Integer, primary_key=True)
    ticket_number = Column(String(20), nullable=False, index=True)
    kind = Column(String(10), nullable=False)  # 已回访 | 已整改
    note = Column(Text, nullable=False)
    actor = Column(String(50), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)


class ServiceRating(ConsoleBase):
    """好差评 of a conversation (the chat with the assistant, or the 人工客服 after it), given on the chat
    page: one per conversation and kind, the last one given counts."""

    __tablename__ = "console_service_ratings"
    __table_args__ = (UniqueConstraint("conversation_id", "kind"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    kind = Column(String(10), nullable=False)  # chat | handoff
    grade = Column(String(10), nullable=False)  # one of the five 好差评 grades
    comment = Column(Text)  # masked
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
