"""Small helpers every action uses: 长辈模式, recent user turns, buttons."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

MENU_BUTTONS = [
    {"title": "办事咨询", "payload": "/menu_services"},
    {"title": "一件事一次办", "payload": "/menu_bundles"},
    {"title": "投诉建议", "payload": "/start_complaint"},
    {"title": "查询工单", "payload": "/check_ticket"},
]


def is_elderly(tracker: Tracker) -> bool:
    return bool(tracker.get_slot("elderly_mode"))


def numbered_buttons(buttons: list[dict[str, Any]], elderly: bool) -> list[dict[str, Any]]:
    """In 长辈模式 buttons carry their number so "回复 1" is obvious; at most 4 of them."""
    if not elderly:
        return buttons
    return [{**b, "title": f"{i} {b['title']}"} for i, b in enumerate(buttons[:4], 1)]


def utter_bubbles(
    dispatcher,
    bubbles: list[str],
    elderly: bool,
    buttons: list[dict[str, Any]] | None = None,
    json_message: dict[str, Any] | None = None,
) -> None:
    """Send one reply made of several bubbles. 长辈模式: one message (one bubble, one 朗读), its short lines
    one under the other; otherwise a message per bubble. The buttons and the marker go with the last one."""
    bubbles = [b for b in bubbles if b]
    if elderly:
        bubbles = ["\n".join(bubbles)]
    for bubble in bubbles[:-1]:
        dispatcher.utter_message(text=bubble)
    extra = {"json_message": json_message} if json_message else {}
    dispatcher.utter_message(
        text=bubbles[-1] if bubbles else "", buttons=numbered_buttons(buttons or [], elderly), **extra
    )


def user_turns(tracker: Tracker) -> list[dict[str, Any]]:
    """User turns in order, each with the actions the bot ran in answer and the custom message types it sent."""
    turns: list[dict[str, Any]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user":
            turns.append({"event": event, "actions": [], "custom_types": []})
        elif not turns:
            continue
        elif kind == "action" and event.get("name") not in {"action_listen", "action_extract_slots"}:
            turns[-1]["actions"].append(event.get("name"))
        elif kind == "bot":
            custom = (event.get("data") or {}).get("custom")
            if isinstance(custom, dict) and custom.get("type"):
                turns[-1]["custom_types"].append(custom["type"])
    return turns


def latest_user_text(tracker: Tracker) -> str:
    """What the citizen actually typed last, whole: NLU sees a normalised text cut at 500 characters."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return tracker.latest_message.get("text") or ""


def channel_name(tracker: Tracker) -> str:
    """The app's own channel name from the message metadata (app API), else Rasa's input channel."""
    metadata = tracker.latest_message.get("metadata") or {}
    named = metadata.get("channel") if isinstance(metadata, dict) else None
    if isinstance(named, str) and named.strip():
        return named.strip()[:30]
    return tracker.get_latest_input_channel() or "rest"
