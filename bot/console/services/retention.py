"""Personal data at rest in Rasa's tracker store (个人信息保护法), kept by a periodic job of the backend:

- retention: events older than CONVERSATION_RETENTION_DAYS (default 180: two quarters of 月度堵点报告 and
  inbox review; 0 keeps everything) are deleted;
- once per backend start, rows written before the store protected them (bot/tracker_store.py) are
  rewritten the same way: texts masked, slot values sealed.

Tickets keep what a complaint needs; they are not touched here.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from sqlalchemy import create_engine, delete, inspect, select, update
from sqlalchemy.engine import Engine, make_url

from bot.console.services.tracker import EVENTS
from bot.core.tracker_privacy import protect_event
from bot.core.vault import get_vault

log = logging.getLogger(__name__)
DAY = 86400


class ConversationRetention:
    def __init__(self, tracker_db_url: str, days: float):
        self.url, self.days = tracker_db_url, days
        self._engine: Engine | None = None
        self._scrubbed = False

    def run(self) -> None:
        """The periodic job: old rows protected (first run only), then old conversations deleted."""
        if not self._scrubbed:
            self.protect_old_rows()
            self._scrubbed = True
        self.purge()

    def _connect(self) -> Engine | None:
        if not self._store_exists():
            return None
        if self._engine is None:
            self._engine = create_engine(self.url, pool_pre_ping=True, future=True)
        return self._engine

    def protect_old_rows(self, batch: int = 500) -> int:
        """Rewrite rows holding plain phone or ID numbers as Rasa's store now writes them; returns how many."""
        engine, vault, changed, last_id = self._connect(), get_vault(), 0, 0
        if engine is None:
            return 0
        while True:
            with engine.begin() as connection:
                if not inspect(connection).has_table("events"):
                    return 0
                rows = connection.execute(
                    select(EVENTS.c.id, EVENTS.c.data).where(EVENTS.c.id > last_id).order_by(EVENTS.c.id).limit(batch)
                ).all()
                for row_id, data in rows:
                    try:
                        event = json.loads(data)
                    except (TypeError, ValueError):
                        continue
                    protected = protect_event(event, vault)
                    if protected != event:
                        connection.execute(
                            update(EVENTS).where(EVENTS.c.id == row_id).values(data=json.dumps(protected))
                        )
                        changed += 1
            if len(rows) < batch:
                break
            last_id = rows[-1][0]
        if changed:
            log.info("已为 %d 条旧对话记录遮盖或加密个人号码", changed)
        return changed

    def purge(self, now: float | None = None) -> int:
        """Delete tracker events older than the retention period; returns how many."""
        engine = self._connect() if self.days > 0 else None
        if engine is None:
            return 0
        cutoff = (now or time.time()) - self.days * DAY
        with engine.begin() as connection:
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
