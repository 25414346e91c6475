"""bot/dialogue_guard.py in process, on Rasa's own action classes with the project's domain (no servers)."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.actions.action import ActionRetrieveResponse
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
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
