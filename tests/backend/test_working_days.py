"""Due dates in working days (unit): weekends, listed holidays and 调休 working weekends."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.settings import ROOT
from bot.knowledge.calendar import parse_calendar
from bot.tickets.due_dates import add_working_days, due_date_for, is_overdue, is_working_day
from bot.tickets.rules import parse_rules, read_rules

RULES = read_rules(ROOT / "knowledge" / "ticket_rules.yml")


@pytest.mark.parametrize(
    "start, days, expected",
    [
        (date(2026, 11, 25), 0, date(2026, 11, 25)),  # Wednesday, same day
        (date(2026, 11, 25), 3, date(2026, 11, 30)),  # Thu, Fri, (weekend), Mon
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 -> Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Saturday + 1 -> Monday
        (date(2026, 11, 25), 13, date(2026, 12, 14)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # 国庆节 1-7 Oct skipped
        (date(2026, 10, 9), 1, date(2026, 10, 10)),  # Saturday 10 Oct is a 调休 working day
        (date(2026, 2, 12), 3, date(2026, 2, 24)),  # Fri 13, Sat 14 (调休), then 春节 15-23, Tue 24
        (date(2026, 12, 31), 1, date(2027, 1, 1)),  # 2027 not listed yet: weekends only
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days, RULES) == expected


def test_working_day_rules():
    assert not is_working_day(date(2026, 5, 4), RULES)  # Monday in 劳动节
    assert is_working_day(date(2026, 5, 9), RULES)  # Saturday, 调休上班
    assert not is_working_day(date(2026, 11, 28), RULES)  # plain Saturday


def test_due_date_per_category():
    accepted = date(2026, 11, 25)
    assert due_date_for("咨询", accepted, RULES) == date(2026, 11, 30)
    assert due_date_for("投诉", accepted, RULES) == date(2026, 12, 14)


def test_time_limits_come_from_the_file():
    data = {"time_limits": {c: 1 for c in ["投诉", "举报", "求助", "建议", "咨询", "表扬"]}}
    calendar = parse_calendar({"public_holidays": [{"name": "测试", "from": "2026-11-26", "to": "2026-11-27"}]})
    rules = parse_rules(data, calendar)
    assert due_date_for("投诉", date(2026, 11, 25), rules) == date(2026, 11, 30)


def test_overdue_only_after_due_date_and_only_while_open():
    due = date(2026, 12, 14)
    assert not is_overdue(due, "办理中", date(2026, 12, 14), RULES)
    assert is_overdue(due, "办理中", date(2026, 12, 15), RULES)
    assert not is_overdue(due, "已反馈", date(2027, 1, 15), RULES)
    assert not is_overdue(due, "已办结", date(2027, 1, 15), RULES)
