"""Times as staff read them: stored naive UTC → China time text."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.tickets.due_dates import CHINA_TZ


def china_time(value: datetime | None, seconds: bool = False) -> str:
    if value is None:
        return ""
    local = value.replace(tzinfo=UTC).astimezone(CHINA_TZ)
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()) if text and text.strip() else None
    except ValueError:
        return None
