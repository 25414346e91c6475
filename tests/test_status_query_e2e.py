"""The citizen's status query through the REST channel, the real action server and backend (issue 17,
defect 5): a wrong last four is asked again, a limited number of times, and a wrong number looks the
same as wrong digits."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.conftest import Chat

PHONE = "13912345678"


@pytest.fixture
def ticket_number(assistant) -> str:
    settings = assistant.settings
    token = (settings.var_dir / "secrets" / "api_token").read_text().strip()
    body = {
        "category": "投诉",
        "summary": "路灯坏了",
        "description": "三河镇街上的路灯坏了一个月了",
        "phone": PHONE,
        "consent": True,
        "channel": "测试",
    }
    response = requests.post(
        f"{settings.backend_url}/api/tickets",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()["number"]


def start_query(chat: Chat, number: str) -> None:
    assert "工单号" in chat.text("查询工单")
    assert "后四位" in chat.text(number)


def test_wrong_digits_are_asked_again_then_the_right_ones_work(chat: Chat, ticket_number: str) -> None:
    start_query(chat, ticket_number)
    wrong = chat.text("0000")
    assert "没有查到" in wrong and "后四位" in wrong and "12345" not in wrong
    status = chat.text("5678")  # before the fix: an unrelated reply, the query had ended
    assert ticket_number in status and "已受理" in status
    assert "5678" not in status.replace(ticket_number, "")  # the phone never comes back, not even masked


def test_a_mistyped_number_can_be_corrected_and_looks_like_wrong_digits(
    assistant, chat: Chat, ticket_number: str
) -> None:
    wrong_number = ticket_number[:-4] + ("9999" if not ticket_number.endswith("9999") else "9998")
    start_query(chat, wrong_number)
    wrong_number_reply = chat.text("5678")
    other = Chat(assistant.settings.rasa_url)
    start_query(other, ticket_number)
    wrong_digits_reply = other.text("0000")
    assert wrong_number_reply == wrong_digits_reply  # not found and wrong phone: the same words
    assert "后四位" in chat.text(ticket_number)  # the right number instead of digits
    status = chat.text("5678")
    assert ticket_number in status and "已受理" in status


def test_the_tries_are_limited(chat: Chat, ticket_number: str) -> None:
    start_query(chat, ticket_number)
    assert "再试 2 次" in chat.text("0000")
    assert "再试 1 次" in chat.text("1111")
    last = chat.text("2222")
    assert "没有查到" in last and "12345" in last
    after = chat.text("5678")  # the query has ended: the digits are not taken as a status query any more
    assert ticket_number not in after
