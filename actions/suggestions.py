"""Suggestions from the knowledge base for a message the NLU did not understand."""

from __future__ import annotations

from actions.knowledge import knowledge_base
from bot.knowledge.search import SearchIndex, search

MIN_SUGGESTION_SCORE = 3.0


def suggest_services(text: str, limit: int = 3) -> list[tuple[str, str]]:
    """(button title, payload) pairs for the services closest to `text`, best first."""
    kb = knowledge_base()
    if kb is None or not text.strip():
        return []
    result = search(kb, text, limit=limit)
    # A weak match is still worth offering (the citizen picks or rephrases) if it shares a whole word with
    # the message, not just a character or two: BM25 ≥ MIN_SUGGESTION_SCORE ("补贴的事" → 14, "办个护照" → 1.6).
    candidates = list(result.candidates) or [
        c for c in kb.derived("search_index", SearchIndex).rank(text)[0] if c.score >= MIN_SUGGESTION_SCORE
    ]
    buttons = []
    for candidate in candidates[:limit]:
        item = kb.services.get(candidate.id) if candidate.kind == "service" else kb.bundles.get(candidate.id)
        if item:
            name = item.get("short_name") or item["name"]
            intent = "ask_service" if candidate.kind == "service" else "start_bundle"
            buttons.append((name, f'/{intent}{{"{candidate.kind}": "{candidate.id}"}}'))
    return buttons
