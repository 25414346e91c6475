"""Phones and ID numbers in Rasa tracker events, before they reach the tracker store and after.

protect_event (on save): every text in an event (the citizen's words, parse data, entities, the bot's
replies and buttons) is masked for good (138****5678). A slot value holding such a number is sealed
instead (bot/core/vault.py), because a later turn needs it whole: the complaint form collects the phone
in one turn and submits it to the backend in another, so the ticket gets the one full copy. The numbers a
citizen typed are also kept sealed in the user event's metadata, for the console's 人工接待 (a call-back
number given in the chat).

reveal_event (on load): sealed slot values are opened again, so the action server sees what it set.
"""

from __future__ import annotations

import json
from typing import Any

from bot.common.privacy import mask_text, personal_numbers
from bot.core.vault import Vault, is_sealed

SEALED_NUMBERS = "haiyuan_sealed_numbers"  # key in a user event's metadata
_KEEP = frozenset({"message_id", "event", "timestamp", SEALED_NUMBERS})


def _masked(value: Any, found: list[str]) -> Any:
    if isinstance(value, str):
        numbers = personal_numbers(value)
        if not numbers:
            return value
        found.extend(numbers)
        return mask_text(value)
    if isinstance(value, dict):
        return {key: item if key in _KEEP else _masked(item, found) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, found) for item in value]
    return value


def holds_personal_numbers(value: Any) -> bool:
    return bool(personal_numbers(json.dumps(value, ensure_ascii=False))) if value is not None else False


def protect_event(data: dict[str, Any], vault: Vault) -> dict[str, Any]:
    if data.get("event") == "slot":
        value = data.get("value")
        if not is_sealed(value) and holds_personal_numbers(value):
            return {**data, "value": vault.seal(json.dumps(value, ensure_ascii=False))}
        return data
    found: list[str] = []
    protected: dict[str, Any] = _masked(data, found)
    if found and data.get("event") == "user":
        metadata = dict(protected.get("metadata") or {})
        metadata[SEALED_NUMBERS] = vault.seal(json.dumps(list(dict.fromkeys(found)), ensure_ascii=False))
        protected["metadata"] = metadata
    return protected


def reveal_event(data: dict[str, Any], vault: Vault) -> dict[str, Any]:
    if data.get("event") == "slot" and is_sealed(data.get("value")):
        opened = vault.unseal(data["value"])
        return {**data, "value": json.loads(opened) if opened is not None else None}
    return data


def sealed_numbers(data: dict[str, Any], vault: Vault) -> list[str]:
    """The numbers a citizen typed in a stored user event (for 人工接待's call-back number)."""
    sealed = (data.get("metadata") or {}).get(SEALED_NUMBERS)
    opened = vault.unseal(sealed) if isinstance(sealed, str) and is_sealed(sealed) else None
    numbers = json.loads(opened) if opened else []
    return [str(n) for n in numbers]
