"""Answers to a form's questions are not "not understood" (issue 17, defect 6): 「不知道」, 「昨天」 and
「两个月前开始」 typed into the complaint form, through the real stack, stay out of the inbox, the dashboard
and the monthly report; rows imported before this rule are cleaned once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import create_engine
from sqlalchemy import text as sql

from tests.conftest import Chat
from tests.console.conftest import ConsoleServer, Staff
from tests.console.test_inbox import stored

ANSWERS = ["昨天", "两个月前开始", "不知道"]


def walk_complaint(chat: Chat) -> list[str]:
    """The complaint form answered with the words people use; returns what was typed at each question."""
    typed = []
    reply = chat.text("我要投诉，三河镇街上的路灯坏了好久没人修")
    for _ in range(4):
        if "哪里" in reply:
            answer = "三河镇街上"
        elif "什么时候" in reply:
            answer = "两个月前开始" if "两个月前开始" not in typed else "昨天"
        elif "部门" in reply:
            answer = "不知道"
        else:
            break
        typed.append(answer)
        reply = chat.text(answer)
    assert "称呼" in reply, reply
    return typed


def test_form_answers_are_not_unresolved(assistant, console_server: ConsoleServer, staff: dict) -> None:
    dispatcher: Staff = staff["dispatcher"]
    chat = Chat(assistant.settings.rasa_url, sender=f"form-{uuid.uuid4().hex[:8]}")
    typed = walk_complaint(chat)
    assert {"两个月前开始", "不知道"} <= set(typed), typed
    for text in typed:
        row = stored(console_server, dispatcher, text)
        assert row["reason"] is None and row["status"] is None, (text, row)
    inbox = dispatcher.get("/console/inbox").text
    assert "两个月前开始" not in inbox


def test_old_form_answers_are_cleaned_once(console_server: ConsoleServer, staff: dict) -> None:
    """A row imported under the old rule (reason set although the complaint form took it) is cleaned."""
    engine = create_engine(console_server.database_url)
    event_id = 10**9 + uuid.uuid4().int % 10**6
    with engine.begin() as connection:
        connection.execute(sql("DELETE FROM console_sync_state WHERE name = 'form_answers_cleaned'"))
        connection.execute(
            sql(
                "INSERT INTO console_messages (event_id, sender_id, at, text, is_payload, intent, actions, reason,"
                " status) VALUES (:e, 'old-form', :at, '昨天下午', :p, 'nlu_fallback',"
                " 'complaint_form,action_extract_slots', 'nlu_fallback', 'open')"
            ),
            {"e": event_id, "at": datetime.utcnow(), "p": False},
        )
    assert staff["dispatcher"].get("/console/inbox").status_code == 200
    with engine.connect() as connection:
        row = connection.execute(
            sql("SELECT reason, status FROM console_messages WHERE event_id = :e"), {"e": event_id}
        ).first()
    engine.dispose()
    assert tuple(row) == (None, None)
