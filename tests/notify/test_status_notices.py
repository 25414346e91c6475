"""A status change reaches the citizen's channel exactly once: the backend app in process (its HTTP API through
TestClient, real SQLite), the SMS stand-in checking every signature, the web chat's pending/shown calls."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.notify.channels import citizen_channel
from tests.notify.conftest import AUTH, WALK, move, new_ticket
from tests.support.aliyun_sms_standin import AliyunSmsStandIn


def deliver(client: TestClient, rounds: int = 1) -> None:
    for _ in range(rounds):
        assert client.post("/api/notify/run", headers=AUTH).status_code == 200


def notices(client: TestClient, number: str) -> list[dict]:
    response = client.get(f"/api/tickets/{number}/notices", headers=AUTH)
    assert response.status_code == 200
    return response.json()["notices"]


def test_sms_citizen_hears_of_dispatch_answer_and_closing_once_each(client: TestClient, sms: AliyunSmsStandIn) -> None:
    ticket = new_ticket(client, channel="智能助手-app", phone="13812340001")
    for to, extra in WALK:
        move(client, ticket["number"], to, **extra)
        deliver(client, rounds=2)  # a second round finds nothing more to send
    sent = sms.sent_to("13812340001")
    assert [s.params["status"] for s in sent] == ["已转办", "已反馈", "已办结"]  # 办理中 is not announced
    assert {s.params["number"] for s in sent} == {ticket["number"]} and sms.rejected == []
    listed = notices(client, ticket["number"])
    assert [n["state"] for n in listed] == ["delivered"] * 3
    assert listed[0]["recipient"] == "市民 · 短信 138****0001"  # staff never see the full number
    assert all(set(s.params) == {"number", "status"} for s in sent)  # no name, phone or address in the text


def test_no_consent_no_notice(client: TestClient, sms: AliyunSmsStandIn) -> None:
    ticket = new_ticket(client, channel="智能助手-app", phone="13812340002", notify_updates=False)
    move(client, ticket["number"], "已转办", department="海原县住房和城乡建设局")
    deliver(client)
    assert sms.sent_to("13812340002") == [] and notices(client, ticket["number"]) == []


def test_a_failing_provider_is_retried_until_delivered_once(client: TestClient, sms: AliyunSmsStandIn) -> None:
    ticket = new_ticket(client, channel="智能助手-app", phone="13812340003")
    sms.fail_next(2, "500")
    sms.fail_next(1, "limit")
    move(client, ticket["number"], "已转办", department="海原县住房和城乡建设局")
    deliver(client, rounds=6)
    assert len(sms.sent_to("13812340003")) == 1
    [notice] = notices(client, ticket["number"])
    assert notice["state"] == "delivered" and notice["attempts"] == 4


def test_a_retried_notice_keeps_the_order_of_the_statuses(client: TestClient, sms: AliyunSmsStandIn) -> None:
    # 已转办's first send fails while 已反馈 and 已办结 wait in the outbox: the citizen must not hear 已办结 first
    ticket = new_ticket(client, channel="智能助手-app", phone="13812340009")
    for to, extra in WALK:
        move(client, ticket["number"], to, **extra)
    sms.fail_next(1, "500")
    deliver(client, rounds=6)
    assert [s.params["status"] for s in sms.sent_to("13812340009")] == ["已转办", "已反馈", "已办结"]


def test_a_notice_that_keeps_failing_is_failed_and_can_be_sent_again(client: TestClient, sms: AliyunSmsStandIn) -> None:
    ticket = new_ticket(client, channel="智能助手-app", phone="13812340004")
    sms.fail_next(10, "500")
    move(client, ticket["number"], "已转办", department="海原县住房和城乡建设局")
    deliver(client, rounds=6)  # NOTIFY_MAX_ATTEMPTS=4
    [notice] = notices(client, ticket["number"])
    assert notice["state"] == "failed" and notice["attempts"] == 4 and "ServiceUnavailable" in notice["last_error"]
    assert sms.sent_to("13812340004") == []
    sms._failures.clear()
    client.app.state.notify.retry(notice["id"], "派单员甲")
    deliver(client, rounds=2)
    assert len(sms.sent_to("13812340004")) == 1 and notices(client, ticket["number"])[0]["state"] == "delivered"


def test_web_chat_citizen_sees_the_notice_on_the_next_visit_once(client: TestClient, sms: AliyunSmsStandIn) -> None:
    ticket = new_ticket(client, channel="智能助手-web", conversation_id="web-visitor-1", phone="13812340005")
    move(client, ticket["number"], "已转办", department="海原县住房和城乡建设局")
    deliver(client)  # the worker leaves web notices to the page
    assert sms.sent_to("13812340005") == []
    pending = client.post("/api/notify/web/pending", json={"conversation_id": "web-visitor-1"}).json()["notices"]
    assert [(n["ticket_number"], n["status"]) for n in pending] == [(ticket["number"], "已转办")]
    assert "已转给承办部门办理" in pending[0]["text"] and "马建国" not in pending[0]["text"]
    other = client.post("/api/notify/web/pending", json={"conversation_id": "someone-else"}).json()
    assert other["notices"] == []
    assert client.post(
        "/api/notify/web/shown", json={"conversation_id": "someone-else", "ids": [pending[0]["id"]]}
    ).json() == {"delivered": 0}
    shown = {"conversation_id": "web-visitor-1", "ids": [pending[0]["id"]]}
    assert client.post("/api/notify/web/shown", json=shown).json() == {"delivered": 1}
    assert client.post("/api/notify/web/shown", json=shown).json() == {"delivered": 0}
    assert client.post("/api/notify/web/pending", json={"conversation_id": "web-visitor-1"}).json()["notices"] == []
    assert notices(client, ticket["number"])[0]["state"] == "delivered"


def test_a_retried_transition_request_makes_no_second_notice(client: TestClient, sms: AliyunSmsStandIn) -> None:
    ticket = new_ticket(client, channel="智能助手-app", phone="13812340006")
    move(client, ticket["number"], "已转办", department="海原县住房和城乡建设局")
    again = client.post(
        f"/api/tickets/{ticket['number']}/transition", json={"to": "已转办", "actor": "派单员甲"}, headers=AUTH
    )
    assert again.status_code == 409
    # 退回 and dispatched again: the citizen already heard of 已转办 (one notice per ticket, status, recipient)
    client.post(
        f"/api/tickets/{ticket['number']}/return", json={"actor": "住建局", "note": "不属于本部门"}, headers=AUTH
    )
    move(client, ticket["number"], "已转办", department="海原县交通运输局")
    deliver(client, rounds=2)
    assert len(sms.sent_to("13812340006")) == 1


def test_channel_follows_where_the_ticket_came_from() -> None:
    assert citizen_channel("智能助手-web", "web-abc", "13812345678") == "web"
    assert citizen_channel("智能助手-socketio", "web-abc", None) == "web"
    assert citizen_channel("智能助手-wechat", "o-openid", "13812345678") == "wechat"
    assert citizen_channel("智能助手-app", "app-user-7", "13812345678") == "sms"
    assert citizen_channel("智能助手-app", "app-user-7", "0955-1234567") is None  # a landline: no SMS, no web
    assert citizen_channel("Open311", None, "13812345678") == "sms"
