"""What every form does with side requests: a short answer, then the same question again."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker

from actions.options import effective_message

# Intents answered with their usual response in the middle of a form.
INTERRUPTION_RESPONSES = {"human_handoff": "utter_human_handoff", "ask_hotline": "utter_hotline",
                          "out_of_scope": "utter_out_of_scope", "thanks": "utter_thanks"}


def is_fresh_user_message(tracker: Tracker) -> bool:
    """True when the form runs right after the citizen said something (not on re-activation).

    Rasa validates a form on a temporary tracker that ends with the form's own ActionExecuted
    (rasa/core/actions/forms.py `_temporary_tracker`), so `latest_action_name` is always the form:
    look past that one action and the slot events for the user message.
    """
    skipped_own_run = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action" and event.get("name") != "action_listen":
            if skipped_own_run:
                return False
            skipped_own_run = True
    return False


def latest_intent(tracker: Tracker) -> Optional[Text]:
    """The intent of the latest message; for "2" (a numbered reply) the intent of the button it picks."""
    return (effective_message(tracker).get("intent") or {}).get("name")


def latest_entities(tracker: Tracker) -> List[Dict[Text, Any]]:
    return effective_message(tracker).get("entities") or []


def interruption_response(tracker: Tracker) -> Optional[Text]:
    """The response for a side request, e.g. utter_chitchat/ask_is_bot picked by the response selector."""
    intent = latest_intent(tracker)
    if intent == "chitchat":
        selector = (tracker.latest_message.get("response_selector") or {}).get("chitchat") or {}
        return (selector.get("response") or {}).get("utter_action")
    return INTERRUPTION_RESPONSES.get(intent)
