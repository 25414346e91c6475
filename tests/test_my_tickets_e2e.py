"""我的工单 through the REST channel: the real Rasa server, action server and backend.

A citizen sees the tickets of their own conversation (and of the browser's earlier web sessions) with the
five-stage progress; nobody else ever sees them, and a guessable sender id of another channel cannot be
passed off as an earlier session.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import Chat, render
from tests.test_complaints_e2e import PHONE, Backend, file_complaint, ticket_number


@pytest.fixture
def backend(assistant) -> Backend:
    return Backend(assistant)


def web_chat(assistant) -> Chat:
    return Chat(assistant.settings.rasa_url, sender=f"web-{uuid.uuid4().hex}")


def my_tickets(replies: list[dict]) -> list[dict]:
    cards = [
        r["custom"] for r in replies if isinstance(r.get("custom"), dict) and r["custom"].get("type") == "my_tickets"
    ]
    return cards[0]["tickets"] if cards else []


@pytest.fixture(scope="module")
def filed(assistant) -> tuple[Chat, str]:
    citizen = web_chat(assistant)
    return citizen, ticket_number(file_complaint(citizen))


def test_own_tickets_are_listed_with_their_progress(assistant, backend: Backend, filed) -> None:
    citizen, number = filed
    assert backend.move(number, "已转办", department="海原县政务服务管理办公室").status_code == 200
    replies = citizen.say("我的工单")
    text = render(replies)
    assert number in text and "已转办" in text and "查询其他工单" in text
    tickets = my_tickets(replies)
    assert [t["number"] for t in tickets] == [number]
    assert [h["stage"] for h in tickets[0]["history"]] == ["已受理", "已转办"]
    assert tickets[0]["department"] == "海原县政务服务管理办公室"
    assert PHONE not in json.dumps(replies, ensure_ascii=False) and "王先生" not in json.dumps(
        replies, ensure_ascii=False
    )


def test_the_everyday_phrase_lists_them_too(filed) -> None:
    citizen, number = filed
    assert number in citizen.text("我提交的投诉怎么样了")


def test_elderly_mode_gets_one_short_bubble(assistant, filed) -> None:
    citizen, number = filed
    citizen.say("/elderly_mode_on")
    replies = citizen.say("我的工单")
    texts = [r for r in replies if r.get("text")]
    assert len(texts) == 1 and "您有 1 件工单" in texts[0]["text"] and number[-4:] in texts[0]["text"]
    assert [b["title"] for b in texts[0]["buttons"]] == ["1 查询其他工单"]
    citizen.say("/elderly_mode_off")


def test_nobody_else_sees_them(assistant, filed) -> None:
    owner, number = filed
    stranger = Chat(assistant.settings.rasa_url)
    reply = stranger.text("我的工单")
    assert number not in reply and "还没有" in reply and "工单号" in reply  # on to the status query by number
    assert "后四位" in stranger.text(number)  # the status query still needs the phone digits
    assert "没有查到" in stranger.text("0000")

    # Another channel's sender id (guessable) is never taken as an "earlier session" of this browser.
    app_user = Chat(assistant.settings.rasa_url, sender=f"app-{uuid.uuid4().hex[:6]}")
    app_number = ticket_number(file_complaint(app_user))
    forger = web_chat(assistant)
    assert app_number not in render(forger.say("我的工单", metadata={"earlier_sessions": [app_user.sender]}))


def test_earlier_sessions_of_the_same_browser_are_listed(assistant, filed) -> None:
    owner, number = filed
    after_new_chat = web_chat(assistant)  # the page after 新对话: a new id, the old one remembered
    replies = after_new_chat.say("我的工单", metadata={"channel": "web", "earlier_sessions": [owner.sender]})
    assert [t["number"] for t in my_tickets(replies)] == [number]


def test_a_number_typed_with_it_goes_to_the_status_query(filed) -> None:
    citizen, number = filed
    assert "后四位" in citizen.text(f"我的工单 {number}")
    assert number in citizen.text("5678")
