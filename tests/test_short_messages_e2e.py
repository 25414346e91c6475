"""Short messages of issue 16 through the real assistant: a dictation slip by sound, a question typed in
pinyin and one in traditional characters are answered with the service's facts."""

from __future__ import annotations

import pytest
import yaml

from bot.settings import ROOT
from tests.conftest import Chat


def first_material(service_id: str) -> str:
    service = yaml.safe_load((ROOT / "knowledge" / "services" / f"{service_id}.yml").read_text(encoding="utf-8"))
    return str(service["materials"][0]["name"])


@pytest.mark.parametrize(
    "message, service_id",
    [
        ("一保报销要带啥材料", "medical_reimbursement"),  # 医保 heard as 一保: no alias lists it
        ("shebaoka diule yao dai shenme cailiao", "social_security_card"),  # pinyin only
        ("身份證丟了要帶什麼材料", "id_card"),  # traditional characters
    ],
    ids=["slip-by-sound", "pinyin", "traditional"],
)
def test_short_message_is_answered_with_the_service_facts(chat: Chat, message: str, service_id: str) -> None:
    reply = chat.text(message)
    assert first_material(service_id) in reply, reply
    assert "中文" not in reply


def test_pinyin_emergency_still_gets_the_emergency_numbers(chat: Chat) -> None:
    reply = chat.text("jiuming you ren da wo")
    assert "110" in reply, reply


@pytest.mark.parametrize("message", ["取消转人工", "不用转人工了", "算了不找人工了"])
def test_withdrawing_the_handoff_is_never_read_as_asking_for_it(chat: Chat, message: str) -> None:
    # 取消转人工 was read as human_handoff (0.49) and put the citizen in the queue
    reply = chat.text(message)
    assert chat.last_intent() == "cancel_handoff"
    assert "没有在排队" in reply or "已取消转人工" in reply
