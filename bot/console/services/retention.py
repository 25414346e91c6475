"""Retention of conversations in Rasa's tracker store (个人信息保护法: keep personal data no longer than
needed). Events older than CONVERSATION_RETENTION_DAYS (default 180: two quarters of 月度堵点报告 and
inbox review; 0 keeps everything) are deleted by a periodic job of the backend (bot/app.py). Tickets keep
what a complaint needs; they are not touched here.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from sqlalchemy import create_engine, delete, inspect
from sqlalchemy.engine import Engine, make_url

from bot.console.services.tracker import EVENTS

log = logging.getLogger(__name__)
DAY = 86400


class ConversationRetention:
    def __init__(self, tracker_db_url: str, days: float):
        self.url, self.days = tracker_db_url, days
        self._engine: Engine | None = None

    def purge(self, now: float | None = None) -> int:
        """Delete tracker events older than the retention period; returns how many."""
        if self.days <= 0 or not self._store_exists():
            return 0
        if self._engine is None:
            self._engine = create_engine(self.url, pool_pre_ping=True, future=True)
        cutoff = (now or time.time()) - self.days * DAY
        with self._engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0
            deleted = connection.execute(delete(EVENTS).where(EVENTS.c.timestamp < cutoff)).rowcount or 0
        if deleted:
            log.info("已按保存期限（%s 天）删除 %d 条对话记录", self.days, deleted)
        return deleted

    def _store_exists(self) -> bool:
        url = make_url(self.url)
        return not url.drivername.startswith("sqlite") or bool(url.database and Path(url.database).exists())

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
