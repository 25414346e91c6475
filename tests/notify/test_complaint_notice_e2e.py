"""The whole path on the real stack (Rasa, action server, backend): a citizen of the web chat files a complaint
and answers the summary with 提交并通知我; the dispatcher's 转办 becomes one notice waiting for the citizen's
next visit, handed over once. A citizen who only pressed 确认提交 gets none."""

from __future__ import annotations

import re
from typing import Any

import requests

from tests.conftest import Chat

PHONE = "13812345678"


class WebChat(Chat):
    """Says what the web chat page says: its channel in the metadata of every message."""

    def say(self, message: Any, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return super().say(message, {"channel": "web", **(metadata or {})})


def file_complaint(chat: Chat, answer: str) -> str:
    assert "在哪里" in chat.text("我要投诉，政务大厅窗口的工作人员态度太差了，让我来回跑了三趟")
    assert "什么时候" in chat.text("县政务服务中心二楼")
    assert "哪个部门" in chat.text("11月20日上午")
    assert "称呼" in chat.text("不知道")
    assert "电话" in chat.text("王先生")
    assert "同意" in chat.text(PHONE)
    assert "提交并通知我" in chat.text("同意")
    found = re.search(r"HY\d{12}", chat.text(answer))
    assert found
    return found.group(0)


def test_a_web_citizen_who_asked_hears_of_the_dispatch_once(assistant) -> None:
    backend = assistant.settings.backend_url
    token = (assistant.settings.var_dir / "secrets" / "api_token").read_text().strip()
    headers = {"Authorization": f"Bearer {token}"}
    asked, silent = WebChat(assistant.settings.rasa_url), WebChat(assistant.settings.rasa_url)
    numbers = {file_complaint(asked, "提交并通知我"): asked, file_complaint(silent, "确认提交"): silent}
    for number in numbers:
        moved = requests.post(
            f"{backend}/api/tickets/{number}/transition",
            headers=headers,
            json={"to": "已转办", "actor": "测试调度员", "department": "海原县住房和城乡建设局"},
            timeout=10,
        )
        assert moved.status_code == 200, moved.text
    pending = {
        number: requests.post(
            f"{backend}/api/notify/web/pending", json={"conversation_id": chat.sender}, timeout=10
        ).json()["notices"]
        for number, chat in numbers.items()
    }
    [asked_number, silent_number] = list(numbers)
    assert [n["ticket_number"] for n in pending[asked_number]] == [asked_number]
    assert pending[silent_number] == []
    shown = {"conversation_id": asked.sender, "ids": [pending[asked_number][0]["id"]]}
    assert requests.post(f"{backend}/api/notify/web/shown", json=shown, timeout=10).json() == {"delivered": 1}
    again = requests.post(f"{backend}/api/notify/web/pending", json={"conversation_id": asked.sender}, timeout=10)
    assert again.json()["notices"] == []
