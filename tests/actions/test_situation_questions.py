"""A service question told with the citizen's situation (from another province, on someone's behalf) is
answered from the knowledge base, not offered as a complaint (in process, the real knowledge base and triage)."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.general import ActionFallbackLadder
from actions.knowledge import knowledge_base
from actions.situation import service_in_clauses
from tests.support.trackers import tracker

QUESTIONS = [
    ("我在内蒙古跑车，驾驶证明年到期，能在那边换吗", "driving_license_renewal"),
    ("我在外地打工 驾驶证快到期了咋办", "driving_license_renewal"),
]


@pytest.mark.parametrize("text, service", QUESTIONS)
def test_the_fallback_answers_the_service_asked_with_a_situation(text: str, service: str) -> None:
    dispatcher = CollectingDispatcher()
    ActionFallbackLadder().run(dispatcher, tracker(text, intent="nlu_fallback"), {})
    answered = {(m.get("custom") or {}).get("service") for m in dispatcher.messages}
    payloads = [b.get("payload") for m in dispatcher.messages for b in m.get("buttons") or []]
    assert service in answered, dispatcher.messages
    assert "/start_complaint" not in payloads


def test_a_complaint_is_not_read_as_a_service_question() -> None:
    assert service_in_clauses(knowledge_base(), "派出所办身份证的窗口态度太差了，排了半天队还被骂") is None


def test_a_letter_is_left_to_the_complaint_form() -> None:
    letter = "领导您好，" + "我在外省打工多年，" * 8 + "驾驶证明年到期，能在外地换吗"
    assert service_in_clauses(knowledge_base(), letter) is None
