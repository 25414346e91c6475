"""Readable ticket numbers: HY + YYYYMMDD + 4-digit daily sequence, e.g. HY202611250001.

The counter row is upserted inside the creating transaction, so concurrent creations queue on the
row (PostgreSQL) or on the write lock (SQLite) and never share a number; `tickets.number` is unique too.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.tickets.models import DailySequence

PREFIX = "HY"


def plausible_number(number: str) -> bool:
    """Numbers are short ASCII letters and digits; anything else cannot exist (answered without a lookup)."""
    return bool(re.fullmatch(r"[A-Z0-9]{1,40}", number))


def format_number(day: date, sequence: int) -> str:
    return f"{PREFIX}{day:%Y%m%d}{sequence:04d}"


def next_number(session: Session, day: date) -> str:
    key = f"{day:%Y%m%d}"
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
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
