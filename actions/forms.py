"""What every form does with side requests: a short answer, then the same question again."""
from __future__ import annotations

from typing import Optional, Text

from rasa_sdk import Tracker

# Intents answered with their usual response in the middle of a form.
INTERRUPTION_RESPONSES = {"human_handoff": "utter_human_handoff", "ask_hotline": "utter_hotline",
                          "out_of_scope": "utter_out_of_scope", "thanks": "utter_thanks"}
FRESH_MESSAGE = {"action_listen", "action_extract_slots"}


def is_fresh_user_message(tracker: Tracker) -> bool:
    """True when the form runs right after the citizen said something (not on re-activation)."""
    return tracker.latest_action_name in FRESH_MESSAGE


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def interruption_response(tracker: Tracker) -> Optional[Text]:
    """The response for a side request, e.g. utter_chitchat/ask_is_bot picked by the response selector."""
    intent = latest_intent(tracker)
    if intent == "chitchat":
        selector = (tracker.latest_message.get("response_selector") or {}).get("chitchat") or {}
        return (selector.get("response") or {}).get("utter_action")
    return INTERRUPTION_RESPONSES.get(intent)
