"""转人工 in the dialogue, through the REST channel: nobody online → 12345 and a call-back that becomes a ticket.

(The live path — queued, a staff member accepts in the console, messages both ways while the bot is paused —
is tested with the console and the browser in tests/handoff/.)
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Chat
from tests.handoff.conftest import WEEK, write_calendar
from tests.test_complaints_e2e import Backend


def test_nobody_online_offers_12345_and_a_call_back_ticket(chat: Chat, assistant) -> None:
    replies = chat.say("转人工")
    text = "\n".join(r.get("text") or "" for r in replies)
    payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert "12345" in text and "/request_callback" in payloads
    assert "回电" in chat.text("/request_callback")
    assert "号码好像不对" in chat.text("138123")
    assert "什么时间" in chat.text("13812345678")
    done = chat.say("明天上午十点以后")
    reference = next(r["custom"]["reference"] for r in done if (r.get("custom") or {}).get("type") == "ticket")
    tickets = Backend(assistant).tickets_of(chat.sender)
    assert [t["number"] for t in tickets] == [reference]
    assert tickets[0]["category"] == "求助" and "明天上午十点以后" in tickets[0]["summary"]


def test_asking_for_a_person_inside_a_form_keeps_the_form(chat: Chat) -> None:
    chat.say("我要投诉，村里的路灯坏了半年没人修")
    replies = chat.say("我要找人工客服")
    texts = [r["text"] for r in replies if r.get("text")]
    assert "12345" in texts[0] and "在哪里" in texts[-1], texts


def test_cancel_waiting_when_nothing_is_waiting(chat: Chat) -> None:
    assert "没有在排队" in chat.text("取消排队")


def test_outside_service_hours_the_call_back_becomes_a_ticket(chat: Chat, assistant) -> None:
    calendar = Path(assistant.settings.knowledge_dir) / "calendar.yml"
    shipped = calendar.read_text(encoding="utf-8")
    write_calendar(calendar, hours={day: [] for day in WEEK})  # closed every day
    try:
        reply = chat.text("找个人工客服")
    finally:
        calendar.write_text(shipped, encoding="utf-8")
    assert "不是人工客服的服务时间" in reply and "12345" in reply
    chat.say("/request_callback")
    chat.say("0955-1234567")
    done = chat.say("随时")
    reference = next(r["custom"]["reference"] for r in done if (r.get("custom") or {}).get("type") == "ticket")
    assert [t["number"] for t in Backend(assistant).tickets_of(chat.sender)] == [reference]
