"""A ticket that came through the 公众号 reaches the citizen as a WeChat template message, exactly once, through
the local WeChat stand-in (tests/support/wechat_standin.py: access token, template API); busy answers are
retried, an expired token is fetched again; staff never see the openid. Backend app in process, real SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.core.settings import BackendSettings
from tests.notify.conftest import AUTH, DEPARTMENT, WALK, backend_env, move, new_ticket
from tests.support.wechat_standin import WeChatStandIn

TEMPLATES = {"status": "TPL-status-1", "warning": "TPL-warning-1", "digest": "TPL-digest-1"}
OPENID = "o-haiyuan-citizen-0001"


@pytest.fixture
def wechat() -> Iterator[WeChatStandIn]:
    with WeChatStandIn(template_ids=set(TEMPLATES.values())) as standin:
        yield standin


@pytest.fixture
def wechat_client(tmp_path: Path, wechat: WeChatStandIn) -> Iterator[TestClient]:
    env = {
        **backend_env(tmp_path, None),
        **wechat.env(),
        **{f"HAIYUAN_WECHAT_TEMPLATE_{kind.upper()}": tid for kind, tid in TEMPLATES.items()},
        "HAIYUAN_WECHAT_TEMPLATE_FIELDS": "number=character_string1,status=phrase2",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        with TestClient(create_app(BackendSettings.from_env())) as client:
            yield client


def deliver(client: TestClient, rounds: int) -> None:
    for _ in range(rounds):
        client.app.state.notify.deliver_due()


def test_wechat_citizen_gets_one_template_message_per_status(wechat_client: TestClient, wechat: WeChatStandIn) -> None:
    ticket = new_ticket(wechat_client, channel="智能助手-wechat", conversation_id=OPENID)
    wechat.fail_next("/cgi-bin/message/template/send", errcode=-1, times=2)  # 系统繁忙
    for to, extra in WALK:
        move(wechat_client, ticket["number"], to, **extra)
        deliver(wechat_client, rounds=4)
        if to == "已反馈":
            wechat.expire_access_tokens()
    sent = [m for m in wechat.template_messages if m["touser"] == OPENID]
    assert [m["data"]["phrase2"]["value"] for m in sent] == ["已转办", "已反馈", "已办结"]
    assert {m["template_id"] for m in sent} == {"TPL-status-1"}
    assert {m["data"]["character_string1"]["value"] for m in sent} == {ticket["number"]}
    listed = wechat_client.get(f"/api/tickets/{ticket['number']}/notices", headers=AUTH).json()["notices"]
    assert [n["state"] for n in listed] == ["delivered"] * 3
    assert {n["recipient"] for n in listed} == {"市民 · 微信"} and OPENID not in str(listed)
    assert wechat.rejected.count(("/cgi-bin/message/template/send", -1)) == 2


def test_an_unsubscribed_citizen_is_a_permanent_failure(wechat_client: TestClient, wechat: WeChatStandIn) -> None:
    ticket = new_ticket(wechat_client, channel="智能助手-wechat", conversation_id="o-left-the-account")
    wechat.fail_next("/cgi-bin/message/template/send", errcode=43004, times=1)  # 需要接收者关注
    move(wechat_client, ticket["number"], "已转办", department=DEPARTMENT)
    deliver(wechat_client, rounds=3)
    [notice] = wechat_client.get(f"/api/tickets/{ticket['number']}/notices", headers=AUTH).json()["notices"]
    assert notice["state"] == "failed" and notice["attempts"] == 1 and "43004" in notice["last_error"]
    assert wechat.template_messages == []
