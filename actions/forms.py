"""What every form does with side requests: a short answer, then the same question again
(the validators' shared preamble is actions/form_validation.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.options import effective_message

# Intents answered with their usual response in the middle of a form.
# (转人工 has its own: actions/handoff.py handoff_interruption.)
INTERRUPTION_RESPONSES = {
    "ask_hotline": "utter_hotline",
    "out_of_scope": "utter_out_of_scope",
    "thanks": "utter_thanks",
}


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


def latest_intent(tracker: Tracker) -> str | None:
    """The intent of the latest message; for "2" (a numbered reply) the intent of the button it picks."""
    return (effective_message(tracker).get("intent") or {}).get("name")


def latest_entities(tracker: Tracker) -> list[dict[str, Any]]:
    return effective_message(tracker).get("entities") or []


# Inside a form almost any text can be an answer ("11月20日上午" is a time, not a question about the
# hotline): only a clear prediction counts as a side request.
SIDE_REQUEST_CONFIDENCE = 0.8


def interruption_response(tracker: Tracker) -> str | None:
    """The response for a side request, e.g. utter_chitchat/ask_is_bot picked by the response selector."""
    if (tracker.latest_message.get("intent") or {}).get("confidence", 0.0) < SIDE_REQUEST_CONFIDENCE:
        return None
    intent = latest_intent(tracker)
    if intent == "chitchat":
        selector = (tracker.latest_message.get("response_selector") or {}).get("chitchat") or {}
        return (selector.get("response") or {}).get("utter_action")
    return INTERRUPTION_RESPONSES.get(intent) if intent is not None else None
