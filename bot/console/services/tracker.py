"""Reading Rasa's SQL tracker store (read-only) and deciding which citizen messages went unresolved.

Rasa 3.6's SQLTrackerStore keeps one table, `events(id, sender_id, type_name, timestamp, intent_name,
action_name, data)`, `data` being the event as JSON. Rasa saves all events of one message (the user
event, the actions, the bot replies, slots) together after handling it, so a turn is complete once seen.
On SQLite the file is opened read-only (mode=ro); on PostgreSQL we only ever SELECT.

Rows may hold text no store can write back (a lone surrogate or NUL a citizen sent before the channels
cleaned messages): every event is cleaned as it is read (bot/common/text_hygiene.py), and bytes that are not
UTF-8 are read with replacement characters, so one bad row never stops the console.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import column, create_engine, func, select, table
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.common.text_hygiene import clean_text, clean_value

log = logging.getLogger(__name__)

EVENTS = table(
    "events",
    column("id"),
    column("sender_id"),
    column("type_name"),
    column("timestamp"),
    column("intent_name"),
    column("action_name"),
    column("data"),
)

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTION = "action_fallback_ladder"
# actions/fallback.py marks every ladder reply with this custom payload, whichever action sent it;
# actions/services.py marks a service answer with {"type": "service_answer", "service": id}.
FALLBACK_MARKER = "fallback"
SERVICE_MARKER = "service_answer"
UNHELPFUL_INTENT = "answer_unhelpful"
SERVICE_ACTION = "action_answer_service"
DEFAULT_THRESHOLD = 0.3  # Rasa's own default for FallbackClassifier
IGNORED_ACTIONS = frozenset({"action_listen", "action_session_start"})
FORM_SUFFIX = "_form"  # Rasa runs the form itself (complaint_form) on every answer to one of its questions

REASONS = {
    "nlu_fallback": "没听懂（nlu_fallback）",
    "low_confidence": "意图把握不足",
    "unresolved_service": "没找到对应事项",
    "fallback_action": "走了兜底回复",
    "unhelpful": "市民说答案没用",
}


def fallback_threshold(config_path: Path) -> float:
    """The FallbackClassifier threshold in config.yml (Rasa's default 0.3 when it is not set)."""
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return DEFAULT_THRESHOLD
    for component in config.get("pipeline") or []:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", DEFAULT_THRESHOLD))
    return DEFAULT_THRESHOLD


def to_utc(timestamp: float | None) -> datetime:
    moment = datetime.fromtimestamp(timestamp or 0, tz=UTC)
    return moment.replace(tzinfo=None)


@dataclass
class Event:
    id: int
    sender_id: str
    type_name: str
    timestamp: float
    data: dict

    @classmethod
    def from_row(cls, row) -> Event:
        try:
            data = clean_value(json.loads(row.data)) if row.data else {}
        except (TypeError, ValueError, RecursionError):
            log.warning("对话记录第 %s 行无法解析，已跳过其内容", row.id)
            data = {}
        return cls(
            id=row.id,
            sender_id=clean_text(str(row.sender_id or "")),
            type_name=str(row.type_name or ""),
            timestamp=row.timestamp or 0,
            data=data if isinstance(data, dict) else {},
        )


@dataclass
class Turn:
    """One citizen message and what the assistant did about it."""

    user: Event
    actions: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    markers: list[dict] = field(default_factory=list)  # custom payloads of the bot's replies
    to_a_person: bool = False  # sent while the conversation was paused for 转人工: a person answered it

    @property
    def missed(self) -> bool:
        """The fallback ladder answered (by its action, or by its marker in any reply)."""
        return FALLBACK_ACTION in self.actions or any(m.get("type") == FALLBACK_MARKER for m in self.markers)

    @property
    def text(self) -> str:
        return str(self.user.data.get("text") or "")

    @property
    def parse(self) -> dict:
        parse = self.user.data.get("parse_data")
        return parse if isinstance(parse, dict) else {}

    @property
    def intent(self) -> str | None:
        return (self.parse.get("intent") or {}).get("name")

    @property
    def confidence(self) -> float | None:
        value = (self.parse.get("intent") or {}).get("confidence")
        return float(value) if isinstance(value, (int, float)) else None

    @property
    def top_real_intent(self) -> tuple[str | None, float | None]:
        """The best intent other than nlu_fallback (what the model would have guessed)."""
        for entry in self.parse.get("intent_ranking") or []:
            if isinstance(entry, dict) and entry.get("name") not in (None, FALLBACK_INTENT):
                return entry["name"], float(entry.get("confidence") or 0)
        return (self.intent, self.confidence) if self.intent != FALLBACK_INTENT else (None, None)

    @property
    def is_payload(self) -> bool:
        return self.text.startswith("/")

    @property
    def service(self) -> str | None:
        """The service answered (its marker) before the words NLU marked: an entity may be a fragment
        ("居民") that no service is called."""
        for marker in self.markers:
            if marker.get("type") == SERVICE_MARKER and isinstance(marker.get("service"), str):
                return marker["service"]
        for entity in self.parse.get("entities") or []:
            if isinstance(entity, dict) and entity.get("entity") == "service" and isinstance(entity.get("value"), str):
                return entity["value"]
        value = self.slots.get("service")
        return value if isinstance(value, str) and value else None


def answered_a_form(actions: Iterable[str]) -> bool:
    """A form (complaint_form, bundle_form, …) took the message and no fallback ran: an answer to its
    question ("不知道", "昨天", "两个月前开始"), whatever NLU made of the words on their own."""
    names = [a for a in actions if a]
    return FALLBACK_ACTION not in names and any(a.endswith(FORM_SUFFIX) for a in names)


def unresolved_reason(turn: Turn, threshold: float) -> str | None:
    """Why this message counts as unresolved (a key of REASONS), or None. `unhelpful` is decided later."""
    if turn.is_payload or not turn.text.strip() or turn.intent == UNHELPFUL_INTENT or turn.to_a_person:
        return None
    if answered_a_form(turn.actions) and not turn.missed:
        return None
    if turn.intent == FALLBACK_INTENT:
        return "nlu_fallback"
    if turn.confidence is not None and turn.confidence < threshold:
        return "low_confidence"
    if turn.missed:
        # action_answer_service answers with the ladder when no service could be resolved.
        service_question = SERVICE_ACTION in turn.actions or (turn.intent or "").startswith("ask_")
        return "unresolved_service" if service_question else "fallback_action"
    return None


def build_turns(events: Iterable[Event]) -> dict[int, Turn]:
    """user event id → its turn, from one sender's events in id order."""
    turns: dict[int, Turn] = {}
    current: Turn | None = None
    paused = False  # Rasa's pause/resume around a live handoff (bot/handoff/rasa.py)
    for event in events:
        if event.type_name == "pause":
            paused = True
        elif event.type_name in {"resume", "restart"}:
            paused = False
        elif event.type_name == "user":
            current = turns[event.id] = Turn(event, to_a_person=paused)
        elif current is not None and event.type_name == "action":
            name = event.data.get("name")
            if name and name not in IGNORED_ACTIONS:
                current.actions.append(name)
        elif current is not None and event.type_name == "slot":
            slot: Any = event.data.get("name")  # Rasa's slot events always name the slot
            current.slots[slot] = event.data.get("value")
        elif current is not None and event.type_name == "bot":
            custom = (event.data.get("data") or {}).get("custom")
            if isinstance(custom, dict):
                current.markers.append(custom)
    return turns


def _lenient_sqlite_text(dbapi_connection, _record) -> None:
    """Text that is not valid UTF-8 is read with replacement characters instead of failing the query."""
    dbapi_connection.text_factory = lambda raw: raw.decode("utf-8", "replace")


class TrackerReader:
    def __init__(self, url: str):
        self.url = url
        self._engine: Engine | None = None

    def engine(self) -> Engine | None:
        """None while the tracker database does not exist yet (Rasa has not started)."""
        if self._engine is not None:
            return self._engine
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite":
            path = Path(parsed.database or "")
            if not parsed.database or not path.exists():
                return None
            self._engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true", future=True)
            sa_event.listen(self._engine, "connect", _lenient_sqlite_text)
        else:
            self._engine = create_engine(self.url, pool_pre_ping=True, future=True)
        return self._engine

    def _query(self, query) -> list:
        engine = self.engine()
        if engine is None:
            return []
        try:
            with engine.connect() as connection:
                return list(connection.execute(query))
        except (OperationalError, ProgrammingError) as error:  # no events table yet
            log.warning("读取对话记录失败：%s", error.__class__.__name__)
            return []

    def user_events_after(self, after_id: int, limit: int) -> list[Event]:
        query = (
            select(EVENTS)
            .where(EVENTS.c.id > after_id, EVENTS.c.type_name == "user")
            .order_by(EVENTS.c.id)
            .limit(limit)
        )
        return [Event.from_row(r) for r in self._query(query)]

    def events_of(self, senders: Iterable[str], from_id: int) -> list[Event]:
        senders = sorted(set(senders))
        if not senders:
            return []
        query = select(EVENTS).where(EVENTS.c.sender_id.in_(senders), EVENTS.c.id >= from_id).order_by(EVENTS.c.id)
        # Each sender's last pause/resume before the window, so build_turns knows if a person was talking.
        switches = (
            select(func.max(EVENTS.c.id))
            .where(
                EVENTS.c.sender_id.in_(senders),
                EVENTS.c.id < from_id,
                EVENTS.c.type_name.in_(("pause", "resume", "restart")),
            )
            .group_by(EVENTS.c.sender_id)
        )
        earlier = select(EVENTS).where(EVENTS.c.id.in_(switches))
        return sorted((Event.from_row(r) for r in self._query(earlier) + self._query(query)), key=lambda e: e.id)

    def conversation(self, sender_id: str, limit: int = 2000) -> list[Event]:
        query = select(EVENTS).where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id).limit(limit)
        return [Event.from_row(r) for r in self._query(query)]

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
