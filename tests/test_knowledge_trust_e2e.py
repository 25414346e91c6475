"""Honest answers through the real stack (Rasa, action server, backend): the caveat names only the
unconfirmed part asked, 12345 is offered beside a 待核实 phone, checklists mark unverified items in both
modes, 亲友代办 is answered from the knowledge base, and a due date past the calendar is an estimate."""

from __future__ import annotations

import re
import time

import yaml

from tests.conftest import Chat
from tests.test_complaints_e2e import file_complaint


def test_an_unverified_fee_carries_the_caveat(chat: Chat) -> None:
    reply = chat.text("结婚登记收费吗")
    assert "免费" in reply  # the value (only reports of the 2025 regulation found for it) …
    assert "说明：收费尚未和官方文件核实" in reply and "12345" in reply  # … with the caveat naming the fee
    assert "所需材料" not in reply and "办理地点" not in reply  # and nothing else


def test_the_caveat_names_only_the_unconfirmed_part(chat: Chat) -> None:
    reply = chat.text("居住证办下来要多久")
    caveat = next(line for line in reply.splitlines() if line.startswith("说明："))
    assert "15日" in reply  # the legal time limit, sourced from the regulation, carries no caveat …
    assert caveat.startswith("说明：承诺时限尚未") and "法定时限" not in caveat  # … the county's promise does


def test_12345_is_offered_beside_a_phone_that_is_not_confirmed(chat: Chat) -> None:
    reply = chat.text("临时身份证在哪里办")
    assert "电话：待核实；可先拨打12345政务服务便民热线问询" in reply


def _walk(chat: Chat, opening: str, answer: str = "是", rounds: int = 8) -> str:
    reply = chat.text(opening)
    for _ in range(rounds):
        if "清单" in reply and ("要带" in reply or "需要您带的材料" in reply):
            return reply
        reply = chat.text(answer)
    raise AssertionError(f"no checklist:\n{reply}")


def test_unverified_checklist_items_are_marked_in_both_modes(chat: Chat, assistant) -> None:
    full = _walk(chat, "孩子刚出生要办啥")
    items = [line for line in full.splitlines() if re.match(r"^\d+\. ", line)]
    assert any("待核实" in line for line in items), full
    assert "说明：标“待核实”的内容" in full

    elderly = Chat(assistant.settings.rasa_url)
    elderly.say("长辈模式")
    short = _walk(elderly, "孩子刚出生要办啥", answer="1")
    assert any("（待核实）" in line for line in short.splitlines() if re.match(r"^\d+\. ", line)), short
    assert "标“待核实”的，去前先打12345" in short  # one caveat line in 长辈模式 too


def test_a_relative_applying_on_someones_behalf_is_answered_from_the_knowledge_base(chat: Chat) -> None:
    chat.text("居住证怎么办")
    reply = chat.text("我替我妈办行不行")
    assert "代办人的居民身份证" in reply and "近亲属" in reply, reply
    assert "亲自" in chat.text("离婚登记可以让我哥替我去办吗")


def test_a_due_date_past_the_calendar_is_shown_as_an_estimate(chat: Chat, assistant) -> None:
    """The backend reads the assistant's calendar (CALENDAR_PATH = KNOWLEDGE_DIR/calendar.yml) on change:
    listing the last arrangement a year earlier makes the calendar end before any due date from today."""
    path = assistant.settings.knowledge_dir / "calendar.yml"
    original = path.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    data["arrangements"] = [
        {**a, "year": a["year"] - 1}
        for a in data["arrangements"]
        if a["scope"] == "national" and "待核实" not in a["title"]
    ]
    try:
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        time.sleep(1.1)  # a new mtime for the backend's reload check
        reply = file_complaint(chat)
        assert "预计答复时间：" in reply and "（估算：工作日历只登记到" in reply, reply
        assert "遇到节假日会顺延" in reply
    finally:
        path.write_text(original, encoding="utf-8")
