"""The ticket workbench: what a staff member may see and do, on top of bot/tickets/service.py.

Status rules stay in the service layer and its state machine (the buttons offered are exactly
`state_machine.FORWARD` / `RETURNABLE` for the current status, 督办 is `TicketService.supervise`); this
module adds who may press them, the required note, the audit log entry and the 回访 records of 差评 tickets.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.console.crud import audit
from bot.console.crud import tickets as queries
from bot.console.models import FollowUp
from bot.console.permissions import DEPARTMENT_TARGETS, allowed
from bot.console.services.auth import CurrentUser
from bot.core.database import Database
from bot.tickets.choices import Status
from bot.tickets.due_dates import CHINA_TZ, add_working_days, china_today, is_working_day, overdue_cutoff
from bot.tickets.models import Ticket, utcnow
from bot.tickets.service import TicketNotFound, TicketService
from bot.tickets.state_machine import FORWARD, RETURNABLE, TransitionError

FOLLOWUP_KINDS = ("已回访", "已整改")
PAGE_SIZE = 50


class Forbidden(Exception):
    pass


class ActionError(ValueError):
    """A refused action; the message is shown on the page."""


@dataclass
class Filters:
    status: str = ""
    category: str = ""
    department: str = ""
    overdue: bool = False
    bad_rating: bool = False
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    page: int = 1


@dataclass
class Actions:
    targets: list[str] = field(default_factory=list)
    can_return: bool = False
    can_assign: bool = False
    can_reply: bool = False
    can_supervise: bool = False
    can_follow_up: bool = False


def china_midnight_utc(day: date) -> datetime:
    """00:00 China time of `day`, as naive UTC (how tickets store times)."""
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ).astimezone(UTC).replace(tzinfo=None)


def china_date(value: datetime) -> date:
    return value.replace(tzinfo=UTC).astimezone(CHINA_TZ).date()


def working_days_left(today: date, deadline: date, rules) -> int:
    """Working days from today to the deadline (0 on the deadline day, negative once past)."""
    step = 1 if deadline >= today else -1
    count, day = 0, today
    while day != deadline:
        day += timedelta(days=step)
        if is_working_day(day, rules):
            count += step
    return count


class Workbench:
    def __init__(self, db: Database, tickets: TicketService):
        self.db = db
        self.tickets = tickets

    # ------------------------------------------------------------ reading
    def departments(self) -> list[str]:
        rules = self.tickets.rules
        return [name for name, _keywords in rules.departments] + [rules.default_department]

    def can_see(self, user: CurrentUser, ticket: Ticket) -> bool:
        if not allowed(user.role, "tickets"):
            return False
        return allowed(user.role, "tickets.all") or (bool(user.department) and ticket.department == user.department)

    def list(self, user: CurrentUser, filters: Filters) -> tuple[int, list[tuple[Ticket, bool]]]:
        department = filters.department
        if not allowed(user.role, "tickets.all"):
            department = user.department or "\x00"  # staff without a department see nothing
        with self.db.session() as session:
            total, rows = queries.page(
                session,
                offset=(max(filters.page, 1) - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
                overdue_only=self._overdue() if filters.overdue else None,
                status=filters.status or None,
                category=filters.category or None,
                department=department or None,
                bad_rating=filters.bad_rating,
                created_from=china_midnight_utc(filters.date_from) if filters.date_from else None,
                created_to=china_midnight_utc(filters.date_to + timedelta(days=1)) if filters.date_to else None,
                text=filters.q or None,
            )
        return total, [(t, self.tickets.overdue(t)) for t in rows]

    def _overdue(self) -> queries.Overdue:
        rules = self.tickets.rules
        return queries.Overdue(overdue_cutoff(china_today(), rules), tuple(rules.supervision_statuses))

    def summary(self, user: CurrentUser) -> dict:
        """Open and overdue ticket counts within what the user may see."""
        department = None if allowed(user.role, "tickets.all") else (user.department or "\x00")
        with self.db.session() as session:
            open_count, overdue_count = queries.open_and_overdue_counts(session, self._overdue(), department)
        return {"open": open_count, "overdue": overdue_count}

    def get(self, user: CurrentUser, number: str) -> Ticket:
        try:
            ticket = self.tickets.get(number.strip().upper())
        except TicketNotFound:
            raise
        if not self.can_see(user, ticket):
            raise Forbidden()
        return ticket

    def actions(self, user: CurrentUser, ticket: Ticket) -> Actions:
        dispatcher = allowed(user.role, "tickets.dispatch")
        status = Status(ticket.status)
        forward = FORWARD.get(status)
        targets = []
        if forward is not None and (dispatcher or forward.value in DEPARTMENT_TARGETS):
            targets.append(forward.value)
        closed = status == Status.CLOSED
        return Actions(
            targets=targets,
            can_return=status in RETURNABLE,
            can_assign=dispatcher and not closed,
            can_reply=not closed,
            can_supervise=dispatcher and self.tickets.overdue(ticket),
            can_follow_up=dispatcher and bool(ticket.rating),
        )

    def followups(self, numbers: builtins.list[str]) -> dict:
        with self.db.session() as session:
            return queries.followups(session, numbers)

    # ------------------------------------------------------------ changes
    @staticmethod
    def _snapshot(ticket: Ticket) -> dict:
        return {
            "status": ticket.status,
            "department": ticket.department,
            "reply": ticket.reply,
            "supervised": ticket.supervised,
            "urgency": ticket.urgency,
        }

    def _audit(self, user: CurrentUser, action: str, before: Ticket, after: Ticket, note: str) -> None:
        with self.db.session(write=True) as session:
            audit.record(
                session,
                user.username,
                user.role,
                action,
                f"ticket:{after.number}",
                before=self._snapshot(before),
                after=self._snapshot(after),
                note=note,
            )

    def _run(self, user: CurrentUser, number: str, action: str, note: str, operation) -> Ticket:
        before = self.get(user, number)
        try:
            after = operation(before)
        except TransitionError as error:
            raise ActionError(str(error)) from None
        self._audit(user, action, before, after, note)
        return after

    @staticmethod
    def _required(note: str, what: str = "处理说明") -> str:
        note = (note or "").strip()
        if not note:
            raise ActionError(f"请填写{what}")
        if len(note) > 2000:
            raise ActionError(f"{what}不能超过 2000 字")
        return note

    def transition(
        self, user: CurrentUser, number: str, target: str, note: str, department: str = "", reply: str = ""
    ) -> Ticket:
        note = self._required(note)
        ticket = self.get(user, number)
        if target not in self.actions(user, ticket).targets:
            raise ActionError(f"您不能把工单变更为「{target}」")
        department = department.strip()
        if department and department not in self.departments():
            raise ActionError("请选择列表中的承办部门")
        return self._run(
            user,
            number,
            "ticket.transition",
            note,
            lambda t: self.tickets.transition(
                t.number, target, user.actor, note=note, department=department or None, reply=reply.strip() or None
            ),
        )

    def return_to_dispatcher(self, user: CurrentUser, number: str, note: str) -> Ticket:
        note = self._required(note, "退回原因")
        return self._run(
            user, number, "ticket.return", note, lambda t: self.tickets.return_to_dispatcher(t.number, user.actor, note)
        )

    def assign(self, user: CurrentUser, number: str, department: str, note: str) -> Ticket:
        note = self._required(note, "改派说明")
        ticket = self.get(user, number)
        if not self.actions(user, ticket).can_assign:
            raise ActionError("您不能改派这张工单")
        if department not in self.departments():
            raise ActionError("请选择列表中的承办部门")
        return self._run(
            user,
            number,
            "ticket.assign",
            note,
            lambda t: self.tickets.update(t.number, user.actor, department=department, note=note),
        )

    def reply(self, user: CurrentUser, number: str, text: str) -> Ticket:
        text = self._required(text, "给市民的答复")
        return self._run(user, number, "ticket.reply", text, lambda t: self.tickets.reply(t.number, text, user.actor))

    def supervise(self, user: CurrentUser, number: str, note: str) -> Ticket:
        note = self._required(note, "督办意见")
        ticket = self.get(user, number)
        if not self.actions(user, ticket).can_supervise:
            raise ActionError("只有超期未办结的工单可以督办")
        return self._run(
            user, number, "ticket.supervise", note, lambda t: self.tickets.supervise(t.number, user.actor, note)
        )

    def follow_up(self, user: CurrentUser, number: str, kind: str, note: str) -> None:
        note = self._required(note, "回访记录")
        ticket = self.get(user, number)
        if kind not in FOLLOWUP_KINDS or not self.actions(user, ticket).can_follow_up:
            raise ActionError("这张工单不能登记回访")
        with self.db.session(write=True) as session:
            session.add(FollowUp(ticket_number=ticket.number, kind=kind, note=note, actor=user.actor, at=utcnow()))
            audit.record(
                session,
                user.username,
                user.role,
                "ticket.follow_up",
                f"ticket:{ticket.number}",
                after={"kind": kind, "note": note},
            )

    # ------------------------------------------------------------ 差评回访 queue
    def follow_up_queue(self, include_done: bool = False, today: date | None = None) -> builtins.list[dict]:
        today = today or china_today()
        rules = self.tickets.rules
        with self.db.session() as session:
            rated = queries.bad_rated(session)
            records = queries.followups(session, [t.number for t in rated])
        queue = []
        for ticket in rated:
            rated_on = china_date(ticket.rated_at or ticket.updated_at)
            deadline = add_working_days(rated_on, rules.bad_rating_follow_up_days, rules)
            history = records.get(ticket.number, [])
            done = any(r.kind == "已整改" for r in history)
            if done and not include_done:
                continue
            queue.append(
                {
                    "ticket": ticket,
                    "rated_on": rated_on,
                    "deadline": deadline,
                    "done": done,
                    "called": any(r.kind == "已回访" for r in history),
                    "records": history,
                    "left": working_days_left(today, deadline, rules),
                }
            )
        return sorted(queue, key=lambda item: (item["done"], item["deadline"]))
