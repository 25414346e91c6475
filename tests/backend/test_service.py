"""Service layer on a temporary database (unit): 督办 of overdue tickets, numbering per day."""

from __future__ import annotations

from datetime import date, timedelta

from bot.tickets.numbering import next_number
from bot.tickets.service import NewTicket


def new(**overrides) -> NewTicket:
    values = dict(
        category="求助",
        summary="家里停水",
        description="村里停水三天",
        phone="13812345678",
        consent=True,
        channel="网页对话",
    )
    values.update(overrides)
    return NewTicket(**values)


def test_flag_overdue_marks_once_with_event(service):
    ticket, _ = service.create(new(), "k1")
    closed, _ = service.create(new(), "k2")
    for target in ["已转办", "办理中"]:
        service.transition(ticket.number, target, "派单员")
    for target, extra in [("已转办", {}), ("办理中", {}), ("已反馈", {"reply": "已修复"}), ("已办结", {})]:
        service.transition(closed.number, target, "派单员", **extra)

    assert service.flag_overdue(today=ticket.due_date) == []
    later = ticket.due_date + timedelta(days=1)
    assert service.flag_overdue(today=later) == [ticket.number]
    assert service.flag_overdue(today=later) == []  # only once
    flagged = service.get(ticket.number)
    assert flagged.supervised and flagged.events[-1].kind == "督办"
    assert "海原县水务局" in flagged.events[-1].note
    assert service.overdue(flagged, today=later)
    assert not service.get(closed.number).supervised


def test_number_sequence_restarts_each_day(service):
    with service.db.session(write=True) as session:
        first = next_number(session, date(2026, 11, 25))
        second = next_number(session, date(2026, 11, 25))
        other_day = next_number(session, date(2026, 11, 26))
    assert (first, second, other_day) == ("HY202611250001", "HY202611250002", "HY202611260001")
