"""热点问题 for the chat page (public, no token): GET /api/hot-questions (bot/console/services/hot_questions.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from bot.console.routes.deps import console
from bot.console.services.hot_questions import MAX_ITEMS, HotQuestions

public_router = APIRouter(prefix="/api/hot-questions", tags=["热点问题"], include_in_schema=False)


def hot_questions(request: Request) -> HotQuestions:
    app = request.app
    if getattr(app.state, "hot_questions", None) is None:
        state = console(request)
        app.state.hot_questions = HotQuestions(state.db, state.settings.knowledge_dir, state.inbox.sync)
    hot: HotQuestions = app.state.hot_questions
    return hot


@public_router.get("", summary="热点问题（近 30 天问得最多的事项）")
def list_hot_questions(request: Request, limit: int = Query(MAX_ITEMS, ge=1, le=MAX_ITEMS)) -> dict[str, Any]:
    items = hot_questions(request).top(limit)
    return {"items": [{"title": i["title"], "payload": i["payload"], "service": i["service"]} for i in items]}
