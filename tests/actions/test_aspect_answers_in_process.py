"""The service answer gives the part asked, read from the words before the intent (in process)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.services import ActionAnswerService
from tests.support.trackers import tracker

ID_CARD = [{"entity": "service", "value": "id_card"}]


def answered(text: str, intent: str, slots: dict | None = None) -> tuple[list[str], list[dict], dict]:
    dispatcher = CollectingDispatcher()
    events = ActionAnswerService().run(dispatcher, tracker(text, intent=intent, entities=ID_CARD, slots=slots), {})
    aspects = [m["custom"]["aspect"] for m in dispatcher.messages if (m.get("custom") or {}).get("aspect")]
    buttons = [b for m in dispatcher.messages for b in m.get("buttons") or []]
    slots_set = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return aspects, buttons, slots_set


def test_the_words_beat_a_general_intent() -> None:
    aspects, _, slots = answered("身份证补办要带啥", intent="ask_service")
    assert aspects == ["materials"] and slots["service_aspect"] == "materials"


def test_the_words_beat_a_wrong_aspect_intent() -> None:
    aspects, _, _ = answered("身份证补了几天能拿到", intent="ask_fee")
    assert aspects == ["time_limit"]


def test_the_intent_decides_when_the_words_name_no_aspect() -> None:
    assert answered("身份证的事给我讲讲", intent="ask_place")[0] == ["place"]
    assert answered("身份证咋办", intent="ask_service")[0] == ["card"]


def test_a_button_payload_keeps_its_intent() -> None:
    assert answered('/ask_online{"service": "id_card"}', intent="ask_online")[0] == ["online"]


def test_two_parts_asked_are_both_answered_and_not_offered_again() -> None:
    aspects, buttons, slots = answered("补身份证要带啥 多少钱", intent="ask_materials")
    assert aspects == ["materials", "fee"]
    assert not any(b["payload"].startswith(("/ask_materials", "/ask_fee")) for b in buttons), buttons
    assert slots["service_aspect"] == "fee"  # “更多” continues the last part shown


def test_elderly_mode_answers_one_part_and_offers_the_next_first() -> None:
    aspects, buttons, _ = answered("补身份证要带啥 多少钱", intent="ask_materials", slots={"elderly_mode": True})
    assert aspects == ["materials"]
    asked = [b for b in buttons if b["payload"].startswith("/ask_")]
    assert asked and asked[0]["payload"].startswith("/ask_fee"), buttons
