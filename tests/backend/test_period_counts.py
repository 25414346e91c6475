"""The dashboard's and the report's ticket statistics, counted by the database (issue 19), give the same
figures as the computation they replaced: every ticket of the period loaded and counted in Python."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from bench.growth import fill
from bot.console.services.analytics import Analytics, Period, month_period, previous_month, ratio
from bot.tickets.choices import Category, Grade, Status
from bot.tickets.due_dates import china_today
from bot.tickets.models import Ticket, TicketEvent


def legacy_tickets_stats(analytics: Analytics, period: Period) -> dict:
    """Analytics.tickets_stats before issue 19 (commit a5fa8b7), kept here as the reference."""
    start, end = period.utc_range
    with analytics.db.session() as session:
        accepted = list(
            session.execute(select(Ticket).where(Ticket.created_at >= start, Ticket.created_at < end)).scalars()
        )
        closed_events = list(
            session.execute(
                select(TicketEvent)
                .where(
                    TicketEvent.to_status == Status.CLOSED.value,
                    TicketEvent.created_at >= start,
                    TicketEvent.created_at < end,
                )
                .options(selectinload(TicketEvent.ticket))
            ).scalars()
        )
        durations = [(e.created_at - e.ticket.created_at).total_seconds() / 86400 for e in closed_events]
        rated = list(session.execute(select(Ticket).where(Ticket.rated_at >= start, Ticket.rated_at < end)).scalars())
    by_category = Counter(t.category for t in accepted)
    by_department = Counter(t.department for t in accepted)
    overdue_by_department: Counter = Counter()
    overdue = 0
    for ticket in accepted:
        if ticket.supervised or analytics.tickets.overdue(ticket):
            overdue += 1
            overdue_by_department[ticket.department] += 1
    grades = Counter(t.rating for t in rated if t.rating)
    bad = sum(grades.get(g.value, 0) for g in Grade if g.is_bad)
    departments = sorted(
        (
            {
                "department": d,
                "tickets": n,
                "overdue": overdue_by_department.get(d, 0),
                "rate": ratio(overdue_by_department.get(d, 0), n),
            }
            for d, n in by_department.items()
        ),
        key=lambda row: (-row["overdue"], -row["tickets"], row["department"]),
    )
    return {
        "tickets": len(accepted),
        "closed": len(closed_events),
        "overdue": overdue,
        "overdue_rate": ratio(overdue, len(accepted)),
        "avg_handling_days": sum(durations) / len(durations) if durations else None,
        "by_category": [(c.value, by_category.get(c.value, 0)) for c in Category],
        "by_department": by_department.most_common(12),
        "departments": departments,
        "grades": [(g.value, grades.get(g.value, 0)) for g in Grade],
        "ratings": sum(grades.values()),
        "bad_ratings": bad,
        "bad_rate": ratio(bad, sum(grades.values())),
        "complaints": sum(by_category.get(c, 0) for c in ("投诉", "举报")),
        "hotspots": dict(Counter((t.category, t.department) for t in accepted if t.category not in ("表扬", "咨询"))),
    }


@pytest.fixture
def seeded(service):
    """3,000 tickets over ~200 days (bench --growth's generator), with every category, some supervised,
    some open and past their due date, handling times of varied length and ratings given late."""
    fill(service.db, 3_000, seed=7)
    rng = random.Random(7)
    categories = [c.value for c in Category]
    with service.db.engine.begin() as connection:
        ids = range(1, 3_001)
        for ticket_id in rng.sample(ids, 600):
            connection.execute(update(Ticket).where(Ticket.id == ticket_id).values(category=rng.choice(categories)))
        for ticket_id in rng.sample(ids, 150):
            connection.execute(update(Ticket).where(Ticket.id == ticket_id).values(supervised=True))
        for ticket_id in rng.sample(ids, 300):
            connection.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id)
                .values(status=Status.ACCEPTED.value, due_date=china_today() - timedelta(days=rng.randint(-20, 40)))
            )
    with service.db.session(write=True) as session:
        closing = select(TicketEvent).where(TicketEvent.to_status == Status.CLOSED.value)
        for event in rng.sample(list(session.execute(closing).scalars()), 400):
            event.created_at += timedelta(hours=rng.randint(1, 900), seconds=0.37)
        rated = select(Ticket).where(Ticket.rated_at.isnot(None))
        for ticket in rng.sample(list(session.execute(rated).scalars()), 200):
            ticket.rated_at += timedelta(days=33)
    return Analytics(service.db, service, {})


def periods() -> list[Period]:
    today = china_today()
    month = month_period(today.year, today.month)
    return [
        Period(today - timedelta(days=29), today),
        Period(today - timedelta(days=6), today),
        month,
        previous_month(month),
        previous_month(previous_month(month)),
        Period(today - timedelta(days=365), today),
        Period(today + timedelta(days=1), today + timedelta(days=30)),  # nothing in it
    ]


def test_sql_counts_match_the_python_computation(seeded):
    compared = 0
    for period in periods():
        new, old = seeded.tickets_stats(period), legacy_tickets_stats(seeded, period)
        for key in old:
            if key == "avg_handling_days" and old[key] is not None:
                # SQLite's julianday keeps milliseconds: the same mean within a second, shown as 0.1 days
                assert math.isclose(new[key], old[key], abs_tol=1e-5), (period, key)
            elif key == "by_department":
                # Counter.most_common broke ties in row order; the new list breaks them by name
                assert new[key] == sorted(old[key], key=lambda item: (-item[1], item[0])), (period, key)
            else:
                assert new[key] == old[key], (period, key)
        compared += old["tickets"]
    assert compared > 3_000  # the periods overlap; most held tickets, with overdue and rated ones among them
    month = seeded.tickets_stats(periods()[0])
    assert month["overdue"] and month["ratings"] and month["closed"] and month["avg_handling_days"]
