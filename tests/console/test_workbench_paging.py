"""The workbench lists and counts in the database: past 5,000 tickets nothing is cut off (in process)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.console.services.auth import CurrentUser
from bot.console.services.workbench import PAGE_SIZE, Filters, Workbench
from bot.core.database import Database
from bot.core.settings import ROOT
from bot.tickets import migrate
from bot.tickets.choices import Status
from bot.tickets.due_dates import china_today, is_overdue
from bot.tickets.models import Ticket
from bot.tickets.rules import RulesFile
from bot.tickets.service import TicketService

COUNT = 5_300
STATUSES = [Status.ACCEPTED.value, Status.DISPATCHED.value, Status.CLOSED.value]


def user(role: str, department: str | None = None) -> CurrentUser:
    return CurrentUser(1, "u", "u", role, department, "csrf", "hash")


@pytest.fixture(scope="module")
def workbench(tmp_path_factory: pytest.TempPathFactory):
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('wb') / 'tickets.db'}")
    migrate.upgrade(db.url, engine=db.engine)
    today, now = china_today(), datetime(2026, 1, 5, 8, 0)
    with db.session() as session:
        session.bulk_insert_mappings(
            Ticket,
            [
                {
                    "number": f"HY20260105{i:05d}",
                    "category": "投诉",
                    "summary": f"第{i}件",
                    "description": "路灯不亮",
                    "department": "海原县综合执法局" if i % 3 else "海原县水务局",
                    "channel": "web",
                    "status": STATUSES[i % 3],
                    "urgency": "普通",
                    "supervised": i % 97 == 0,
                    "created_at": now + timedelta(minutes=i),
                    "updated_at": now,
                    "due_date": today + timedelta(days=(i % 40) - 20),
                }
                for i in range(COUNT)
            ],
        )
        session.commit()
    yield Workbench(db, TicketService(db, RulesFile(ROOT / "knowledge" / "ticket_rules.yml")))
    db.dispose()


def expected(workbench: Workbench, department: str | None = None) -> list[Ticket]:
    with workbench.db.session() as session:
        rows = session.query(Ticket).order_by(Ticket.id.desc()).all()
    return [t for t in rows if department is None or t.department == department]


def test_the_list_counts_and_pages_every_ticket(workbench: Workbench) -> None:
    admin = user("admin")
    total, first = workbench.list(admin, Filters())
    assert total == COUNT and len(first) == PAGE_SIZE
    last_page = -(-COUNT // PAGE_SIZE)
    total, last = workbench.list(admin, Filters(page=last_page))
    assert [t.number for t, _ in last] == [t.number for t in expected(workbench)[(last_page - 1) * PAGE_SIZE :]]


def test_overdue_filter_and_summary_agree_with_the_rule_in_python(workbench: Workbench) -> None:
    rules, today = workbench.tickets.rules, china_today()
    for department in (None, "海原县水务局"):
        rows = expected(workbench, department)
        late = [t for t in rows if t.supervised or is_overdue(t.due_date, t.status, today, rules)]
        staff = user("admin") if department is None else user("department", department)
        total, page = workbench.list(staff, Filters(overdue=True))
        assert total == len(late) > PAGE_SIZE
        assert [t.number for t, _ in page] == [t.number for t in late[:PAGE_SIZE]]
        open_rows = [t for t in rows if t.status != Status.CLOSED.value]
        open_late = [t for t in open_rows if t.supervised or is_overdue(t.due_date, t.status, today, rules)]
        assert workbench.summary(staff) == {"open": len(open_rows), "overdue": len(open_late)}


def test_a_date_range_ends_at_the_end_of_its_last_day(workbench: Workbench) -> None:
    # created_at 08:00 UTC + i minutes; 2026-01-05 in China ends at 16:00 UTC: i < 480 that day.
    total, _ = workbench.list(user("admin"), Filters(date_from=date(2026, 1, 5), date_to=date(2026, 1, 5)))
    assert total == 480
