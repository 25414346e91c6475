"""Personal numbers at rest after a real complaint (issue 14, defect 7), through the REST channel, the
action server, the backend and Rasa's tracker store: the figure "personal numbers found in plain text
outside the ticket store" must be 0, while the ticket keeps its one full copy of the phone."""

from __future__ import annotations

import re
import sqlite3
import stat
from pathlib import Path

from tests.conftest import ARTIFACTS, Chat

PHONE, ID_CARD = "13987654321", "640522198805061236"
OPENING = f"我要投诉，我的身份证号{ID_CARD}被人冒用，在营业厅办了一张手机卡，我去问没人管"


def sqlite_path(url: str) -> Path:
    return Path(url.split("sqlite:///", 1)[1])


def plain_text_hits(path: Path, skip_tables: frozenset[str] = frozenset()) -> dict[str, int]:
    """How often PHONE or ID_CARD appear in every text column of every table of a SQLite file."""
    hits: dict[str, int] = {}
    with sqlite3.connect(path) as connection:
        tables = [t for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in set(tables) - skip_tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                text = " ".join(str(v) for v in row if v is not None)
                count = text.count(PHONE) + text.count(ID_CARD)
                if count:
                    hits[f"{path.name}:{table}"] = hits.get(f"{path.name}:{table}", 0) + count
    return hits


def test_no_personal_number_in_plain_text_outside_the_ticket(assistant, chat: Chat) -> None:
    assert "在哪里" in chat.text(OPENING)
    chat.text("县城营业厅")
    chat.text("上个月")
    chat.text("不知道")
    chat.text("马先生")
    assert "同意" in chat.text(f"我的电话是{PHONE}")
    summary = chat.text("同意")
    assert PHONE not in summary and "139****4321" in summary
    reply = chat.text("确认提交")
    number = re.search(r"HY\d{12}", reply).group(0)

    settings = assistant.settings
    tickets_db = sqlite_path(settings.database_url)
    with sqlite3.connect(tickets_db) as connection:  # the ticket keeps the one full copy
        phone, description = connection.execute(
            "SELECT phone, description FROM tickets WHERE number = ?", (number,)
        ).fetchone()
    assert phone == PHONE and ID_CARD in description

    hits = {
        **plain_text_hits(sqlite_path(settings.tracker_db_url)),
        **plain_text_hits(tickets_db, skip_tables=frozenset({"tickets"})),
        **plain_text_hits(sqlite_path(settings.outbox_db_url)),
    }
    for log in (ARTIFACTS / "logs").glob("*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        if text.count(PHONE) + text.count(ID_CARD):
            hits[log.name] = text.count(PHONE) + text.count(ID_CARD)
    print(f"personal numbers in plain text outside the ticket store: {sum(hits.values())} {hits}")
    assert hits == {}

    # The files under var/ are the service user's alone.
    assert stat.S_IMODE(settings.var_dir.stat().st_mode) == 0o700
    for path in [tickets_db, sqlite_path(settings.tracker_db_url), settings.var_dir / "secrets" / "api_token"]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
