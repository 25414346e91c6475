"""Deadline warnings: a ticket due on the next working day gets one 明天到期 warning, an overdue one a 超期督办
warning, each once (counted) and sent to the department's contacts through the outbox; working days from the
calendar; the dispatcher's digest once a day. Backend app in process, real SQLite, the SMS stand-in."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from bot.common.clock import CHINA_TZ
from bot.notify.models import DUE_SOON, OVERDUE
from bot.tickets.due_dates import add_working_days
from bot.tickets.models import Ticket
from tests.notify.conftest import AUTH, DEPARTMENT, move, new_ticket
from tests.support.aliyun_sms_standin import AliyunSmsStandIn

DUTY_PHONE, DISPATCH_PHONE = "13900001111", "13900002222"


def set_due(client: TestClient, number: str, due: date) -> None:
    with client.app.state.db.session(write=True) as session:
        session.execute(update(Ticket).where(Ticket.number == number).values(due_date=due))


def stats(client: TestClient) -> dict:
    return client.get("/api/notify/stats", headers=AUTH).json()


def test_due_tomorrow_warns_once_and_overdue_warns_again(client: TestClient, sms: AliyunSmsStandIn) -> None:
    rules = client.app.state.tickets.rules
    today = date(2026, 12, 4)  # a Friday: the next working day is Monday 12-07
    monday = add_working_days(today, 1, rules)
    assert monday == date(2026, 12, 7)
    ticket = new_ticket(client, notify_updates=False)
    move(client, ticket["number"], "已转办", department=DEPARTMENT)
    later = new_ticket(client, notify_updates=False)  # due later: no warning yet
    set_due(client, ticket["number"], monday)
    set_due(client, later["number"], add_working_days(today, 2, rules))
    watch = client.app.state.deadlines

    first = watch.scan(today=today)
    assert first.due_soon == [ticket["number"]] and first.overdue == []
    assert watch.scan(today=today).due_soon == []  # once per ticket and kind
    assert watch.scan(today=monday).due_soon == [later["number"]]  # the other one is due on Tuesday
    overdue_day = add_working_days(monday, rules.supervision_grace_days, rules) + timedelta(days=1)
    assert watch.scan(today=overdue_day).overdue == [ticket["number"]]
    set_due(client, later["number"], overdue_day - timedelta(days=30))
    assert watch.scan(today=overdue_day + timedelta(days=3)).overdue == [later["number"]]
    assert watch.scan(today=overdue_day + timedelta(days=9)).overdue == []
    assert stats(client)["warnings"] == {DUE_SOON: 2, OVERDUE: 2}  # both tickets, each kind once

    client.app.state.notify.deliver_due()
    client.app.state.notify.deliver_due()  # a ticket's notices to one recipient go in order: one a round
    sent = sorted((s.params["number"], s.params["kind"]) for s in sms.sent_to(DUTY_PHONE))  # both are 住建局's
    assert sent == sorted((t["number"], kind) for t in (ticket, later) for kind in ("明天到期", "超期督办"))
    assert sms.sent_to(DISPATCH_PHONE) == []


def test_an_unassigned_ticket_warns_the_dispatcher(client: TestClient, sms: AliyunSmsStandIn) -> None:
    ticket = new_ticket(client, notify_updates=False, department=None, description="不知道该找谁的事情", summary="咨询")
    default = client.app.state.tickets.rules.default_department
    with client.app.state.db.session(write=True) as session:
        session.execute(update(Ticket).where(Ticket.number == ticket["number"]).values(department=default))
    today = date(2026, 12, 8)
    set_due(client, ticket["number"], add_working_days(today, 1, client.app.state.tickets.rules))
    assert client.app.state.deadlines.scan(today=today).due_soon == [ticket["number"]]
    client.app.state.notify.deliver_due()
    assert [s.params["number"] for s in sms.sent_to(DISPATCH_PHONE)] == [ticket["number"]]


def test_a_closed_ticket_is_not_warned(client: TestClient, sms: AliyunSmsStandIn) -> None:
    ticket = new_ticket(client, notify_updates=False)
    for to, extra in [
        ("已转办", {"department": DEPARTMENT}),
        ("办理中", {}),
        ("已反馈", {"reply": "已处理"}),
        ("已办结", {}),
    ]:
        move(client, ticket["number"], to, **extra)
    today = date(2026, 12, 8)
    set_due(client, ticket["number"], today)
    assert client.app.state.deadlines.scan(today=today).due_soon == []


def test_the_dispatchers_digest_is_made_once_a_day(client: TestClient, sms: AliyunSmsStandIn) -> None:
    watch = client.app.state.deadlines
    morning = datetime(2026, 12, 8, 7, 59, tzinfo=CHINA_TZ)
    assert watch.digest(morning.replace(hour=7)) is None  # before the digest hour (set to 8 below)
    watch.settings = type(watch.settings)(**{**watch.settings.__dict__, "digest_hour": 8})
    assert watch.digest(morning) is None
    assert watch.digest(morning.replace(hour=8)) == date(2026, 12, 8)
    assert watch.digest(morning.replace(hour=17)) is None
    assert watch.digest(morning + timedelta(days=1, hours=1)) == date(2026, 12, 9)
    client.app.state.notify.deliver_due()
    digests = sms.sent_to(DISPATCH_PHONE)
    assert len(digests) == 2 and digests[0].template == "SMS_DIGEST_1"
    assert stats(client)["digests"] == 2
