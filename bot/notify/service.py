"""The notification service: what the backend calls. Listens to the ticket service (a new ticket whose citizen
asked for updates, a status change), hands the web chat its waiting notices, lists a ticket's notices for the
console and sends a failed one again."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.database import Database
from bot.notify.channels import citizen_address, citizen_channel, citizen_label
from bot.notify.config import NotifySettings
from bot.notify.contacts import ContactsFile
from bot.notify.models import CITIZEN, DELIVERED, FAILED, PENDING, WEB, Notice, Subscription
from bot.notify.outbox import enqueue
from bot.notify.texts import NOTIFY_STATUSES, status_text
from bot.notify.worker import Deliverer, RoundResult
from bot.tickets.models import Ticket, utcnow
from bot.tickets.service import NewTicket, TicketService

log = logging.getLogger(__name__)

MAX_WEB_NOTICES = 20


class NoticeNotFound(Exception):
    pass


class NotRetryable(Exception):
    pass


@dataclass(frozen=True)
class WebNotice:
    id: int
    ticket_number: str
    status: str
    text: str
    created_at: str


class NotifyService:
    def __init__(self, db: Database, settings: NotifySettings, contacts: ContactsFile, providers: dict | None = None):
        self.db, self.settings, self.contacts = db, settings, contacts
        self.deliverer = Deliverer(db, settings, providers or {}, self._address)

    def attach(self, tickets: TicketService) -> None:
        tickets.created_listeners.append(self.on_ticket_created)
        tickets.status_listeners.append(self.on_status_changed)

    # --- inside the ticket service's transactions ------------------------------------------------

    def on_ticket_created(self, session: Session, ticket: Ticket, new: NewTicket) -> None:
        if not new.notify_updates:
            return
        channel = citizen_channel(ticket.channel, ticket.conversation_id, ticket.phone)
        if channel is None:
            log.info("工单 %s 要求进展通知，但没有可用的通知渠道", ticket.number)
            return
        session.add(Subscription(ticket_id=ticket.id, ticket_number=ticket.number, channel=channel))

    def on_status_changed(self, session: Session, ticket: Ticket, status: str) -> None:
        if status not in NOTIFY_STATUSES:
            return
        subscription = session.execute(
            select(Subscription).where(Subscription.ticket_id == ticket.id)
        ).scalar_one_or_none()
        if subscription is None:
            return
        text, params = status_text(ticket.number, status)
        enqueue(
            session,
            ticket_id=ticket.id,
            ticket_number=ticket.number,
            event=status,
            audience=CITIZEN,
            recipient=CITIZEN,
            recipient_label=citizen_label(ticket, subscription.channel),
            channel=subscription.channel,
            text=text,
            params=params,
        )

    # --- delivery -----------------------------------------------------------------------------

    def deliver_due(self) -> RoundResult:
        return self.deliverer.run_once()

    def _address(self, notice: Notice) -> str | None:
        if notice.recipient == CITIZEN:
            with self.db.session() as session:
                ticket = session.get(Ticket, notice.ticket_id)
            return citizen_address(ticket, notice.channel) if ticket else None
        contact = self.contacts.get().by_id(notice.recipient)
        return contact.address if contact and contact.channel == notice.channel else None

    # --- the web chat -------------------------------------------------------------------------

    def web_pending(self, conversation_id: str) -> list[WebNotice]:
        """The notices waiting for this conversation's next visit, oldest first."""
        with self.db.session() as session:
            rows = session.execute(
                select(Notice)
                .join(Ticket, Ticket.id == Notice.ticket_id)
                .where(Ticket.conversation_id == conversation_id, Notice.channel == WEB, Notice.state == PENDING)
                .order_by(Notice.id)
                .limit(MAX_WEB_NOTICES)
            ).scalars()
            return [
                WebNotice(n.id, n.ticket_number or "", n.event, n.text, n.created_at.isoformat() + "Z") for n in rows
            ]

    def web_shown(self, conversation_id: str, ids: Sequence[int]) -> int:
        """The page has shown these notices: delivered (once; a repeated confirmation changes nothing)."""
        if not ids:
            return 0
        with self.db.session(write=True) as session:
            rows = session.execute(
                select(Notice)
                .join(Ticket, Ticket.id == Notice.ticket_id)
                .where(
                    Ticket.conversation_id == conversation_id,
                    Notice.channel == WEB,
                    Notice.state == PENDING,
                    Notice.id.in_(list(ids)[:MAX_WEB_NOTICES]),
                )
            ).scalars()
            count = 0
            for notice in rows:
                notice.state, notice.delivered_at, notice.attempts = DELIVERED, utcnow(), notice.attempts + 1
                count += 1
            return count

    # --- the console --------------------------------------------------------------------------

    def for_ticket(self, ticket_id: int) -> list[Notice]:
        with self.db.session() as session:
            return list(
                session.execute(select(Notice).where(Notice.ticket_id == ticket_id).order_by(Notice.id)).scalars()
            )

    def retry(self, notice_id: int, actor: str, session: Session | None = None) -> Notice:
        """A failed notice goes back to the queue with its attempts reset (the caller audits it)."""
        with self.db.session(write=True) if session is None else nullcontext(session) as write:
            notice = write.get(Notice, notice_id)
            if notice is None:
                raise NoticeNotFound(notice_id)
            if notice.state != FAILED:
                raise NotRetryable("只有发送失败的通知可以重新发送。")
            notice.state, notice.attempts, notice.next_attempt_at = PENDING, 0, utcnow()
            notice.retried_by = actor[:50]
            return notice

    def stats(self) -> dict[str, int]:
        with self.db.session() as session:
            counts = {
                state: count
                for state, count in session.execute(select(Notice.state, func.count()).group_by(Notice.state))
            }
        return {
            "queued": sum(counts.values()),
            **{state: counts.get(state, 0) for state in ("pending", "sending", "delivered", "failed")},
        }
