"""The knowledge base as the action server sees it: loaded once, reloaded when staff edit knowledge/."""

from __future__ import annotations

from bot.knowledge.loader import KnowledgeBase, get_knowledge_base


def knowledge_base() -> KnowledgeBase | None:
    """The current knowledge base (re-read when a file changed, checked every few seconds), or None if empty."""
    kb = get_knowledge_base()
    return kb if kb.services or kb.bundles else None
