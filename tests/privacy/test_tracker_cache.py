"""The tracker store's in-memory sessions (issue 19): a message no longer re-reads its whole session, and
what Rasa gets is exactly what a load from the database gives (texts masked, sealed slots opened), also
after another writer, a failed turn, a new session or a replaced tracker. In process, Rasa's own events."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event

from bot.core.vault import get_vault
from bot.settings import ROOT
from bot.tracker_store import PrivateSQLTrackerStore

PHONE = "13912345678"
SEALED = re.compile(r"sealed:v1:[A-Za-z0-9_=-]+")


def opened(text: str) -> str:
    """Sealed values opened (each sealing draws a fresh nonce: the same value seals differently)."""
    return SEALED.sub(lambda m: "<" + json.dumps(get_vault().unseal(m.group(0)))[1:-1] + ">", text)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture
def make_store(domain: Domain, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HAIYUAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("TRACKER_ENCRYPTION_KEY", raising=False)

    def make(name: str = "tracker.db", cache_size: int | None = None) -> PrivateSQLTrackerStore:
        return PrivateSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / name), cache_size=cache_size)

    return make


def rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        query = "SELECT sender_id, type_name, intent_name, action_name, data FROM events ORDER BY id"
        return [(*row[:4], opened(row[4])) for row in connection.execute(query)]


def turn_events(n: int) -> list:
    """One turn's events, with fixed timestamps (two stores given the same turns store the same rows)."""
    at = 1_800_000_000.0 + 10 * n
    text = f"第{n}条，电话{PHONE}" if n % 3 == 0 else f"身份证丢了怎么办 {n}"
    events = [
        UserUttered(text, {"name": "inform", "confidence": 0.9}, parse_data={"text": text}, timestamp=at),
        ActionExecuted("validate_complaint_form", timestamp=at + 1),
        SlotSet("complaint_description", f"第{n}件事", timestamp=at + 2),
        BotUttered(f"好的，电话 {PHONE} 已记下" if n % 3 == 0 else "您好", timestamp=at + 3),
        ActionExecuted("action_listen", timestamp=at + 4),
    ]
    if n % 3 == 0:
        events.insert(2, SlotSet("contact_phone", PHONE, timestamp=at + 1.5))
    return events


async def turn(store: PrivateSQLTrackerStore, sender: str, n: int, save: bool = True) -> DialogueStateTracker:
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker(sender, store.domain.slots)
        tracker.update(ActionExecuted("action_session_start", timestamp=1_800_000_000.0))
        tracker.update(SessionStarted(timestamp=1_800_000_000.0))
        tracker.update(ActionExecuted("action_listen", timestamp=1_800_000_000.0))
    for e in turn_events(n):
        tracker.update(e)
    if save:
        await store.save(tracker)
    return tracker


def state(tracker: DialogueStateTracker) -> dict:
    return {
        "events": json.loads(opened(json.dumps([e.as_dict() for e in tracker.events], ensure_ascii=False))),
        "slots": tracker.current_slot_values(),
        "latest": tracker.latest_message.text if tracker.latest_message else None,
        "bot": tracker.latest_bot_utterance.text if tracker.latest_bot_utterance else None,
    }


def test_cached_sessions_give_the_same_trackers_and_rows_as_loading(make_store, tmp_path: Path) -> None:
    cached, uncached = make_store("cached.db"), make_store("plain.db", cache_size=0)

    async def play() -> None:
        for n in range(1, 13):
            for store in (cached, uncached):
                await turn(store, "citizen", n)
            a, b = await cached.retrieve("citizen"), await uncached.retrieve("citizen")
            assert state(a) == state(b), n
        assert a.get_slot("contact_phone") == PHONE  # sealed in the row, whole for the next turn
        assert PHONE not in a.latest_message.text and PHONE not in a.latest_bot_utterance.text  # as loaded: masked

    asyncio.run(play())
    assert rows(tmp_path / "cached.db") == rows(tmp_path / "plain.db")
    assert "citizen" in cached._sessions and not uncached._sessions


def test_a_message_reads_one_id_not_the_session(make_store) -> None:
    store = make_store()
    statements: list[str] = []
    asyncio.run(turn(store, "citizen", 1))
    asyncio.run(turn(store, "citizen", 2))  # the first retrieve of a known conversation loads it
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(" ".join(args[2].split())))
    asyncio.run(turn(store, "citizen", 3))
    selects = [s for s in statements if s.startswith("SELECT")]
    # Before: the session's events selected on retrieve and counted again on save, every message.
    assert len(selects) == 1 and selects[0].startswith("SELECT max(events.id)"), selects
    assert sum(s.startswith("INSERT INTO events") for s in statements) == 6


def test_another_writer_is_seen(make_store) -> None:
    """Another Rasa instance (or the HTTP API) on the same database wrote to the conversation."""
    first, second = make_store(), make_store()

    async def play() -> None:
        for n in range(1, 4):
            await turn(first, "citizen", n)
        await turn(first, "citizen", 4)
        await turn(second, "citizen", 5)  # the first store's cache is now stale
        tracker = await first.retrieve("citizen")
        assert tracker.latest_message.text == "身份证丢了怎么办 5"
        await turn(first, "citizen", 6)
        assert state(await first.retrieve("citizen")) == state(await make_store(cache_size=0).retrieve("citizen"))

    asyncio.run(play())


def test_a_turn_that_was_not_saved_leaves_nothing_behind(make_store) -> None:
    store = make_store()

    async def play() -> None:
        for n in range(1, 4):
            await turn(store, "citizen", n)
        before = state(await store.retrieve("citizen"))
        await turn(store, "citizen", 4, save=False)  # the turn failed after changing the tracker
        assert state(await store.retrieve("citizen")) == before
        await turn(store, "citizen", 5)
        assert state(await store.retrieve("citizen")) == state(await make_store(cache_size=0).retrieve("citizen"))

    asyncio.run(play())


def test_a_new_session_is_loaded_alone(make_store) -> None:
    store = make_store()

    async def play() -> None:
        for n in range(1, 4):
            await turn(store, "citizen", n)
        tracker = await store.retrieve("citizen")
        at = 1_800_000_035.0
        tracker.update(ActionExecuted("action_session_start", timestamp=at))
        tracker.update(SessionStarted(timestamp=at))
        tracker.update(ActionExecuted("action_listen", timestamp=at))
        await store.save(tracker)
        await turn(store, "citizen", 4)
        loaded = await store.retrieve("citizen")
        assert [e.as_dict() for e in loaded.events][0]["name"] == "action_session_start"
        assert len(loaded.events) < 15  # the new session only, as Rasa's store returns it
        assert state(loaded) == state(await make_store(cache_size=0).retrieve("citizen"))

    asyncio.run(play())


def test_a_replaced_tracker_is_saved_by_rasas_count(make_store, tmp_path: Path) -> None:
    """PUT /conversations/{id}/tracker/events saves a tracker built from the request, not from the cache."""
    store = make_store()

    async def play() -> None:
        for n in range(1, 3):
            await turn(store, "citizen", n)
        count = len(rows(tmp_path / "tracker.db"))
        replaced = DialogueStateTracker.from_dict(
            "citizen", [e.as_dict() for e in (await store.retrieve("citizen")).events]
        )
        replaced.update(UserUttered("新的一句", {"name": "greet", "confidence": 1.0}, timestamp=1_800_000_100.0))
        await store.save(replaced)
        assert len(rows(tmp_path / "tracker.db")) == count + 1
        assert (await store.retrieve("citizen")).latest_message.text == "新的一句"

    asyncio.run(play())


def test_the_cache_is_bounded(make_store) -> None:
    store = make_store(cache_size=2)

    async def play() -> None:
        for sender in ("a", "b", "c"):
            await turn(store, sender, 1)
            await turn(store, sender, 2)
        assert list(store._sessions) == ["b", "c"]

    asyncio.run(play())
