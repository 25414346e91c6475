"""Deadline warnings to the responsible department: one working day before the due date (明天到期), and again
when the ticket is overdue (超期督办), each once per ticket and kind (a unique row), shown in the console and
sent to the department's contacts through the outbox in the same transaction. Tickets still 待分派 warn the
dispatcher instead. Working days come from the tickets' calendar (knowledge/calendar.yml).

The dispatcher's daily digest: once per China day, from NOTIFY_DIGEST_HOUR on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.common.clock import china_now
from bot.core.database import Database
from bot.notify.config import NotifySettings
from bot.notify.contacts import Contact, ContactsFile
from bot.notify.models import (
    CHANNEL_LABELS,
    DEPARTMENT,
    DISPATCHER,
    DUE_SOON,
    FAILED,
    OVERDUE,
    DeadlineWarning,
    Digest,
    Notice,
)
from bot.notify.outbox import enqueue
from bot.notify.texts import digest_text, due_soon_text, overdue_text
from bot.tickets.due_dates import add_working_days, china_today, is_overdue
from bot.tickets.models import Ticket, utcnow
from bot.tickets.service import TicketService

log = logging.getLogger(__name__)


@dataclass
class ScanResult:
    due_soon: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    digest: date | None = None


class DeadlineWatch:
    def __init__(self, db: Database, tickets: TicketService, contacts: ContactsFile, settings: NotifySettings):
        self.db, self.tickets, self.contacts, self.settings = db, tickets, contacts, settings

    def scan(self, today: date | None = None, now: datetime | None = None) -> ScanResult:
        today = today or china_today()
        rules = self.tickets.rules
        tomorrow = add_working_days(today, 1, rules)  # the next working day
        result = ScanResult()
        with self.db.session(write=True) as session:
            open_tickets = session.execute(
                select(Ticket).where(Ticket.status.in_(sorted(rules.supervision_statuses)), Ticket.due_date <= tomorrow)
            ).scalars()
            for ticket in open_tickets:
                if is_overdue(ticket.due_date, ticket.status, today, rules):
                    kind = OVERDUE
                elif ticket.due_date >= today:  # due on the next working day (or today, if a scan was missed)
                    kind = DUE_SOON
                else:
                    continue  # past its date but within the grace days: the overdue warning comes later
                if self._warn(session, ticket, kind):
                    (result.overdue if kind == OVERDUE else result.due_soon).append(ticket.number)
        if result.due_soon or result.overdue:
            log.info("时限预警：即将到期 %d 件，超期 %d 件", len(result.due_soon), len(result.overdue))
        result.digest = self.digest(now)
        return result

    def _warn(self, session: Session, ticket: Ticket, kind: str) -> bool:
        exists = session.execute(
            select(DeadlineWarning.id).where(DeadlineWarning.ticket_id == ticket.id, DeadlineWarning.kind == kind)
        ).first()
        if exists:
            return False
        try:
            with session.begin_nested():
                session.add(
                    DeadlineWarning(
                        ticket_id=ticket.id,
                        ticket_number=ticket.number,
                        department=ticket.department,
                        kind=kind,
                        due_date=ticket.due_date,
                        created_at=utcnow(),
                    )
                )
        except IntegrityError:
            return False
        text, params = (overdue_text if kind == OVERDUE else due_soon_text)(ticket.number, ticket.due_date)
        unassigned = ticket.department == self.tickets.rules.default_department
        contacts = self.contacts.get()
        staff = contacts.dispatcher if unassigned else contacts.departments.get(ticket.department, ())
        for contact in staff:
            _enqueue_for(session, contact, DISPATCHER if unassigned else DEPARTMENT, ticket, kind, text, params)
        return True

    def digest(self, now: datetime | None = None) -> date | None:
        """Make today's digest once, from the digest hour on; the day made, or None."""
        local = now or china_now()
        if local.hour < self.settings.digest_hour:
            return None
        day = local.date()
        with self.db.session(write=True) as session:
            if session.execute(select(Digest.id).where(Digest.day == day)).first():
                return None
            due_soon, overdue = self.open_warning_counts(session)
            failed = session.execute(
                select(func.count()).select_from(Notice).where(Notice.state == FAILED)
            ).scalar_one()
            text, params = digest_text(day, due_soon, overdue, failed)
            session.add(Digest(day=day, text=text, due_soon=due_soon, overdue=overdue, failed_notices=failed))
            for contact in self.contacts.get().dispatcher:
                enqueue(
                    session,
                    ticket_id=None,
                    ticket_number=None,
                    event=f"digest:{day.isoformat()}",
                    audience=DISPATCHER,
                    recipient=contact.id,
                    recipient_label=f"{contact.name} · {CHANNEL_LABELS[contact.channel]}",
                    channel=contact.channel,
                    text=text,
                    params=params,
                )
        return day

    def open_warning_counts(self, session: Session) -> tuple[int, int]:
        """Warnings of tickets still open: (due soon, overdue)."""
        statuses = sorted(self.tickets.rules.supervision_statuses)
        rows = session.execute(
            select(DeadlineWarning.kind, func.count())
            .join(Ticket, Ticket.id == DeadlineWarning.ticket_id)
            .where(Ticket.status.in_(statuses))
            .group_by(DeadlineWarning.kind)
        )
        counts = {kind: count for kind, count in rows}
        return counts.get(DUE_SOON, 0), counts.get(OVERDUE, 0)


def _enqueue_for(
    session: Session, contact: Contact, audience: str, ticket: Ticket, kind: str, text: str, params: dict[str, str]
) -> None:
    enqueue(
        session,
        ticket_id=ticket.id,
        ticket_number=ticket.number,
        event=kind,
        audience=audience,
        recipient=contact.id,
        recipient_label=f"{contact.name} · {CHANNEL_LABELS[contact.channel]}",
        channel=contact.channel,
        text=text,
        params=params,
    )
