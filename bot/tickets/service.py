"""Ticket operations: create (idempotent), status changes, department/urgency, reply, rating, 督办 (scan and one ticket).

Every change writes a TicketEvent (actor, time, note) in the same transaction.
"""

from __future__ import annotations

import builtins
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.database import Database
from bot.knowledge.departments import read_departments, resolve_department
from bot.tickets import crud
from bot.tickets.choices import EventKind, Grade, Status, Urgency
from bot.tickets.due_dates import CHINA_TZ, add_working_days, china_today, due_date_for, is_overdue
from bot.tickets.examples import export_examples, record_choice
from bot.tickets.models import Ticket, utcnow
from bot.tickets.numbering import next_number
from bot.tickets.routing import Routing, route, ticket_text
from bot.tickets.rules import RulesFile, TicketRules
from bot.tickets.state_machine import RETURN_TARGET, TransitionError, check_forward, check_return

log = logging.getLogger(__name__)

CITIZEN = "市民"
SYSTEM = "系统"


class TicketNotFound(Exception):
    pass


@dataclass
class NewTicket:
    """What a citizen (or an Open311 client) submits."""

    category: str | None  # None: read from the text by the triage
    summary: str
    description: str
    phone: str | None
    consent: bool
    channel: str
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    occurred_at: str | None = None
    department: str | None = None
    citizen_name: str | None = None
    urgency: str = Urgency.NORMAL.value
    conversation_id: str | None = None
    notify_updates: bool = False  # the citizen asked to hear when the ticket moves (bot/notify/)


# Called inside the write transaction of a new ticket / a status change (bot/notify/ writes its outbox there).
CreatedListener = Callable[[Session, Ticket, NewTicket], None]
StatusListener = Callable[[Session, Ticket, str], None]


def phone_last4_matches(phone: str | None, last4: str) -> bool:
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    return len(digits) >= 4 and secrets.compare_digest(digits[-4:], last4)


class TicketService:
    def __init__(self, db: Database, rules_file: RulesFile, examples_file: Path | None = None):
        self.db = db
        self.rules_file = rules_file
        self.examples_file = examples_file  # where dispatchers' choices are exported for training (None: not)
        self.created_listeners: builtins.list[CreatedListener] = []
        self.status_listeners: builtins.list[StatusListener] = []

    @property
    def rules(self) -> TicketRules:
        return self.rules_file.get()

    def overdue(self, ticket: Ticket, today: date | None = None) -> bool:
        return is_overdue(ticket.due_date, ticket.status, today or china_today(), self.rules)

    # --- create -------------------------------------------------------------------------------

    def _known_department(self, given: str | None) -> str | None:
        """A department of the list (by name or alias, knowledge/ticket_rules.yml); None for anything else,
        so that no ticket goes to a department nobody works in."""
        text = (given or "").strip()
        if not text:
            return None
        rules = self.rules
        if text == rules.default_department or text in {name for name, _ in rules.departments}:
            return text
        return resolve_department(text, read_departments(self.rules_file.path.parent))

    def create(self, new: NewTicket, idempotency_key: str | None) -> tuple[Ticket, bool]:
        """Returns (ticket, created). A known idempotency key returns the existing ticket.

        One write transaction: the key is looked up under the write lock (SQLite) and the unique key
        catches a concurrent twin (PostgreSQL), so no separate read transaction is needed before it."""
        try:
            return self._insert(new, idempotency_key)
        except IntegrityError:
            # A concurrent retry with the same key won the race (PostgreSQL); return its ticket.
            if not idempotency_key:
                raise
            with self.db.session() as session:
                existing = crud.get_by_idempotency_key(session, idempotency_key)
            if existing is None:
                raise
            return existing, False

    def _insert(self, new: NewTicket, idempotency_key: str | None) -> tuple[Ticket, bool]:
        rules = self.rules
        now = utcnow()
        accepted_on = now.replace(tzinfo=UTC).astimezone(CHINA_TZ).date()
        text = ticket_text(new.summary, new.description, new.location)
        department, inferred, routing = self._known_department(new.department) or "", False, Routing("")
        if not department or not new.category:
            routing = route(text, rules)
        category = new.category or routing.category
        if not department:
            department, inferred = routing.department, True
        with self.db.session(write=True) as session:
            if idempotency_key:  # re-check under the write lock (SQLite serialises writers here)
                existing = crud.get_by_idempotency_key(session, idempotency_key)
                if existing:
                    return existing, False
            ticket = Ticket(
                number=next_number(session, accepted_on),
                idempotency_key=idempotency_key,
                category=category,
                summary=new.summary,
                description=new.description,
                location=new.location,
                latitude=new.latitude,
                longitude=new.longitude,
                occurred_at=new.occurred_at,
                department=department,
                department_inferred=inferred,
                department_score=routing.score if inferred else None,
                department_candidates=routing.candidates_json if inferred and routing.candidates else None,
                citizen_name=new.citizen_name,
                phone=new.phone,
                channel=new.channel,
                consent=new.consent,
                status=Status.ACCEPTED.value,
                urgency=new.urgency,
                supervised=False,
                created_at=now,
                updated_at=now,
                due_date=due_date_for(category, accepted_on, rules),
                conversation_id=new.conversation_id,
                media=[],  # photos: the conversation's drafts, added by a created listener (photo_drafts.py)
            )
            session.add(ticket)  # flushed with its first event below (no lazy load of the new ticket's events)
            note = f"渠道：{new.channel}；承办部门{_inferred_note(routing) if inferred else ''}：{department}"
            if new.department and new.department.strip() and inferred:
                note += f"；所填部门“{new.department.strip()[:30]}”不在部门名单中"
            crud.add_event(
                session, ticket, EventKind.CREATED.value, new.channel or CITIZEN, note, to_status=Status.ACCEPTED.value
            )
            for created_listener in self.created_listeners:
                created_listener(session, ticket, new)
        log.info("工单已受理 %s（%s，%s）", ticket.number, ticket.category, ticket.department)
        return ticket, True

    # --- reads --------------------------------------------------------------------------------

    def get(self, number: str) -> Ticket:
        with self.db.session() as session:
            ticket = crud.get_by_number(session, number, with_events=True)
        if ticket is None:
            raise TicketNotFound(number)
        return ticket

    def list(self, **filters: Any) -> tuple[int, builtins.list[Ticket]]:
        with self.db.session() as session:
            return crud.list_tickets(session, **filters)

    def search(self, **filters: Any) -> builtins.list[Ticket]:
        with self.db.session() as session:
            return crud.search_tickets(session, **filters)

    def status_query(self, number: str, phone_last4: str) -> Ticket | None:
        """The ticket only when number and phone digits belong together; otherwise None (no hint why)."""
        ticket = None
        try:
            ticket = self.get(number)
        except TicketNotFound:
            pass
        matches = phone_last4_matches(ticket.phone if ticket else "0000", phone_last4)
        return ticket if ticket is not None and matches else None

    # --- changes ------------------------------------------------------------------------------

    def _change(self, number: str, change: Callable[[Session, Ticket], None]) -> Ticket:
        """Run change(session, ticket) on the locked ticket in one write transaction."""
        with self.db.session(write=True) as session:
            ticket = crud.get_by_number(session, number, with_events=True, for_update=True)
            if ticket is None:
                raise TicketNotFound(number)
            change(session, ticket)
            ticket.updated_at = utcnow()
        if session.info.get("triage_examples_changed") and self.examples_file:
            self.export_examples(self.examples_file)
        return ticket

    def export_examples(self, path: Path) -> int:
        """Write the dispatchers' labelled examples as JSONL to `path`; returns how many."""
        with self.db.session() as session:
            return export_examples(session, path)

    def transition(
        self,
        number: str,
        target: str,
        actor: str,
        note: str | None = None,
        department: str | None = None,
        reply: str | None = None,
    ) -> Ticket:
        def change(session: Session, ticket: Ticket) -> None:
            check_forward(ticket.status, target)
            if department and department != ticket.department:
                self._set_department(session, ticket, department, actor, None)
            if target == Status.DISPATCHED.value and ticket.department == self.rules.default_department:
                raise TransitionError("请先指定承办部门再转办。")
            if target == Status.DISPATCHED.value and ticket.department_inferred:
                record_choice(session, ticket, ticket.department, actor)  # the inferred department confirmed
            if reply:
                self._set_reply(session, ticket, reply, actor)
            if target == Status.ANSWERED.value and not ticket.reply:
                raise TransitionError("请先填写给市民的部门答复，再标记为已反馈。")
            previous, ticket.status = ticket.status, target
            crud.add_event(
                session, ticket, EventKind.STATUS_CHANGED.value, actor, note, from_status=previous, to_status=target
            )
            for status_listener in self.status_listeners:
                status_listener(session, ticket, target)

        return self._change(number, change)

    def return_to_dispatcher(self, number: str, actor: str, note: str) -> Ticket:
        def change(session: Session, ticket: Ticket) -> None:
            check_return(ticket.status)
            previous, former_department = ticket.status, ticket.department
            ticket.status = RETURN_TARGET.value
            ticket.department = self.rules.default_department
            ticket.department_inferred = False
            crud.add_event(
                session,
                ticket,
                EventKind.RETURNED.value,
                actor,
                f"原承办部门：{former_department}；退回原因：{note}",
                from_status=previous,
                to_status=RETURN_TARGET.value,
            )

        return self._change(number, change)

    def update(
        self,
        number: str,
        actor: str,
        department: str | None = None,
        urgency: str | None = None,
        note: str | None = None,
    ) -> Ticket:
        def change(session: Session, ticket: Ticket) -> None:
            if ticket.status == Status.CLOSED.value:
                raise TransitionError("工单已办结，不能再修改承办部门或紧急程度。")
            if department and department != ticket.department:
                self._set_department(session, ticket, department, actor, note)
            if urgency and urgency != ticket.urgency:
                previous, ticket.urgency = ticket.urgency, urgency
                crud.add_event(
                    session, ticket, EventKind.URGENCY_CHANGED.value, actor, _join(f"{previous} → {urgency}", note)
                )

        return self._change(number, change)

    def reply(self, number: str, text: str, actor: str) -> Ticket:
        def change(session: Session, ticket: Ticket) -> None:
            if ticket.status == Status.CLOSED.value:
                raise TransitionError("工单已办结，不能再修改答复。")
            self._set_reply(session, ticket, text, actor)

        return self._change(number, change)

    def rate(self, number: str, grade: str, comment: str | None) -> Ticket:
        def change(session: Session, ticket: Ticket) -> None:
            if ticket.status != Status.CLOSED.value:
                raise TransitionError(f"工单办结后才能评价，当前状态为「{ticket.status}」。")
            if ticket.rating:
                raise TransitionError("该工单已经评价过了，感谢您的反馈。")
            ticket.rating, ticket.rating_comment, ticket.rated_at = grade, comment, utcnow()
            crud.add_event(session, ticket, EventKind.RATED.value, CITIZEN, _join(grade, comment))
            if Grade(grade).is_bad:
                days = self.rules.bad_rating_follow_up_days
                deadline = add_working_days(china_today(), days, self.rules)
                crud.add_event(
                    session,
                    ticket,
                    EventKind.BAD_RATING_FOLLOW_UP.value,
                    SYSTEM,
                    f"差评，请在 {days} 个工作日内（{deadline} 前）回访核实，整改结果反馈市民。",
                )

        return self._change(number, change)

    def supervise(self, number: str, actor: str, note: str) -> Ticket:
        """督办 of one ticket by staff: only while it is overdue (past its time limit and still open)."""

        def change(session: Session, ticket: Ticket) -> None:
            if not is_overdue(ticket.due_date, ticket.status, china_today(), self.rules):
                raise TransitionError("只有超期未办结的工单可以督办。")
            ticket.supervised = True
            crud.add_event(
                session,
                ticket,
                EventKind.SUPERVISED.value,
                actor,
                f"督办：{note}（办理时限 {ticket.due_date}，承办部门 {ticket.department}）",
            )

        return self._change(number, change)

    def flag_overdue(self, today: date | None = None) -> builtins.list[str]:
        """Mark overdue tickets 督办 (once each); returns the newly flagged numbers."""
        today = today or china_today()
        rules = self.rules
        flagged = []
        with self.db.session(write=True) as session:
            candidates = (
                session.execute(
                    select(Ticket).where(
                        Ticket.supervised.is_(False),
                        Ticket.status.in_(sorted(rules.supervision_statuses)),
                        Ticket.due_date < today,
                    )
                )
                .scalars()
                .all()
            )
            for ticket in candidates:
                if not is_overdue(ticket.due_date, ticket.status, today, rules):
                    continue
                ticket.supervised = True
                ticket.updated_at = utcnow()
                crud.add_event(
                    session,
                    ticket,
                    EventKind.SUPERVISED.value,
                    SYSTEM,
                    f"已超过办理时限（{ticket.due_date}），请{ticket.department}尽快办理并反馈。",
                )
                flagged.append(ticket.number)
        if flagged:
            log.info("督办 %d 件超期工单", len(flagged))
        return flagged

    # --- helpers ------------------------------------------------------------------------------

    def _set_department(self, session: Session, ticket: Ticket, department: str, actor: str, note: str | None) -> None:
        previous = ticket.department
        if previous == self.rules.default_department or ticket.department_inferred:
            record_choice(session, ticket, department, actor)  # the dispatcher routed it: a labelled example
        ticket.department, ticket.department_inferred = department, False
        crud.add_event(
            session, ticket, EventKind.DEPARTMENT_CHANGED.value, actor, _join(f"{previous} → {department}", note)
        )

    def _set_reply(self, session: Session, ticket: Ticket, text: str, actor: str) -> None:
        ticket.reply, ticket.replied_at = text, utcnow()
        crud.add_event(session, ticket, EventKind.REPLIED.value, actor, text)


def _inferred_note(routing: Routing) -> str:
    if routing.by == "keywords":
        return "（按关键词推断）"
    top = "、".join(f"{name} {score:.0%}" for name, score in routing.candidates)
    return f"（智能分流推断，前三：{top}）"


def _join(first: str, second: str | None) -> str:
    return f"{first}；{second}" if second else first


def to_china_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(CHINA_TZ).isoformat(timespec="seconds")
