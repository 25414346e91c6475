"""Read-only ticket queries the workbench and the analytics need beyond bot/tickets/crud.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, and_, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.functions import FunctionElement

from bot.console.models import FollowUp
from bot.tickets.choices import Grade, Status
from bot.tickets.models import Ticket, TicketEvent

BAD_GRADES = [g.value for g in Grade if g.is_bad]


@dataclass(frozen=True)
class Overdue:
    """What 超期 means today: an open status of the supervision rule and a due date on or before `cutoff`."""

    cutoff: date
    statuses: tuple[str, ...]


def _filtered(
    *,
    status: str | None = None,
    category: str | None = None,
    department: str | None = None,
    bad_rating: bool = False,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    text: str | None = None,
) -> Select:
    """The workbench filters as one query; `created_to` is exclusive, like every period in the console."""
    query = select(Ticket)
    for column, value in ((Ticket.status, status), (Ticket.category, category), (Ticket.department, department)):
        if value:
            query = query.where(column == value)
    if bad_rating:
        query = query.where(Ticket.rating.in_(BAD_GRADES))
    if created_from is not None:
        query = query.where(Ticket.created_at >= created_from)
    if created_to is not None:
        query = query.where(Ticket.created_at < created_to)
    if text:
        needle = text.strip()
        columns = (Ticket.number, Ticket.summary, Ticket.description, Ticket.location, Ticket.reply)
        query = query.where(or_(*(column.contains(needle, autoescape=True) for column in columns)))
    return query


def overdue_clause(overdue: Overdue) -> ColumnElement[bool]:
    """督办 or past its time limit (bot/tickets/due_dates.is_overdue, as SQL)."""
    late = and_(Ticket.status.in_(list(overdue.statuses)), Ticket.due_date <= overdue.cutoff)
    return or_(Ticket.supervised.is_(True), late)


def page(
    db: DbSession, *, offset: int, limit: int, overdue_only: Overdue | None = None, **filters: Any
) -> tuple[int, list[Ticket]]:
    """(how many match, one page of them, newest first): counted and paged by the database."""
    query = _filtered(**filters)
    if overdue_only is not None:
        query = query.where(overdue_clause(overdue_only))
    total = db.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.execute(query.order_by(Ticket.id.desc()).offset(offset).limit(limit)).scalars()
    return total, list(rows)


def open_and_overdue_counts(db: DbSession, overdue: Overdue, department: str | None = None) -> tuple[int, int]:
    """How many open tickets there are and how many of them are overdue, in one query."""
    open_tickets = _filtered(department=department).where(Ticket.status != Status.CLOSED.value)
    counts = open_tickets.with_only_columns(func.count(), func.count().filter(overdue_clause(overdue)))
    total, overdue_count = db.execute(counts.select_from(Ticket)).one()
    return int(total), int(overdue_count)


@dataclass(frozen=True)
class PeriodCounts:
    """The period's tickets counted by the database: per (category, department) how many were accepted and
    how many of those are overdue; the 已办结 events with their mean handling time; the ratings per grade."""

    groups: list[tuple[str, str, int, int]]  # (category, department, tickets, overdue), sorted
    closed: int
    mean_handling_days: float | None
    grades: dict[str, int]


class days_between(FunctionElement):  # noqa: N801 (an SQL function's name)
    """days_between(earlier, later): the interval in (fractional) days, for the dialects we run on."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    earlier, later = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw) -> str:
    earlier, later = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


def period_counts(db: DbSession, start: datetime, end: datetime, overdue: Overdue) -> PeriodCounts:
    """Three aggregate queries on indexed columns (created_at; to_status, created_at; rated_at): the cost
    does not depend on how many tickets the period holds, nor on the size of the tables (bench --growth)."""
    groups = db.execute(
        select(Ticket.category, Ticket.department, func.count(), func.count().filter(overdue_clause(overdue)))
        .where(Ticket.created_at >= start, Ticket.created_at < end)
        .group_by(Ticket.category, Ticket.department)
        .order_by(Ticket.category, Ticket.department)
    ).all()
    closed, mean_days = db.execute(
        select(func.count(), func.avg(days_between(Ticket.created_at, TicketEvent.created_at)))
        .select_from(TicketEvent)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            TicketEvent.to_status == Status.CLOSED.value, TicketEvent.created_at >= start, TicketEvent.created_at < end
        )
    ).one()
    grades = db.execute(
        select(Ticket.rating, func.count())
        .where(Ticket.rated_at >= start, Ticket.rated_at < end, Ticket.rating.isnot(None), Ticket.rating != "")
        .group_by(Ticket.rating)
    ).all()
    return PeriodCounts(
        groups=[(c, d, int(n), int(o)) for c, d, n, o in groups],
        closed=int(closed),
        mean_handling_days=float(mean_days) if closed and mean_days is not None else None,
        grades={grade: int(n) for grade, n in grades},
    )


def bad_rated(db: DbSession, department: str | None = None) -> list[Ticket]:
    query = select(Ticket).where(Ticket.rating.in_(BAD_GRADES))
    if department:
        query = query.where(Ticket.department == department)
    return list(db.execute(query.order_by(Ticket.rated_at)).scalars())


def conversation_ids_with_tickets(db: DbSession, sender_ids: Sequence[str]) -> set:
    ids = [s for s in sender_ids if s]
    found: set = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        found |= set(db.execute(select(Ticket.conversation_id).where(Ticket.conversation_id.in_(chunk))).scalars())
    return found


def followups(db: DbSession, numbers: Sequence[str]) -> dict:
    if not numbers:
        return {}
    out: dict = {}
    rows = db.execute(select(FollowUp).where(FollowUp.ticket_number.in_(list(numbers))).order_by(FollowUp.id))
    for row in rows.scalars():
        out.setdefault(row.ticket_number, []).append(row)
    return out
