"""Deadline warnings to department staff through Enterprise WeChat (企业微信), against the local stand-in
(tests/support/wecom_standin.py): one message per warning, retried when busy, a member outside the application
a visible failure. Backend app in process, real SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from bot.app import create_app
from bot.core.settings import BackendSettings
from bot.tickets.due_dates import add_working_days
from bot.tickets.models import Ticket
from tests.notify.conftest import AUTH, DEPARTMENT, backend_env, move, new_ticket
from tests.support.wecom_standin import WeComStandIn

CONTACTS = f"""
departments:
  {DEPARTMENT}:
    - {{id: zhujian-wecom, name: 住建局小王, channel: wecom, address: wangxiao}}
    - {{id: zhujian-gone, name: 已调离人员, channel: wecom, address: left-the-unit}}
"""


@pytest.fixture
def wecom() -> Iterator[WeComStandIn]:
    standin = WeComStandIn(members={"wangxiao"}).start()
    yield standin
    standin.stop()


@pytest.fixture
def wecom_client(tmp_path: Path, wecom: WeComStandIn) -> Iterator[TestClient]:
    env = {**backend_env(tmp_path, None), **wecom.env()}
    (tmp_path / "contacts.yml").write_text(CONTACTS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        with TestClient(create_app(BackendSettings.from_env())) as client:
            yield client


def test_a_warning_reaches_the_department_on_wecom_once(wecom_client: TestClient, wecom: WeComStandIn) -> None:
    ticket = new_ticket(wecom_client, notify_updates=False)
    move(wecom_client, ticket["number"], "已转办", department=DEPARTMENT)
    today = date(2026, 12, 8)
    with wecom_client.app.state.db.session(write=True) as session:
        due = add_working_days(today, 1, wecom_client.app.state.tickets.rules)
        session.execute(update(Ticket).where(Ticket.number == ticket["number"]).values(due_date=due))
    wecom.fail_next(2)
    assert wecom_client.app.state.deadlines.scan(today=today).due_soon == [ticket["number"]]
    assert wecom_client.app.state.deadlines.scan(today=today).due_soon == []
    for _ in range(4):
        wecom_client.app.state.notify.deliver_due()
    [text] = wecom.texts_to("wangxiao")
    assert ticket["number"] in text and "12月9日" in text and "到期" in text
    notices = wecom_client.get(f"/api/tickets/{ticket['number']}/notices", headers=AUTH).json()["notices"]
    states = {n["recipient"]: (n["state"], n["attempts"]) for n in notices}
    assert states["住建局小王 · 企业微信"][0] == "delivered" and wecom.rejected.count(-1) == 2  # busy twice
    assert states["已调离人员 · 企业微信"][0] == "failed"  # not in the application: visible, retryable
