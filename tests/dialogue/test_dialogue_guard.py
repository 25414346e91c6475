"""bot/dialogue_guard.py in process, on Rasa's own action classes with the project's domain (no servers)."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.actions.action import ActionRetrieveResponse
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import dialogue_guard
from bot.settings import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def run_chitchat(parse_data: dict, elderly: bool = False) -> list[str]:
    dialogue_guard.apply()
    tracker = DialogueStateTracker.from_events("guard", [SlotSet("elderly_mode", elderly)], DOMAIN.slots)
    tracker.update(UserUttered(parse_data["text"], parse_data["intent"], parse_data=parse_data))
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    events = asyncio.run(ActionRetrieveResponse("utter_chitchat").run(CollectingOutputChannel(), nlg, tracker, DOMAIN))
    return [e.text for e in events]


@pytest.mark.parametrize("elderly", [False, True])
def test_a_typed_chitchat_payload_without_a_selection_gets_a_polite_introduction(elderly: bool) -> None:
    """A raw `/chitchat` has no response selection: Rasa raised KeyError, answered as 系统正忙."""
    said = run_chitchat({"text": "/chitchat", "intent": {"name": "chitchat", "confidence": 1.0}}, elderly)
    assert len(said) == 1 and "海原政务小助手" in said[0], said
    assert dialogue_guard.BUSY not in said[0]


def test_a_selected_chitchat_answer_is_kept() -> None:
    selection = {"chitchat": {"response": {"utter_action": "utter_chitchat/ask_is_bot"}, "ranking": []}}
    said = run_chitchat(
        {"text": "你是机器人吗", "intent": {"name": "chitchat", "confidence": 0.9}, "response_selector": selection}
    )
    assert len(said) == 1 and "机器人" in said[0], said


def silent_turn_answer(events: list) -> list[str]:
    tracker = DialogueStateTracker.from_events("guard", events, DOMAIN.slots)
    channel = CollectingOutputChannel()
    asyncio.run(dialogue_guard.answer_a_silent_turn(tracker, channel))
    return [m.get("text") or "" for m in channel.messages]


def listened_after(user: UserUttered, *events) -> list:
    return [user, *events, ActionExecuted("action_listen")]


@pytest.mark.parametrize("text", ["1", "7", "好的", "/session_start"])
def test_a_turn_whose_actions_said_nothing_gets_a_line(text: str) -> None:
    """Only a hand-typed payload ("/…") used to be answered when the dialogue said nothing: a bare digit
    or any text whose actions said nothing was left without a reply."""
    user = UserUttered(text, {"name": "choose_option" if text.isdigit() else "affirm", "confidence": 1.0})
    assert silent_turn_answer(listened_after(user)) == [dialogue_guard.SILENT_TURN]
    elderly = [SlotSet("elderly_mode", True), *listened_after(user)]
    assert silent_turn_answer(elderly) == [dialogue_guard.SILENT_TURN_ELDERLY]


def test_an_answered_turn_or_an_intent_triggered_over_the_api_gets_no_extra_line() -> None:
    answered = listened_after(UserUttered("1", {"name": "choose_option"}), BotUttered("请直接说您要办的事。"))
    assert silent_turn_answer(answered) == []
    external = listened_after(UserUttered.create_external("session_timeout", []))
    assert silent_turn_answer(external) == []
