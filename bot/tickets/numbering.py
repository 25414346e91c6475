"""Readable ticket numbers: HY + YYYYMMDD + 4-digit daily sequence, e.g. HY202611250001.

The counter row is upserted inside the creating transaction, so concurrent creations queue on the
row (PostgreSQL) or on the write lock (SQLite) and never share a number; `tickets.number` is unique too.
One statement: the upsert returns the new value (RETURNING: SQLite 3.35+, PostgreSQL); SQLAlchemy 1.4's
SQLite dialect cannot compile RETURNING, hence the SQL text.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from bot.tickets.models import DailySequence

PREFIX = "HY"

_UPSERT_RETURNING = text(
    'INSERT INTO ticket_daily_sequences (day, "last") VALUES (:day, 1) '
    'ON CONFLICT (day) DO UPDATE SET "last" = ticket_daily_sequences."last" + 1 RETURNING "last"'
)


def _has_returning(dialect: str) -> bool:
    return dialect == "postgresql" or (dialect == "sqlite" and sqlite3.sqlite_version_info >= (3, 35))


def plausible_number(number: str) -> bool:
    """Numbers are short ASCII letters and digits; anything else cannot exist (answered without a lookup)."""
    return bool(re.fullmatch(r"[A-Z0-9]{1,40}", number))


def format_number(day: date, sequence: int) -> str:
    return f"{PREFIX}{day:%Y%m%d}{sequence:04d}"


def next_number(session: Session, day: date) -> str:
    key = f"{day:%Y%m%d}"
    dialect = session.get_bind().dialect.name
    if _has_returning(dialect):
        return format_number(day, session.execute(_UPSERT_RETURNING, {"day": key}).scalar_one())
    if dialect == "sqlite":  # SQLite before 3.35: upsert, then read the value back
        from sqlalchemy.dialects.sqlite import insert

        statement = insert(DailySequence).values(day=key, last=1)
        session.execute(
            statement.on_conflict_do_update(index_elements=[DailySequence.day], set_={"last": DailySequence.last + 1})
        )
    else:  # other databases: update, else insert (the primary key refuses a duplicate)
        updated = session.execute(
            update(DailySequence).where(DailySequence.day == key).values(last=DailySequence.last + 1)
        )
        if updated.rowcount == 0:
            session.add(DailySequence(day=key, last=1))
            session.flush()
    sequence = session.execute(select(DailySequence.last).where(DailySequence.day == key)).scalar_one()
    return format_number(day, sequence)
