"""Rasa's SQL tracker store with personal numbers protected at rest (bot/core/tracker_privacy.py).

endpoints.yml: `tracker_store: {type: bot.tracker_store.PrivateSQLTrackerStore, …}` with the same settings
as Rasa's `SQL` store. Same tables and rows, so the console reads it as before; only the event data
differs: texts masked, slot values with a phone or ID number sealed (opened again when Rasa loads them).
"""

from __future__ import annotations

import json
import logging

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.core.tracker_privacy import protect_event, reveal_event
from bot.core.vault import get_vault

logger = logging.getLogger(__name__)


class PrivateSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        get_vault()  # a missing or malformed TRACKER_ENCRYPTION_KEY stops Rasa at startup, not at a citizen's turn

    async def save(self, tracker: DialogueStateTracker) -> None:
        """As SQLTrackerStore.save (Rasa 3.6.21), with each event's data protected before it is written."""
        await self.stream_events(tracker)
        vault = get_vault()
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(protect_event(data, vault)),
                    )
                )
            session.commit()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        vault = get_vault()
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            events = [reveal_event(json.loads(row.data), vault) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None
