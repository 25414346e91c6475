"""Bad input at the channels' edge, through the real Rasa server, action server and backend (issue 14 defects 1, 8).

Before: a lone surrogate reached the tracker store (and broke the console), a JSON body that is not an object
gave HTTP 500, a missing sender shared one conversation named `default`, a 10 MB body and a 1-million-character
sender were stored, a long sender or channel name made the complaint form say 「提交没有成功」, and `/chitchat`
got an empty reply.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid

import pytest
import requests

from tests.conftest import Chat, rasa_auth, render

PHONE = "13912345678"


def post_raw(assistant, body: bytes | str) -> requests.Response:
    return requests.post(
        f"{assistant.settings.rasa_url}/webhooks/rest/webhook",
        data=body.encode() if isinstance(body, str) else body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )


def say_raw(assistant, sender: str, escaped_text: str) -> str:
    """One message whose JSON text is written by hand ("\\ud800" stays a lone surrogate in JSON)."""
    response = post_raw(assistant, f'{{"sender": "{sender}", "message": "{escaped_text}"}}')
    assert response.status_code == 200, response.text
    return render(response.json())


def tracker_texts(assistant, sender: str) -> list[str]:
    path = assistant.settings.tracker_db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)).fetchall()
    return [row[0] for row in rows]


@pytest.mark.parametrize("text", ["\\ud800", "\\udfff你好", "补办身份证\\u0000要带啥", "\\u001b[31m社保卡\\u0007"])
def test_broken_characters_are_cleaned_before_rasa_and_the_store(assistant, text):
    sender = f"edge-{uuid.uuid4().hex[:8]}"
    assert say_raw(assistant, sender, text).strip(), "every message gets a reply"
    stored = "\n".join(tracker_texts(assistant, sender))
    for escaped in ("\\ud800", "\\udfff", "\\u0000", "\\u001b", "\\u0007"):
        assert escaped not in stored


def test_a_complaint_with_broken_characters_becomes_a_clean_ticket(assistant):
    sender = f"edge-{uuid.uuid4().hex[:8]}"
    say_raw(assistant, sender, "我要投诉三河镇路灯坏了一个月\\ud800\\u0000没人修")
    for answer in ["上个月", "不知道", "不留", PHONE, "同意\\udc00"]:
        reply = say_raw(assistant, sender, answer)
    assert "请核对" in reply and "路灯坏了一个月没人修" in reply, reply
    assert "工单号" in say_raw(assistant, sender, "确认提交"), "the ticket is created, its number given"


def test_a_body_that_is_not_an_object_gets_400(assistant):
    for body in ["[1, 2]", '"你好"', "null", "42", "{broken", ""]:
        response = post_raw(assistant, body)
        assert response.status_code == 400, (body, response.status_code, response.text)


def test_a_missing_or_empty_sender_is_refused_not_shared_as_default(assistant):
    for body in [{"message": "你好"}, {"sender": "", "message": "你好"}, {"sender": "   ", "message": "你好"}]:
        response = requests.post(f"{assistant.settings.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
        assert response.status_code == 400 and "sender" in response.json()["error"]
    response = requests.get(
        f"{assistant.settings.rasa_url}/conversations/default/tracker", params=rasa_auth(), timeout=30
    )
    assert response.status_code == 200, response.text
    assert not [e for e in response.json().get("events") or [] if e.get("event") == "user"]


def test_sizes_are_limited_at_the_edge(assistant):
    url = f"{assistant.settings.rasa_url}/webhooks/rest/webhook"
    huge_body = requests.post(url, json={"sender": "edge-huge", "message": "投诉" * 5_000_000}, timeout=60)
    assert huge_body.status_code == 413
    huge_sender = requests.post(url, json={"sender": "s" * 1_000_000, "message": "你好"}, timeout=60)
    assert huge_sender.status_code == 413
    long_sender = requests.post(url, json={"sender": "s" * 201, "message": "你好"}, timeout=30)
    assert long_sender.status_code == 400
    long_channel = requests.post(
        url, json={"sender": "edge-channel", "message": "你好", "input_channel": "c" * 51}, timeout=30
    )
    assert long_channel.status_code == 400
    long_text = requests.post(url, json={"sender": "edge-text", "message": "字" * 20_001}, timeout=30)
    assert long_text.status_code == 413 and "太长" in long_text.json()["error"]
    for sender in ["edge-huge", "s" * 201, "edge-channel", "edge-text"]:
        assert not tracker_texts(assistant, sender)


def test_a_200_character_sender_and_a_50_character_channel_still_submit(assistant):
    chat = Chat(assistant.settings.rasa_url, sender="s" * 200)
    channel = "渠" * 50
    say = lambda text: render(chat.say(text, metadata={"channel": channel}))  # noqa: E731
    say("我要投诉窗口工作人员态度很差")
    for answer in ["政务服务中心", "昨天上午", "不知道", "不留", PHONE, "同意"]:
        say(answer)
    assert "工单号" in say("确认提交")


@pytest.mark.parametrize("payload", ["/chitchat", "/no_such_intent", "/ask_fee{broken", "/restart", "/session_start"])
def test_an_intent_payload_without_a_rule_gets_a_polite_reply(chat, payload):
    assert chat.text(payload).strip()


def test_socketio_cleans_and_refuses_like_rest(assistant):
    import socketio

    async def talk() -> list[dict]:
        client, replies = socketio.AsyncClient(), []
        client.on("bot_uttered", lambda data: replies.append(data))
        await client.connect(assistant.settings.rasa_url, transports=["polling"], socketio_path="/socket.io")
        session = f"edge-sio-{uuid.uuid4().hex[:8]}"
        await client.emit("session_request", {"session_id": session})
        await asyncio.sleep(0.5)
        await client.emit("user_uttered", {"message": "\ud800你好", "session_id": session})
        await client.emit("user_uttered", {"message": "你好", "session_id": "s" * 201})
        await client.emit("user_uttered", ["not", "an", "object"])
        for _ in range(120):
            if len(replies) >= 3:
                break
            await asyncio.sleep(0.5)
        await client.disconnect()
        return replies

    replies = asyncio.run(talk())
    texts = [r.get("text") or "" for r in replies]
    assert sum("没有收到" in t for t in texts) == 2, texts
    assert any(t and "没有收到" not in t for t in texts), texts
