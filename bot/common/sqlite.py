"""The SQLite settings every database of ours uses (WAL: readers never block the one writer)."""

from __future__ import annotations

from typing import Any


def set_pragmas(
    dbapi_connection: Any, busy_timeout_ms: int | None = None, foreign_keys: bool = False, synchronous: str = "NORMAL"
) -> None:
    """Call from SQLAlchemy's "connect" event. synchronous=NORMAL in WAL mode may lose the last transactions
    to a power loss (never to a process crash) and is never corrupt; FULL where that loss is not acceptable."""
    assert synchronous in {"NORMAL", "FULL"}
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    if busy_timeout_ms is not None:
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    if foreign_keys:
        cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
