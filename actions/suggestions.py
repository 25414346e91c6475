"""Suggestions from the knowledge base for a message the NLU did not understand."""
from __future__ import annotations

from typing import List, Text, Tuple

from actions.knowledge import knowledge_base


def suggest_services(text: Text, limit: int = 3) -> List[Tuple[Text, Text]]:
    """(button title, payload) pairs for the services closest to `text`, best first."""
    kb = knowledge_base()
    if kb is None or not text.strip():
        return []
    from bot.knowledge.search import search

    result = search(kb, text, limit=limit)
    buttons = []
    for candidate in result.candidates[:limit]:
        item = kb.services.get(candidate.id) if candidate.kind == "service" else kb.bundles.get(candidate.id)
        if item:
            name = item.get("short_name") or item["name"]
            intent = "ask_service" if candidate.kind == "service" else "start_bundle"
            buttons.append((name, f'/{intent}{{"{candidate.kind}": "{candidate.id}"}}'))
    return buttons
