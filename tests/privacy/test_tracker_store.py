"""Personal numbers at rest in Rasa's tracker store (issue 14, defect 7), in process: Rasa's own tracker
and events, our tracker store on a SQLite file. The end-to-end scan is in test_personal_data_e2e.py."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.tracker_privacy import sealed_numbers
from bot.core.vault import Vault, get_vault
from bot.settings import ROOT
from bot.tracker_store import PrivateSQLTrackerStore

PHONE, ID_CARD = "13912345678", "640522199001011234"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture
def store(domain: Domain, tmp_path: Path, monkeypatch) -> PrivateSQLTrackerStore:
    monkeypatch.setenv("HAIYUAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("TRACKER_ENCRYPTION_KEY", raising=False)
    return PrivateSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))


def rows(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "tracker.db") as connection:
        return [data for (data,) in connection.execute("SELECT data FROM events")]


def conversation() -> DialogueStateTracker:
    tracker = DialogueStateTracker("citizen-1", slots=None)
    text = f"我的电话{PHONE}，身份证{ID_CARD}"
    tracker.update(
        UserUttered(text, {"name": "inform", "confidence": 0.9}, parse_data={"text": text}, metadata={"a": 1})
    )
    tracker.update(ActionExecuted("validate_complaint_form"))
    tracker.update(SlotSet("contact_phone", PHONE))
    tracker.update(SlotSet("complaint_description", f"证件号{ID_CARD}被冒用"))
    tracker.update(BotUttered(f"电话：{PHONE}，请核对"))
    return tracker


def test_no_personal_number_is_stored_in_plain_text(store, tmp_path: Path) -> None:
    asyncio.run(store.save(conversation()))
    stored = "\n".join(rows(tmp_path))
    assert PHONE not in stored and ID_CARD not in stored  # before the fix: both, in several rows
    assert "139****5678" in stored and "6405**********1234" in stored  # masked where people read it


def test_slots_come_back_whole_for_the_next_turn(store, tmp_path: Path) -> None:
    asyncio.run(store.save(conversation()))
    loaded = asyncio.run(store.retrieve("citizen-1"))
    assert loaded.get_slot("contact_phone") == PHONE  # the complaint form submits it later: the ticket's copy
    assert loaded.get_slot("complaint_description") == f"证件号{ID_CARD}被冒用"
    assert PHONE not in loaded.latest_message.text
    # The numbers the citizen typed stay readable with the key only (人工接待's call-back number).
    user = next(json.loads(r) for r in rows(tmp_path) if json.loads(r)["event"] == "user")
    assert sealed_numbers(user, get_vault()) == [ID_CARD, PHONE]
    assert sealed_numbers(user, Vault(Fernet.generate_key())) == []  # another key opens nothing


def test_key_file_is_private(store, tmp_path: Path) -> None:
    asyncio.run(store.save(conversation()))
    key = tmp_path / "var" / "secrets" / "tracker_key"
    assert key.stat().st_mode & 0o077 == 0 and key.parent.stat().st_mode & 0o077 == 0
