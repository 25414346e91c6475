"""A button of an earlier message, tapped later, must not answer the question asked now.

The web page disables a choice group once it is answered or superseded; other clients (the app, an old
tab, a double tap) may still send one. A choice is a `/intent{…}` payload, or a plain-text payload the
page marks with `"choice": true` in the message metadata. It belongs to the active question when it is
one of the buttons of the bot's last message with buttons; the menu's own payloads are always welcome.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import is_elderly
from actions.options import last_buttons, payload_parse_data

# Payloads of the page's fixed controls (menu, 长辈模式, 人工客服, 取消排队, 有用/没用): valid at any time.
ALWAYS_VALID_INTENTS = {
    "menu_services",
    "menu_bundles",
    "start_complaint",
    "check_ticket",
    "my_tickets",
    "elderly_mode_on",
    "elderly_mode_off",
    "human_handoff",
    "cancel_handoff",
    "cancel",
    "answer_helpful",
    "answer_unhelpful",
    "greet",
    "help",
}


def is_choice(tracker: Tracker) -> bool:
    """The latest message came from a button (an intent payload, or marked so by the page)."""
    message = tracker.latest_message
    metadata = message.get("metadata") or {}
    text = (message.get("text") or "").strip()
    return text.startswith("/") or (isinstance(metadata, dict) and metadata.get("choice") is True)


def is_stale_choice(tracker: Tracker) -> bool:
    if not is_choice(tracker):
        return False
    text = (tracker.latest_message.get("text") or "").strip()
    parsed = payload_parse_data(text) if text.startswith("/") else None
    if parsed and parsed["intent"]["name"] in ALWAYS_VALID_INTENTS:
        return False
    offered = {str(b.get("payload") or "").strip() for b in last_buttons(tracker)}
    return text not in offered


def reject_stale_choice(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]] | None:
    """Inside a form: a polite word, and the current question again (its answer is left empty)."""
    if not is_stale_choice(tracker):
        return None
    if is_elderly(tracker):
        text = "那个按钮是前面的，已经不能用了。请回答下面这个问题。"
    else:
        text = "您点的是前面一条消息里的按钮，它已经不能用了。请回答现在这个问题："
    dispatcher.utter_message(text=text)
    requested = tracker.get_slot("requested_slot")
    return [SlotSet(requested, None)] if requested else []
