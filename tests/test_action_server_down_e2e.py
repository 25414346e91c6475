"""The action server down or dying during submit (issue 14 defect 5), through the real stack.

Before: while the action server was down every reply was silently empty; when it died during the submit,
the ticket was created but the citizen never got its number, and a retry said 「好的。还有什么可以帮您？」.
Now Rasa says the service is busy and what to do (bot/dialogue_guard.py), keeps what was filled in, and the
retry after recovery finds the ticket the first attempt created, through the same idempotency key.
"""

from __future__ import annotations

import re
import time

import pytest
import requests

from tests.conftest import Chat

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


def wait_for_request(pid: int, port: int, timeout: float = 90) -> None:
    """Until the action server has a connection open to the (frozen) backend: the submit is under way."""
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(c.raddr and c.raddr.port == port for c in psutil.Process(pid).connections(kind="tcp")):
            time.sleep(0.5)  # the request itself is written
            return
        time.sleep(0.1)
    raise AssertionError("the action server never called the backend")


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
