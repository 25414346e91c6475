"""Numbered choices: "1", "回复 2", "选第三个" pick that button of the bot's last message.

NLU marks such messages `choose_option` (bot/nlu/components.py InputGuard). Outside forms this action
replays the chosen button as if the citizen had pressed it: it records the button's payload as the user's
message (after an `action_listen`, as a real turn looks), and Rasa goes on from there with the usual rules.
Forms read digits themselves, because each question knows its own options.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions.common import is_elderly
from bot.common.text import option_number

_INTENT_PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", re.DOTALL)


def last_buttons(tracker: Tracker) -> list[dict[str, Any]]:
    """The buttons the bot offered in its answer to the citizen's previous message (last bubble with any)."""
    past_current_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if past_current_message:
                break
            past_current_message = True
        elif past_current_message and event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons")
            if buttons:
                return buttons
    return []


def payload_parse_data(payload: str) -> dict[str, Any] | None:
    """Parse data for a `/intent{"entity": "value"}` payload, as Rasa's own payload parser gives it."""
    found = _INTENT_PAYLOAD.match(payload.strip())
    if not found:
        return None
    try:
        values = json.loads(found.group(2)) if found.group(2) else {}
    except json.JSONDecodeError:
        return None
    entities = [{"entity": k, "value": v, "start": 0, "end": 0} for k, v in values.items()]
    return {
        "text": payload,
        "intent": {"name": found.group(1), "confidence": 1.0},
        "intent_ranking": [{"name": found.group(1), "confidence": 1.0}],
        "entities": entities,
    }


def chosen_button(tracker: Tracker) -> dict[str, Any] | None:
    """Parse data of the intent button a numbered reply picks ("2" → `/change_answer{…}`), else None."""
    number = option_number(tracker.latest_message.get("text") or "")
    if number is None:
        return None
    buttons = last_buttons(tracker)
    if not buttons or number > len(buttons):
        return None
    return payload_parse_data(str(buttons[number - 1].get("payload") or ""))


def effective_message(tracker: Tracker) -> dict[str, Any]:
    """What the citizen meant: the picked button's intent and entities for a numbered reply, else the message."""
    return chosen_button(tracker) or tracker.latest_message


class ActionChooseOption(Action):
    def name(self) -> str:
        return "action_choose_option"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        number = option_number(tracker.latest_message.get("text") or "")
        buttons = last_buttons(tracker)
        if not buttons or number is None or number > len(buttons):
            text = (
                f"请回复 1 到 {len(buttons)} 的数字，或直接说您要办的事。"
                if buttons
                else "请直接说您要办的事，比如“补身份证”。"
            )
            dispatcher.utter_message(text=text if not is_elderly(tracker) else "请直接说您要办的事。")
            return []
        payload = str(buttons[number - 1].get("payload") or "")
        parse_data = payload_parse_data(payload)
        if parse_data is None:
            # A plain-text button ("是", "确认提交") is only offered inside forms, which read digits themselves.
            dispatcher.utter_message(text=f"好的，您选的是“{buttons[number - 1].get('title')}”。请直接回复这几个字。")
            return []
        slots = set(domain.get("slots") or {})
        return [ActionExecuted("action_listen"), UserUttered(payload, parse_data)] + [
            SlotSet(e["entity"], e["value"]) for e in parse_data["entities"] if e["entity"] in slots
        ]
