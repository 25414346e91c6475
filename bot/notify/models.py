"""The notice tables (prefix notify_), in the ticket database with their own metadata and Alembic history.

Times are naive UTC. Any change here needs a migration: `python -m bot.notify.migrate revision -m "…"`.
No personal data is stored here: a citizen's address (phone, conversation id) is read from the ticket when a
notice is sent; staff addresses come from the contacts file.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Date, DateTime, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base

from bot.core.database import NAMING_CONVENTION
from bot.tickets.models import utcnow

NotifyBase: Any = declarative_base(  # SQLAlchemy 1.4 ships no types
    metadata=MetaData(naming_convention=NAMING_CONVENTION)
)

# Outbox states: pending → sending → delivered | (pending again after a failure) … → failed (gave up).
PENDING, SENDING, DELIVERED, FAILED = "pending", "sending", "delivered", "failed"
STATE_LABELS = {PENDING: "待发送", SENDING: "发送中", DELIVERED: "已送达", FAILED: "发送失败"}

# Channels.
WEB, SMS, WECHAT, WECOM = "web", "sms", "wechat", "wecom"
CHANNEL_LABELS = {WEB: "网页对话", SMS: "短信", WECHAT: "微信", WECOM: "企业微信"}

# Who a notice is for.
CITIZEN, DEPARTMENT, DISPATCHER = "citizen", "department", "dispatcher"

# Deadline warning kinds.
DUE_SOON, OVERDUE = "due_soon", "overdue"
WARNING_LABELS = {DUE_SOON: "明天到期", OVERDUE: "超期督办"}


class Subscription(NotifyBase):
    """A citizen asked for updates on a ticket (asked once, in the complaint form), on this channel."""

    __tablename__ = "notify_subscriptions"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, nullable=False, unique=True)  # tickets.id (other metadata: no foreign key)
    ticket_number = Column(String(20), nullable=False)
    channel = Column(String(20), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Notice(NotifyBase):
    """One notice to one recipient: the outbox row and, once sent, its record in the ticket's history."""

    __tablename__ = "notify_outbox"

    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(200), nullable=False, unique=True)  # ticket + event + recipient
    ticket_id = Column(Integer, index=True)  # none for the daily digest
    ticket_number = Column(String(20), index=True)
    event = Column(String(30), nullable=False)  # a status (已转办 …), due_soon, overdue, digest
    audience = Column(String(20), nullable=False)  # citizen | department | dispatcher
    recipient = Column(String(100), nullable=False)  # "citizen" or a contact id from the contacts file
    recipient_label = Column(String(100), nullable=False)  # shown to staff, masked
    channel = Column(String(20), nullable=False)
    text = Column(Text, nullable=False)
    params = Column(Text, nullable=False, default="{}")  # template variables (JSON) for SMS / WeChat templates
    state = Column(String(20), nullable=False, default=PENDING)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow)
    lease_until = Column(DateTime)  # a claimed row whose worker died is claimed again after this
    last_error = Column(Text)
    provider_ref = Column(String(100))  # the provider's id of the message (e.g. Aliyun BizId)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    delivered_at = Column(DateTime)
    retried_by = Column(String(50))  # the staff member who last pressed 重新发送

    __table_args__ = (Index("ix_notify_outbox_state_next_attempt_at", "state", "next_attempt_at"),)


class DeadlineWarning(NotifyBase):
    """One warning per ticket and kind: due tomorrow (one working day before) or overdue (督办)."""

    __tablename__ = "notify_deadline_warnings"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, nullable=False)
    ticket_number = Column(String(20), nullable=False, index=True)
    department = Column(String(100), nullable=False, index=True)
    kind = Column(String(20), nullable=False)
    due_date = Column(Date, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    seen_at = Column(DateTime)  # a staff member of the department opened it (the badge counts the unseen)
    seen_by = Column(String(50))

    __table_args__ = (UniqueConstraint("ticket_id", "kind", name="uq_notify_deadline_warnings_ticket_kind"),)


class Digest(NotifyBase):
    """The dispatcher's daily digest, one per China day."""

    __tablename__ = "notify_digests"

    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False, unique=True)
    text = Column(Text, nullable=False)
    due_soon = Column(Integer, nullable=False)
    overdue = Column(Integer, nullable=False)
    failed_notices = Column(Integer, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
