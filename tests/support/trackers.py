"""Trackers for in-process action tests, built the way the action server receives them (as rasa-demo does)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(
    text: str = "",
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender_id: str = "in-process",
) -> Tracker:
    """A tracker whose latest message is `text` with `intent` and `entities`, and `slots` already set."""
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": dict(slots or {}),
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 1.0} if intent else {},
                "entities": entities or [],
            },
            "events": [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or "" for m in dispatcher.messages]
