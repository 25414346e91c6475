"""The console survives any row of Rasa's tracker store (issue 14 defect 1).

A lone surrogate a citizen sent ("\\ud800" in JSON) used to make /console/, the inbox, the dashboard and the
monthly report answer 500 for every user, and the inbox never imported again (UnicodeEncodeError). Here the
tracker store is a hand-made SQLite file in Rasa 3.6's own schema with such rows (a lone surrogate, NUL,
bytes that are not UTF-8, data that is not JSON) among good ones; the real backend process reads it.
No assistant needed: the console only ever reads that table.
"""

from __future__ import annotations

import json
import sqlite3
import time
from types import SimpleNamespace

import pytest

from tests.console.conftest import PASSWORD, Staff, create_admin
from tests.support.backend_process import BackendProcess

pytestmark = pytest.mark.e2e  # starts a backend process

PAGES = ["/console/", "/console/inbox", "/console/dashboard", "/console/reports/monthly"]

SCHEMA = """CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255) NOT NULL,
type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def _user(text: str, intent: str = "nlu_fallback") -> dict:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.2}, "entities": [], "intent_ranking": []},
    }


def _add_turn(db: sqlite3.Connection, sender: str, data: str | bytes) -> None:
    now = time.time()
    db.execute(
        "INSERT INTO events (sender_id, type_name, timestamp, intent_name, data) VALUES (?, 'user', ?, ?, ?)",
        (sender, now, "nlu_fallback", data),
    )
    ladder = json.dumps({"event": "action", "name": "action_fallback_ladder"})
    db.execute(
        "INSERT INTO events (sender_id, type_name, timestamp, action_name, data) VALUES (?, 'action', ?, ?, ?)",
        (sender, now, "action_fallback_ladder", ladder),
    )


def write_tracker(path, bad: bool) -> None:
    db = sqlite3.connect(path)
    db.execute(SCHEMA)
    _add_turn(db, "good-1", json.dumps(_user("政务大厅门口能停车吗")))
    if bad:
        # json.dumps escapes the lone surrogate as \ud800, exactly as Rasa stores it.
        _add_turn(db, "bad-surrogate", json.dumps(_user("\ud800")))
        _add_turn(db, "bad-surrogate-2", json.dumps(_user("路灯坏了\udc80\ud83d没人修")))
        _add_turn(db, "bad-nul", json.dumps(_user("停车\x00收费吗")))
        _add_turn(db, "bad-bytes", b'{"event": "user", "text": "\xff\xfe\xc3"}')
        _add_turn(db, "bad-json", "{not json")
        _add_turn(db, "bad-shape", json.dumps(["event", "user"]))
    _add_turn(db, "good-2", json.dumps(_user("哎那个车停哪达嘛")))
    db.commit()
    db.close()


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad-rows")
    tracker = base / "tracker.db"
    write_tracker(tracker, bad=True)
    process = BackendProcess(base / "var", env={"TRACKER_DB_URL": f"sqlite:///{tracker}"}).start(timeout=60)
    result = create_admin(base / "var", process.database_url, "admin", PASSWORD)
    assert result.returncode == 0, result.stderr
    yield SimpleNamespace(url=process.url, process=process)
    process.stop()


def test_every_console_page_answers_despite_bad_tracker_rows(console):
    staff = Staff(console, "admin")
    for _ in range(2):  # the first visit imports, the second reads what was imported
        for page in PAGES:
            response = staff.get(page)
            assert response.status_code == 200, (page, response.status_code, console.process.log_tail())


def test_the_good_messages_around_the_bad_rows_are_imported(console):
    staff = Staff(console, "admin")
    inbox = staff.get("/console/inbox").text
    assert "政务大厅门口能停车吗" in inbox and "哎那个车停哪达嘛" in inbox
    assert "路灯坏了没人修" in inbox  # the same message, the broken characters removed
    assert "\ud800" not in inbox and "\x00" not in inbox
