"""The action server down or dying during submit (issue 14 defect 5), through the real stack.

Before: while the action server was down every reply was silently empty; when it died during the submit,
the ticket was created but the citizen never got its number, and a retry said 「好的。还有什么可以帮您？」.
Now Rasa says the service is busy and what to do (bot/dialogue_guard.py), keeps what was filled in, and the
retry after recovery finds the ticket the first attempt created, through the same idempotency key.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time

import pytest
import requests

from tests.conftest import Chat, render

PHONE = "13912345678"
BUSY_WORDS = "系统正忙"


def walk_to_summary(chat: Chat, what: str) -> None:
    chat.say(f"我要投诉{what}")
    for answer in ["政务服务中心", "昨天上午", "不知道", "不留", PHONE]:
        chat.say(answer)
    assert "请核对" in chat.text("同意")


def tickets_of(assistant, sender: str) -> list[dict]:
    token = (assistant.settings.var_dir / "secrets" / "api_token").read_text().strip()
    response = requests.get(
        f"{assistant.settings.backend_url}/api/tickets",
        params={"conversation_id": sender},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.fixture
def actions(assistant):
    service = assistant.service("动作服务")
    yield service
    if service.process is None or service.process.poll() is not None:
        service.start(assistant.settings.as_env())
    assistant.wait_healthy(120)


def receipt_number(receipt: str) -> str:
    found = re.search(r"HY\d{12}", receipt)
    assert found, receipt
    return found.group(0)


def test_with_the_action_server_down_the_citizen_is_told_and_the_retry_submits_once(chat, assistant, actions):
    walk_to_summary(chat, "窗口工作人员态度很差，办事拖拉")
    actions.stop()
    text = chat.text("确认提交")  # the form itself cannot run
    assert BUSY_WORDS in text and "再发一次" in text and "12345" in text, text
    assert BUSY_WORDS in chat.text("你好")  # every turn is answered while it is down
    actions.start(assistant.settings.as_env())
    assistant.wait_healthy(120)
    number = receipt_number(chat.text("确认提交"))  # sent again, as the reply asked
    assert [t["number"] for t in tickets_of(assistant, chat.sender)] == [number]


def test_the_action_server_dies_during_submit_and_the_retry_finds_the_created_ticket(chat, assistant, actions):
    walk_to_summary(chat, "路灯坏了一个月没人修")
    backend = assistant.service("工单后台")
    os.kill(backend.process.pid, signal.SIGSTOP)  # the submit's request waits in the backend's socket
    replies: list = []
    submit = threading.Thread(target=lambda: replies.extend(chat.say("确认提交")))
    try:
        submit.start()
        time.sleep(4)
        os.kill(actions.process.pid, signal.SIGKILL)  # dies while the request is under way
    finally:
        os.kill(backend.process.pid, signal.SIGCONT)
    submit.join(120)
    assert BUSY_WORDS in render(replies) and "重新提交" in render(replies), render(replies)
    deadline = time.monotonic() + 30
    while not tickets_of(assistant, chat.sender) and time.monotonic() < deadline:
        time.sleep(0.5)
    created = tickets_of(assistant, chat.sender)
    assert len(created) == 1, "the backend created the ticket although the citizen never heard its number"
    actions.start(assistant.settings.as_env())
    assistant.wait_healthy(120)
    retry = next(b["payload"] for r in replies for b in r.get("buttons") or [] if "重新提交" in b["title"])
    assert receipt_number(chat.text(retry)) == created[0]["number"]
    time.sleep(3)  # the outbox's delivery rounds: still exactly one
    assert len(tickets_of(assistant, chat.sender)) == 1
