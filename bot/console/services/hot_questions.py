"""热点问题 for the chat's welcome: the services citizens asked about most in the last 30 days.

Counted from the console's copy of the conversations (typed messages only: a tap on a hot question is a
button and does not push itself up). Services nobody asked about yet are filled in from county.yml
`hot_questions` (staff's picks, in order), which also gives a service its question wording; any other
service is shown by its short name. Cached for a few minutes: the page is public.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.console.models import Message
from bot.core.database import Database
from bot.knowledge.loader import get_knowledge_base
from bot.tickets.models import utcnow

log = logging.getLogger(__name__)

WINDOW_DAYS = 30
CACHE_SECONDS = 300.0
MAX_ITEMS = 6


def picks_of(county: dict[str, Any]) -> list[dict[str, str]]:
    """county.yml hot_questions: [{service, question}], malformed entries skipped."""
    picks = county.get("hot_questions")
    if not isinstance(picks, list):
        return []
    return [
        {"service": str(p["service"]), "question": str(p.get("question") or "").strip()}
        for p in picks
        if isinstance(p, dict) and p.get("service")
    ]


def ranked(
    asked: list[tuple[str, int]], picks: list[dict[str, str]], services: dict[str, dict], limit: int
) -> list[dict[str, Any]]:
    """Most asked first, then staff's picks; each service once, only services the knowledge base has."""
    wording = {p["service"]: p["question"] for p in picks}
    order = [sid for sid, _n in asked] + [p["service"] for p in picks]
    counts = dict(asked)
    items: list[dict[str, Any]] = []
    for sid in dict.fromkeys(order):
        if sid not in services:
            continue
        data = services[sid]
        title = wording.get(sid) or data.get("short_name") or data.get("name") or sid
        items.append(
            {
                "service": sid,
                "title": title,
                "payload": "/ask_service" + json.dumps({"service": sid}),
                "asked": counts.get(sid, 0),
            }
        )
        if len(items) >= limit:
            break
    return items


class HotQuestions:
    def __init__(self, db: Database, knowledge_dir: Any, sync: Callable[[], Any] | None = None):
        self.db = db
        self.knowledge_dir = knowledge_dir
        self.sync = sync  # imports new conversations first (the inbox's sync), at most once per cache period
        self._lock = threading.Lock()
        self._cached: tuple[float, list[dict[str, Any]]] | None = None

    def asked(self) -> list[tuple[str, int]]:
        since = utcnow() - timedelta(days=WINDOW_DAYS)
        with self.db.session() as session:
            rows = session.execute(
                select(Message.service, func.count())
                .where(Message.at >= since, Message.service.isnot(None), Message.is_payload.is_(False))
                .group_by(Message.service)
                .order_by(func.count().desc(), Message.service)
                .limit(50)
            ).all()
        return [(str(service), int(n)) for service, n in rows]

    def top(self, limit: int = MAX_ITEMS) -> list[dict[str, Any]]:
        with self._lock:
            now = time.monotonic()
            if self._cached and now - self._cached[0] < CACHE_SECONDS:
                return self._cached[1][:limit]
            if self.sync is not None:
                try:
                    self.sync()
                except Exception:  # the tracker store may be down: yesterday's numbers still serve
                    log.warning("热点问题：对话导入失败，使用已有统计", exc_info=True)
            kb = get_knowledge_base(self.knowledge_dir)
            items = ranked(self.asked(), picks_of(kb.county), kb.services, MAX_ITEMS)
            self._cached = (now, items)
            return items[:limit]
