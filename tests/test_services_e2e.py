"""Service questions through the REST channel: the right facts from knowledge/ come back."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.knowledge.render import PENDING_TEXT
from bot.knowledge.text import is_pending
from bot.settings import ROOT
from tests.conftest import Chat

SERVICES = {p.stem: yaml.safe_load(p.read_text()) for p in sorted((ROOT / "knowledge/services").glob("*.yml"))}
COUNTY = yaml.safe_load((ROOT / "knowledge/county.yml").read_text())

# How citizens ask about each aspect ({} is the service as they name it).
QUESTIONS = {
    "materials": "{}要带啥材料",
    "fee": "{}要交多少钱",
    "time_limit": "{}多久能办下来",
    "place": "{}在哪里办",
    "online": "{}网上能办吗",
    "eligibility": "{}需要什么条件",
    "steps": "{}的流程是啥",
}
ASPECTS = list(QUESTIONS)
TESTED = [
    "id_card",
    "temp_id_card",
    "hukou_migration",
    "birth_registration",
    "residence_permit",
    "no_criminal_record",
    "social_security_card",
    "unemployment_benefit",
    "employee_retirement",
    "resident_medical_insurance",
    "offsite_medical_filing",
    "marriage_registration",
    "divorce_registration",
    "minimum_living_allowance",
    "elderly_allowance",
    "disability_certificate",
    "real_estate_registration",
    "housing_fund_withdrawal",
    "individual_business_registration",
    "food_business_license",
    "compulsory_school_enrollment",
    "driving_license_renewal",
    "rural_homestead",
    "legal_aid",
]


def shown(value) -> str:
    return PENDING_TEXT if value is None or is_pending(value) else str(value).strip()


def expected_fact(service: dict, aspect: str) -> str:
    """A fact the answer to `aspect` must contain, read from the knowledge file."""
    if aspect == "materials":
        return str(service["materials"][0]["name"])
    if aspect == "fee":
        return shown(service.get("fee"))
    if aspect == "time_limit":
        return shown((service.get("time_limit") or {}).get("legal"))
    if aspect == "place":
        return shown(COUNTY["halls"][service["place"]["hall"]]["name"])
    if aspect == "online":
        return "网上"
    if aspect == "eligibility":
        return shown(service["eligibility"]["who"])
    return shown(service["steps"][0])


def cases():
    for n, service_id in enumerate(TESTED):
        aliases = SERVICES[service_id]["aliases"]
        for k in range(3):  # three aspects per service, a different way of naming it each time
            aspect = ASPECTS[(n + k * 3) % len(ASPECTS)]
            yield pytest.param(service_id, aliases[(n + k) % len(aliases)], aspect, id=f"{service_id}-{aspect}")


@pytest.mark.parametrize("service_id, name, aspect", list(cases()))
def test_service_aspect_answers_with_the_facts(chat: Chat, service_id: str, name: str, aspect: str) -> None:
    reply = chat.text(QUESTIONS[aspect].format(name))
    assert expected_fact(SERVICES[service_id], aspect) in reply, reply


def test_guide_card_when_no_aspect_is_asked(chat: Chat) -> None:
    reply = chat.text("身份证丢了怎么办")
    assert "办事指南" in reply and "主要材料" in reply and "网上办理" in reply


def test_follow_up_questions_carry_over_the_service(chat: Chat) -> None:
    chat.say("身份证丢了怎么办")
    assert expected_fact(SERVICES["id_card"], "materials") in chat.text("要带什么材料")
    assert expected_fact(SERVICES["id_card"], "time_limit") in chat.text("多久能拿到")
    # A new topic switches the service.
    assert expected_fact(SERVICES["minimum_living_allowance"], "materials") in chat.text("那办低保要带啥")


def test_related_questions_are_offered_as_buttons(chat: Chat) -> None:
    replies = chat.say("社保卡丢了要带啥材料")
    buttons = [b for r in replies for b in r.get("buttons") or []]
    assert 2 <= len(buttons) <= 3
    assert all(b["payload"].startswith("/ask_") for b in buttons)


def test_two_services_in_one_question_are_both_answered(chat: Chat) -> None:
    reply = chat.text("身份证和社保卡都丢了咋办")
    assert "身份证" in reply and ("社会保障卡" in reply or "社保卡" in reply), reply


@pytest.mark.parametrize(
    "typo, service_id",
    [
        ("社宝卡丢了咋补", "social_security_card"),
        ("身份正补办要带啥", "id_card"),
        ("低宝咋申请", "minimum_living_allowance"),
    ],
)
def test_typos_still_find_the_service(chat: Chat, typo: str, service_id: str) -> None:
    reply = chat.text(typo)
    name = SERVICES[service_id].get("short_name") or SERVICES[service_id]["name"]
    assert name in reply or any(a in reply for a in SERVICES[service_id]["aliases"]), reply


def test_vague_name_gets_a_which_one_choice(chat: Chat) -> None:
    replies = chat.say("公积金咋弄")
    text = "\n".join(r.get("text") or "" for r in replies)
    payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert "哪一项" in text
    assert any("housing_fund_withdrawal" in p for p in payloads) and any("housing_fund_loan" in p for p in payloads)


def test_unknown_service_gets_a_helpful_reply_not_silence(chat: Chat) -> None:
    replies = chat.say("办护照要带啥")
    text = "\n".join(r.get("text") or "" for r in replies)
    assert text.strip() and ("没找到" in text or "没完全理解" in text)


def test_other_places_terms_are_understood(chat: Chat) -> None:
    reply = chat.text("市民卡丢了怎么补")
    assert "社会保障卡" in reply or "社保卡" in reply, reply


def test_facts_change_without_retraining(chat: Chat, assistant) -> None:
    path = Path(assistant.settings.knowledge_dir) / "services" / "marriage_registration.yml"
    original = path.read_text()
    try:
        data = yaml.safe_load(original)
        data["fee"] = "测试收费标准：免费（已于今日更新）"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        assert "已于今日更新" in chat.text("结婚登记要交多少钱")
    finally:
        path.write_text(original)


def test_elderly_mode_gives_short_lines_in_one_reply_and_more(chat: Chat) -> None:
    chat.say("长辈模式")
    replies = chat.say("办低保要带啥材料")
    texts = [r["text"] for r in replies if r.get("text")]
    assert len(texts) == 1, replies  # one reply, one bubble (issue 17)
    assert all(len(line) <= 45 for line in texts[0].splitlines()), texts
    full = chat.text("更多")
    assert len(full) > len(texts[0])


def test_a_notice_naming_the_service_comes_with_its_answers(chat: Chat, assistant) -> None:
    from datetime import date, timedelta

    path = Path(assistant.settings.knowledge_dir) / "notices.yml"
    original = path.read_text(encoding="utf-8")
    today = date.today()
    notice = {
        "notices": [
            {
                "id": "test-holiday",
                "title": "元旦期间婚姻登记窗口时间调整",
                "text": "1月1日休息，1月2日照常办理。",
                "start": str(today - timedelta(days=1)),
                "end": str(today + timedelta(days=1)),
                "services": ["marriage_registration"],
            }
        ]
    }
    try:
        path.write_text(yaml.safe_dump(notice, allow_unicode=True), encoding="utf-8")
        assert "元旦期间婚姻登记窗口时间调整" in chat.text("领结婚证在哪里办")
        assert "元旦期间婚姻登记窗口时间调整" not in chat.text("补身份证在哪里办")
    finally:
        path.write_text(original, encoding="utf-8")


def test_a_follow_up_before_choosing_asks_the_same_choice_for_the_new_aspect(chat: Chat) -> None:
    first = chat.say("公积金咋弄")
    offered = {b["payload"].split("{")[1] for r in first for b in r.get("buttons") or []}
    again = chat.say("要带啥")
    payloads = [b["payload"] for r in again for b in r.get("buttons") or []]
    assert {p.split("{")[1] for p in payloads} == offered and all(p.startswith("/ask_materials") for p in payloads)


def test_a_new_topic_named_loosely_is_not_answered_as_the_old_one(chat: Chat) -> None:
    chat.say("办低保要带啥材料")
    replies = chat.say("那公积金咋弄")
    payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert any("housing_fund" in p for p in payloads), replies
