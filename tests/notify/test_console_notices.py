"""The console shows a ticket's notices (who, what, when, delivered or failed), lets the dispatcher send a failed
one again (audited; department staff may not), and lists deadline warnings with a menu badge. In process:
the backend app with TestClient, real SQLite, the SMS stand-in."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from bot.console.models import AuditEntry
from bot.tickets.due_dates import add_working_days
from bot.tickets.models import Ticket
from tests.notify.conftest import DEPARTMENT, move, new_ticket
from tests.support.aliyun_sms_standin import AliyunSmsStandIn

PASSWORD = "Haiyuan-console-2026!"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(client: TestClient, username: str, role: str, department: str | None = None) -> str:
    client.app.state.console.accounts.create_user(None, username, f"{username}同志", role, PASSWORD, department)
    client.cookies.clear()
    page = client.get("/console/login")
    token = CSRF.search(page.text).group(1)
    response = client.post("/console/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 200 and str(response.url).endswith("/console/"), response.text[-300:]
    return CSRF.search(response.text).group(1)


def test_failed_notice_is_visible_and_the_dispatcher_can_send_it_again(
    client: TestClient, sms: AliyunSmsStandIn
) -> None:
    ticket = new_ticket(client, channel="智能助手-app", phone="13812347001")
    number = ticket["number"]
    sms.fail_next(10, "500")
    move(client, number, "已转办", department=DEPARTMENT)
    for _ in range(5):
        client.app.state.notify.deliver_due()
    sms._failures.clear()

    csrf = login(client, "zhujian", "department", DEPARTMENT)
    page = client.get(f"/console/tickets/{number}").text
    assert "通知记录" in page and "发送失败" in page and "市民 · 短信 138****7001" in page
    assert "13812347001" not in page.split('id="notices"')[1]  # the full number is not in the notice list
    assert "重新发送</button>" not in page  # department staff cannot press it
    notice_id = client.app.state.notify.for_ticket(_ticket_id(client, number))[0].id
    refused = client.post(f"/console/tickets/{number}/notices/{notice_id}/retry", data={"csrf_token": csrf})
    assert refused.status_code == 403

    csrf = login(client, "paidan", "dispatcher")
    assert "重新发送</button>" in client.get(f"/console/tickets/{number}").text
    done = client.post(
        f"/console/tickets/{number}/notices/{notice_id}/retry", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    with client.app.state.db.session() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "notice.retry")).scalar_one()
    assert entry.actor == "paidan" and entry.target == f"ticket:{number}"
    client.app.state.notify.deliver_due()
    assert len(sms.sent_to("13812347001")) == 1
    page = client.get(f"/console/tickets/{number}").text
    assert "已送达" in page and "重新发送过" in page


def _ticket_id(client: TestClient, number: str) -> int:
    with client.app.state.db.session() as session:
        return session.execute(select(Ticket.id).where(Ticket.number == number)).scalar_one()


def test_deadline_warnings_badge_and_list(client: TestClient, sms: AliyunSmsStandIn) -> None:
    ticket = new_ticket(client, notify_updates=False)
    move(client, ticket["number"], "已转办", department=DEPARTMENT)
    today = date(2026, 12, 8)
    with client.app.state.db.session(write=True) as session:
        due = add_working_days(today, 1, client.app.state.tickets.rules)
        session.execute(update(Ticket).where(Ticket.number == ticket["number"]).values(due_date=due))
    client.app.state.deadlines.scan(today=today)

    login(client, "zhujian2", "department", DEPARTMENT)
    home = client.get("/console/tickets").text
    assert re.search(r'href="/console/warnings"[^>]*>时限预警 <span class="badge err nav-count"[^>]*>1</span>', home)
    listed = client.get("/console/warnings").text
    assert ticket["number"] in listed and "明天到期" in listed and "未读" in listed
    assert "nav-count" not in client.get("/console/tickets").text  # seen

    login(client, "jiaotong", "department", "海原县交通运输局")
    assert ticket["number"] not in client.get("/console/warnings").text  # another department's
