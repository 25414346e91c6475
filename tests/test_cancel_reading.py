"""In process: InputGuard reads a short "stop this" left to the fallback as cancel, and leaves a letter DIET gave a
small intent (start_bundle, thanks) to the letter reading."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import InputGuard


def parsed(text: str, intent: str, confidence: float) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}])
    return message


@pytest.mark.parametrize(
    "text", ["算了不办了", "不办了", "先不弄了", "不办了不办了", "我不办这个了", "算了，不登记了", "不查了吧"]
)
def test_a_short_stop_left_to_the_fallback_is_cancel(text: str) -> None:
    # inside the 退休 bundle, 算了不办了 was read as an answer and the question asked again
    [message] = InputGuard().process([parsed(text, "nlu_fallback", 0.4)])
    assert message.get("intent") == {"name": "cancel", "confidence": 1.0}


@pytest.mark.parametrize("text", ["不知道", "不是", "算了", "不要", "不用", "不办低保，办医保", "两个月前开始"])
def test_answers_and_no_are_not_cancel(text: str) -> None:
    [message] = InputGuard().process([parsed(text, "nlu_fallback", 0.4)])
    assert message.get("intent")["name"] == "nlu_fallback"


def test_a_sure_intent_is_left_as_it_is() -> None:
    [message] = InputGuard().process([parsed("不办了", "deny", 0.9)])
    assert message.get("intent")["name"] == "deny"


LETTER = (
    "尊敬的领导您好！首先感谢您在百忙之中看我的信。我家孙子今年上小学三年级，我们家的情况比较困难，"
    "去年老伴生病住院花了很多钱，今年地里又没有收成，孩子上学的生活费都成了问题，不知道能不能申请一些帮助，"
    "恳请领导给指条路。谢谢领导！"
)


@pytest.mark.parametrize("intent", ["start_bundle", "thanks", "greet"])
def test_a_letter_diet_gave_a_small_intent_is_left_to_the_letter_reading(intent: str) -> None:
    [message] = InputGuard().process([parsed(LETTER, intent, 0.6)])
    assert message.get("intent")["name"] == "nlu_fallback"  # the ladder hands it to the complaint form


def test_a_short_life_event_question_keeps_its_intent() -> None:
    [message] = InputGuard().process([parsed("孩子要上小学了需要办啥", "start_bundle", 0.9)])
    assert message.get("intent")["name"] == "start_bundle"
