"""Through the real stack (Rasa model, action server): the answer gives the part of the service asked,
read from colloquial words, and both parts when two are asked."""

from __future__ import annotations

import pytest

from tests.conftest import Chat


def answered(replies: list[dict]) -> list[tuple[str, str]]:
    return [
        (r["custom"]["service"], r["custom"]["aspect"])
        for r in replies
        if (r.get("custom") or {}).get("type") == "service_answer"
    ]


@pytest.mark.parametrize(
    "text, service, aspect",
    [
        ("社保卡补办 我人在外地 在手机上能弄不", "social_security_card", "online"),
        ("单位催着要无犯罪记录证明 开一个得等几天", "no_criminal_record", "time_limit"),
        ("结婚登记的地方在县上哪个位置", "marriage_registration", "place"),
    ],
)
def test_a_colloquial_question_gets_the_part_asked(chat: Chat, text: str, service: str, aspect: str) -> None:
    assert answered(chat.say(text)) == [(service, aspect)]


def test_two_parts_asked_are_both_answered(chat: Chat) -> None:
    assert answered(chat.say("办结婚证要带啥 收费不")) == [
        ("marriage_registration", "materials"),
        ("marriage_registration", "fee"),
    ]


def test_elderly_mode_answers_the_first_part_and_offers_the_second(chat: Chat) -> None:
    chat.say("长辈模式")
    replies = chat.say("办结婚证要带啥 收费不")
    assert answered(replies) == [("marriage_registration", "materials")]
    payloads = [b["payload"] for r in replies for b in r.get("buttons") or [] if b["payload"].startswith("/ask_")]
    assert payloads and payloads[0].startswith("/ask_fee"), payloads
