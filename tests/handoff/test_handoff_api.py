"""The handoff API on a real backend (no Rasa needed here): office hours and staff availability decide
queued or closed, the queue is idempotent per conversation and ordered, the poll token scopes the citizen's
side, a request nobody accepts expires after the wait, and accepting while Rasa is down changes nothing."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

import pytest
import requests

from actions.api.handoff import HandoffClient, HandoffUnavailable
from actions.api.tickets import TicketClientError
from bot.knowledge.calendar import CHINA_TZ, WEEKDAYS
from tests.handoff.conftest import Desk, Server, eventually, everyone_away, free_port


def conversation() -> str:
    return f"test-handoff-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def open_with(api_backend: Server, api_staff):
    """Open around the clock with the dispatcher 在线 (and everybody else away)."""
    api_backend.calendar()
    everyone_away(api_staff)
    api_staff["dispatcher"].online()
    yield api_staff["dispatcher"]
    api_staff["dispatcher"].away()


def test_outside_office_hours_the_answer_is_closed_with_the_next_opening(api_backend: Server, api_staff) -> None:
    api_staff["dispatcher"].online()  # someone is there, but the calendar decides
    now = datetime.now(CHINA_TZ)
    tomorrow = (now + timedelta(days=1)).weekday()
    api_backend.calendar(hours={WEEKDAYS[tomorrow]: ["09:00-10:00"]}, holidays=False)  # today closed
    answer = api_backend.ask(conversation())
    assert answer["status"] == "closed" and answer["reason"] == "outside_hours", answer
    expected = datetime.combine((now + timedelta(days=1)).date(), datetime.min.time().replace(hour=9), tzinfo=CHINA_TZ)
    assert answer["next_open"] == expected.isoformat(timespec="seconds")
    assert answer["next_open_text"].startswith("明天") and answer["next_open_text"].endswith("09:00")
    assert answer["hotline"] == "12345" and "request_id" not in answer
    # The staff page says so too.
    assert "现在不在在线服务时间" in api_staff["dispatcher"].get("/console/handoff").text
    api_staff["dispatcher"].away()


def test_no_staff_online_means_closed(api_backend: Server, api_staff) -> None:
    api_backend.calendar()
    everyone_away(api_staff)
    answer = api_backend.ask(conversation())
    assert answer == {"status": "closed", "reason": "no_staff", "hotline": "12345"}


def test_staff_who_stop_polling_no_longer_count(api_backend: Server, api_staff) -> None:
    api_backend.calendar()
    desk: Desk = api_staff["department"]
    everyone_away(api_staff)
    desk.online()
    assert api_backend.ask(conversation())["status"] == "queued"
    # HANDOFF_PRESENCE_SECONDS=8 in this backend: a closed page stops counting after that.
    assert eventually(lambda: api_backend.ask(conversation())["status"] == "closed", timeout=20, every=1)
    desk.queue()  # the page polls again: available again
    assert api_backend.ask(conversation())["status"] == "queued"
    desk.away()


def test_queue_order_idempotency_and_the_poll_token(api_backend: Server, open_with: Desk) -> None:
    first, second = conversation(), conversation()
    a = api_backend.ask(first, reason="fallback")
    b = api_backend.ask(second, reason="elderly", elderly=True, channel="我的宁夏")
    assert a["status"] == b["status"] == "queued"
    assert b["position"] == a["position"] + 1 and b["ahead"] == b["position"] - 1
    assert 1 <= b["expected_wait_minutes"] <= 1  # never more than the 3-second wait of this backend, rounded up
    assert (
        a["wait_seconds"] == 3 and a["events_url"] == f"/api/handoff/{a['request_id']}/events?token={a['poll_token']}"
    )
    again = api_backend.ask(first)  # the same open conversation: the same request, not a second place
    assert (again["request_id"], again["poll_token"]) == (a["request_id"], a["poll_token"])

    # The staff member sees both, in order, with channel and 长辈模式.
    queue = [item for item in open_with.queue()["queue"] if item["id"] in (a["request_id"], b["request_id"])]
    assert [item["id"] for item in queue] == [a["request_id"], b["request_id"]]
    assert queue[1]["elderly"] and queue[1]["channel"] == "我的宁夏" and queue[0]["reason"] == "机器人没答上"

    # The citizen's side: only with this request's token (query or header), else nothing to see.
    for token in ("", "wrong", b["poll_token"]):
        assert api_backend.events(a["request_id"], token).status_code == 404
    listed = requests.get(api_backend.url + a["events_url"], timeout=10)
    assert listed.status_code == 200
    body = listed.json()
    assert body["status"] == "queued" and body["position"] == a["position"] and body["poll_after_ms"] == 2000
    assert [e["status"] for e in body["events"]] == ["queued"] and body["events"][0]["kind"] == "status"
    assert api_backend.events(a["request_id"], a["poll_token"], after=body["events"][-1]["id"]).json()["events"] == []


def test_cancel_leaves_the_queue_and_a_new_request_is_possible(api_backend: Server, open_with: Desk) -> None:
    citizen = conversation()
    a = api_backend.ask(citizen)
    assert (
        requests.post(
            f"{api_backend.url}/api/handoff/{a['request_id']}/cancel", timeout=10, headers={"X-Handoff-Token": "wrong"}
        ).status_code
        == 404
    )
    cancelled = requests.post(
        f"{api_backend.url}/api/handoff/{a['request_id']}/cancel", timeout=10, params={"token": a["poll_token"]}
    )
    assert cancelled.json() == {"request_id": a["request_id"], "status": "cancelled"}
    events = api_backend.events(a["request_id"], a["poll_token"]).json()
    assert events["status"] == "cancelled" and events["poll_after_ms"] is None
    assert events["events"][-1]["text"] == "已取消排队。"
    assert a["request_id"] not in [item["id"] for item in open_with.queue()["queue"]]
    b = api_backend.ask(citizen)
    assert b["status"] == "queued" and b["request_id"] != a["request_id"]
    # The bot's cancel (API token) is idempotent and says where the request ended.
    client = HandoffClient(base_url=api_backend.url, token=api_backend.token)
    assert client.cancel(b["request_id"])["status"] == "cancelled"
    assert client.cancel(b["request_id"])["status"] == "cancelled"
    with pytest.raises(TicketClientError) as refused:
        client.cancel(999999)
    assert refused.value.status_code == 404
    # …or by the conversation, without keeping the request id (what /cancel_handoff needs).
    c = client.request(citizen)
    assert client.cancel_conversation(citizen) == {"request_id": c["request_id"], "status": "cancelled"}
    assert client.cancel_conversation(citizen) is None  # nothing open any more


def test_a_request_nobody_accepts_expires_after_the_wait(api_backend: Server, open_with: Desk) -> None:
    answer = api_backend.ask(conversation())
    started = time.monotonic()
    expired = eventually(
        lambda: api_backend.events(answer["request_id"], answer["poll_token"]).json()["status"] == "expired", timeout=15
    )
    assert expired and time.monotonic() - started >= 2  # HANDOFF_WAIT_SECONDS=3
    last = api_backend.events(answer["request_id"], answer["poll_token"]).json()["events"][-1]
    assert last["status"] == "expired" and "12345" in last["text"] and "预约回电" in last["text"]
    refused = open_with.accept(answer["request_id"])
    assert refused.status_code == 409 and "已经结束" in refused.text


def test_accepting_while_rasa_is_down_changes_nothing(api_backend: Server, open_with: Desk) -> None:
    answer = api_backend.ask(conversation())
    response = open_with.accept(answer["request_id"])
    assert response.status_code == 409 and "对话服务暂时连不上" in response.text
    events = api_backend.events(answer["request_id"], answer["poll_token"]).json()
    assert events["status"] == "queued" and [e["status"] for e in events["events"]] == ["queued"]


def test_the_bot_api_needs_the_token_and_explains_bad_input(api_backend: Server) -> None:
    body = {"conversation_id": conversation(), "channel": "web", "reason": "asked", "elderly": False}
    for token in (None, "wrong"):
        assert api_backend.api("POST", "/api/handoff/requests", token=token, json=body).status_code == 401
    bad = api_backend.api("POST", "/api/handoff/requests", json={**body, "reason": "bored", "conversation_id": ""})
    assert bad.status_code == 422 and "转人工原因" in bad.json()["detail"] and "会话编号" in bad.json()["detail"]
    assert api_backend.api("GET", "/api/handoff/abc/events", token=None).status_code == 422
    spec = api_backend.api("GET", "/openapi.json").json()["paths"]
    assert "/api/handoff/requests" in spec and not any(
        p.startswith("/api/handoff/{") for p in spec
    )  # public: not listed


def test_the_client_says_clearly_when_the_backend_is_down() -> None:
    client = HandoffClient(base_url=f"http://127.0.0.1:{free_port()}", token="x", timeout=2)
    with pytest.raises(HandoffUnavailable, match="转人工服务暂时连不上"):
        client.request(conversation())


def test_the_desk_is_for_the_roles_that_serve_citizens(api_backend: Server, api_staff) -> None:
    page = requests.get(f"{api_backend.url}/console/handoff", allow_redirects=False, timeout=10)
    assert page.status_code == 303 and "/console/login" in page.headers["location"]
    for role, expected in (("admin", 200), ("dispatcher", 200), ("department", 200), ("analyst", 403)):
        assert api_staff[role].get("/console/handoff").status_code == expected, role
        assert ("人工接待" in api_staff[role].get("/console/").text) is (expected == 200), role
    assert api_staff["analyst"].post("/console/handoff/presence", {"status": "online"}).status_code == 403
    assert api_staff["dispatcher"].post("/console/handoff/presence", {"status": "online"}, csrf=None).status_code == 403
