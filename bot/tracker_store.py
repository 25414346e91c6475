"""Rasa's SQL tracker store with personal numbers protected at rest (bot/core/tracker_privacy.py), and the
latest session of recent conversations kept in memory.

endpoints.yml: `tracker_store: {type: bot.tracker_store.PrivateSQLTrackerStore, …}` with the same settings
as Rasa's `SQL` store. Same tables and rows, so the console reads it as before; only the event data
differs: texts masked, slot values with a phone or ID number sealed (opened again when Rasa loads them).

Per message Rasa 3.6's SQLTrackerStore selects, JSON-decodes and replays every event of the session and
then counts them again to know which to insert: the 100th message of a conversation cost ~3× the CPU of
the 5th (bench/turn_cost.py). Here the events of the latest session, as a load from the database would
return them (masked, sealed values opened), stay in memory for the TRACKER_CACHE_SIZE most recent
conversations. A message then reads one number from the database, the id of the conversation's newest
row: when it is the one cached, nobody else wrote (another Rasa instance, the HTTP API, the retention
job) and the tracker is rebuilt from the cached events; otherwise it is loaded as before. A save inserts
the events after the ones the tracker was built from, without counting the stored ones. On SQLite the
connections are pooled instead of opened and closed per message.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import create_engine, func
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.core.tracker_privacy import protect_event, reveal_event
from bot.core.vault import get_vault

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 100  # conversations; TRACKER_CACHE_SIZE=0 turns the cache off


@dataclass(frozen=True)
class _Session:
    """The latest session of one conversation as the database holds it, and its newest row's id."""

    events: tuple[Event, ...]
    last_id: int


def _reloaded(text: str, vault: Any) -> Event | None:
    """The event as loading its row gives it back (texts masked, sealed values opened)."""
    data = reveal_event(json.loads(text), vault)
    return Event.from_parameters(data) if "event" in data else None


class PrivateSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, cache_size: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        engine: Engine = self.engine  # type: ignore[has-type]  # Rasa leaves it untyped
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            # SQLAlchemy 1.4 gives SQLite files a NullPool: a connection opened and closed per message,
            # and closing the last one checkpoints the write-ahead log (a disk sync) every time. Keep them.
            engine.dispose()
            self.engine = create_engine(
                engine.url, poolclass=QueuePool, pool_size=2, max_overflow=8, connect_args={"check_same_thread": False}
            )
            self.sessionmaker = sessionmaker(bind=self.engine)
        get_vault()  # a missing or malformed TRACKER_ENCRYPTION_KEY stops Rasa at startup, not at a citizen's turn
        size = cache_size if cache_size is not None else os.environ.get("TRACKER_CACHE_SIZE", DEFAULT_CACHE_SIZE)
        self.cache_size = max(0, int(size))
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self._lock = threading.Lock()

    # --- the cache ---------------------------------------------------------------------------

    def _cached(self, sender_id: str) -> _Session | None:
        with self._lock:
            return self._sessions.get(sender_id)

    def _remember(self, sender_id: str, session: _Session | None) -> None:
        with self._lock:
            if session is None or not self.cache_size:
                self._sessions.pop(sender_id, None)
                return
            self._sessions[sender_id] = session
            self._sessions.move_to_end(sender_id)
            while len(self._sessions) > self.cache_size:
                self._sessions.popitem(last=False)

    def _newest_id(self, db_session, sender_id: str) -> int | None:
        return db_session.query(func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id).scalar()

    def _tracker(self, sender_id: str, events) -> DialogueStateTracker | None:
        if self.domain and events:
            return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)
        return None

    # --- Rasa's interface --------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session: from memory when the database has nothing newer, else loaded."""
        cached = self._cached(sender_id)
        if cached is not None:
            with self.session_scope() as db_session:
                newest = self._newest_id(db_session, sender_id)
            if newest == cached.last_id:
                return self._tracker(sender_id, cached.events)
        return await self._retrieve(sender_id, fetch_events_from_all_sessions=False)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        vault = get_vault()
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            dicts = [reveal_event(json.loads(row.data), vault) for row in rows]
        events = [e for e in (Event.from_parameters(d) for d in dicts if "event" in d) if e]  # as from_dict
        if not fetch_events_from_all_sessions:
            self._remember(sender_id, _Session(tuple(events), rows[-1].id) if rows else None)
        return self._tracker(sender_id, events)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """As SQLTrackerStore.save (Rasa 3.6.21), with each event's data protected before it is written.

        A tracker built from the cached session gets only its events after those inserted; any other
        tracker (the HTTP API's replace, a miss) goes by Rasa's count of the stored session."""
        await self.stream_events(tracker)
        vault = get_vault()
        cached = self._cached(tracker.sender_id)
        known = len(cached.events) if cached else 0
        events = list(tracker.events)
        from_cache = bool(cached and 0 < known <= len(events) and events[known - 1] is cached.events[-1])
        with self.session_scope() as session:
            new = events[known:] if from_cache else list(self._additional_events(session, tracker))
            rows, stored = [], []
            for event in new:
                data = event.as_dict()
                text = json.dumps(protect_event(data, vault))
                rows.append(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=text,
                    )
                )
                if from_cache and (reloaded := _reloaded(text, vault)) is not None:
                    stored.append(reloaded)
            session.add_all(rows)
            session.flush()  # the ids, before the commit expires the rows
            last_id = rows[-1].id if rows else (cached.last_id if cached else None)
            session.commit()
        if not from_cache or last_id is None or any(isinstance(e, SessionStarted) for e in new):
            # A new session (loaded alone next time) or a tracker of unknown origin: read it back next time.
            self._remember(tracker.sender_id, None)
        else:
            assert cached is not None
            self._remember(tracker.sender_id, _Session(cached.events + tuple(stored), last_id))
