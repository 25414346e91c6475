"""Retention of old conversations (issue 14, defect 7): the periodic job of the real backend deletes
tracker events older than CONVERSATION_RETENTION_DAYS and keeps the rest."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from bot.console.config import ConsoleSettings
from bot.console.services.retention import DAY, ConversationRetention
from tests.support.backend_process import BackendProcess

TABLE = (
    "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,"
    " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
)


PHONE = "13912345678"


def tracker_db(path: Path, ages_in_days: dict[str, float], text: str = "你好") -> Path:
    now = time.time()
    with sqlite3.connect(path) as connection:
        connection.execute(TABLE)
        for sender, age in ages_in_days.items():
            data = json.dumps({"event": "user", "text": text, "timestamp": now - age * DAY}, ensure_ascii=False)
            connection.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
                (sender, now - age * DAY, data),
            )
    return path


def senders(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {s for (s,) in connection.execute("SELECT sender_id FROM events")}


def test_the_documented_default_is_180_days(monkeypatch) -> None:
    monkeypatch.delenv("CONVERSATION_RETENTION_DAYS", raising=False)
    assert ConsoleSettings.from_env().retention_days == 180


def stored_text(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return " ".join(data for (data,) in connection.execute("SELECT data FROM events"))


def test_old_conversations_are_deleted_and_old_rows_protected_by_the_backend(tmp_path: Path) -> None:
    """Rows from before the protected store (plain phones) are masked too, once per backend start."""
    db = tracker_db(tmp_path / "tracker.db", {"last-year": 400, "last-month": 31, "today": 0}, f"电话{PHONE}")
    backend = BackendProcess(
        tmp_path / "var",
        env={
            "TRACKER_DB_URL": f"sqlite:///{db}",
            "CONVERSATION_RETENTION_DAYS": "90",
            "RETENTION_INTERVAL_SECONDS": "1",
        },
    ).start()
    try:
        deadline = time.monotonic() + 20
        while ("last-year" in senders(db) or PHONE in stored_text(db)) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        backend.stop()
    assert senders(db) == {"last-month", "today"}  # before the fix: kept for ever
    assert PHONE not in stored_text(db) and "139****5678" in stored_text(db)


def test_zero_keeps_everything(tmp_path: Path) -> None:
    db = tracker_db(tmp_path / "tracker.db", {"old": 4000})
    assert ConversationRetention(f"sqlite:///{db}", 0).purge() == 0 and senders(db) == {"old"}
    assert ConversationRetention(f"sqlite:///{tmp_path / 'missing.db'}", 30).purge() == 0
    assert not (tmp_path / "missing.db").exists()  # never creates Rasa's store itself
