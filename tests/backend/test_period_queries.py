"""The dashboard's ticket statistics read three result sets and no events of the period's tickets (issue 19)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from bot.console.services.analytics import Analytics, Period
from bot.tickets.due_dates import china_today
from bot.tickets.service import NewTicket


def test_ticket_statistics_do_not_load_events(service):
    for key in ("a", "b", "c"):
        service.create(
            NewTicket(
                "投诉", "路灯坏了", "小区门口路灯坏了", "13812345678", True, "网页对话", department="海原县水务局"
            ),
            key,
        )
    today = china_today()
    seen: list[str] = []
    listener = lambda _c, _cur, statement, *_rest: seen.append(statement)  # noqa: E731
    event.listen(service.db.engine, "before_cursor_execute", listener)
    try:
        stats = Analytics(service.db, service, {}).tickets_stats(Period(today - timedelta(days=29), today))
    finally:
        event.remove(service.db.engine, "before_cursor_execute", listener)
    assert stats["tickets"] == 3 and dict(stats["by_department"]) == {"海原县水务局": 3}
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 3, selects
    assert not [s for s in selects if "FROM ticket_events WHERE ticket_events.ticket_id IN" in " ".join(s.split())]
