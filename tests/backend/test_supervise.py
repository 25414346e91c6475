"""TicketService.supervise: 督办 of one ticket by staff, through the ticket rules (unit, temporary database)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.tickets.due_dates import china_today
from bot.tickets.models import Ticket
from bot.tickets.service import NewTicket, TicketNotFound, TicketService
from bot.tickets.state_machine import TransitionError


def ticket(service: TicketService, key: str, days_overdue: int = 0) -> str:
    created, _ = service.create(
        NewTicket(
            category="投诉",
            summary="路灯坏了",
            description="村口路灯坏了一个月",
            phone="13812345678",
            consent=True,
            channel="网页对话",
        ),
        key,
    )
    if days_overdue:
        with service.db.session(write=True) as session:
            session.get(Ticket, created.id).due_date = china_today() - timedelta(days=days_overdue)
    return created.number


def test_an_overdue_ticket_is_supervised_with_an_event(service: TicketService) -> None:
    number = ticket(service, "k1", days_overdue=10)
    supervised = service.supervise(number, "派单员小李（paidan）", "请三日内办结并反馈")
    assert supervised.supervised
    event = supervised.events[-1]
    assert event.kind == "督办" and event.actor == "派单员小李（paidan）"
    assert event.note.startswith("督办：请三日内办结并反馈") and str(supervised.due_date) in event.note


def test_only_overdue_open_tickets(service: TicketService) -> None:
    fresh = ticket(service, "k2")
    with pytest.raises(TransitionError, match="超期"):
        service.supervise(fresh, "派单员", "催一下")
    closed = ticket(service, "k3", days_overdue=10)
    for target, extra in [
        ("已转办", {"department": "海原县综合执法局"}),
        ("办理中", {}),
        ("已反馈", {"reply": "已修好"}),
        ("已办结", {}),
    ]:
        service.transition(closed, target, "派单员", **extra)
    with pytest.raises(TransitionError):
        service.supervise(closed, "派单员", "催一下")
    assert not service.get(closed).supervised and not service.get(fresh).supervised
    with pytest.raises(TicketNotFound):
        service.supervise("HY209901010001", "派单员", "催一下")
