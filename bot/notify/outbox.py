"""Writing notices into the outbox, inside the caller's transaction (the status change, the warning, the
digest), so a notice exists exactly when what it reports does. One row per idempotency key."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.notify.models import PENDING, Notice
from bot.tickets.models import utcnow


def notice_key(ticket_number: str | None, event: str, recipient: str) -> str:
    return f"{ticket_number or '-'}|{event}|{recipient}"


def enqueue(
    session: Session,
    *,
    ticket_id: int | None,
    ticket_number: str | None,
    event: str,
    audience: str,
    recipient: str,
    recipient_label: str,
    channel: str,
    text: str,
    params: dict[str, str],
) -> Notice | None:
    """The new notice, or None when one with the same key exists (the same event told to the same recipient)."""
    key = notice_key(ticket_number, event, recipient)
    if session.execute(select(Notice.id).where(Notice.idempotency_key == key)).first():
        return None
    notice = Notice(
        idempotency_key=key,
        ticket_id=ticket_id,
        ticket_number=ticket_number,
        event=event,
        audience=audience,
        recipient=recipient,
        recipient_label=recipient_label,
        channel=channel,
        text=text,
        params=json.dumps(params, ensure_ascii=False),
        state=PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():  # a concurrent twin (PostgreSQL) loses on the unique key, not the transaction
            session.add(notice)
    except IntegrityError:
        return None
    return notice
