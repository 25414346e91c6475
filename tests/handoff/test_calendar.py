"""knowledge/calendar.yml (unit): the one home of holidays and 调休 days, and the online service hours."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from bot.core.settings import ROOT
from bot.knowledge.calendar import (
    CHINA_TZ,
    CalendarError,
    CalendarFile,
    check_calendar,
    describe,
    parse_calendar,
    read_calendar,
)
from bot.tickets.due_dates import add_working_days
from bot.tickets.rules import RulesError, RulesFile, parse_rules, read_rules

SHIPPED = read_calendar(ROOT / "knowledge" / "calendar.yml")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


def test_the_shipped_calendar_has_the_2026_state_council_dates() -> None:
    assert check_calendar(ROOT / "knowledge", today=date(2026, 10, 1)) == []  # coverage: test_calendar_coverage
    assert 2026 in SHIPPED.covered_years and len(SHIPPED.holidays) == 33  # 开斋节/古尔邦节: dates 待核实, not counted
    assert SHIPPED.holiday_names[date(2026, 2, 15)] == "春节" and date(2026, 2, 23) in SHIPPED.holidays
    assert SHIPPED.makeup_working_days == {
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    }
    # The county's hours are not confirmed: said so in the file, with why.
    assert SHIPPED.hours_verified is False and "待核实" in SHIPPED.hours_note


def test_ticket_rules_read_the_holidays_from_the_calendar_only() -> None:
    data = yaml.safe_load((ROOT / "knowledge" / "ticket_rules.yml").read_text(encoding="utf-8"))
    assert "public_holidays" not in data and "makeup_working_days" not in data  # one home
    rules = read_rules(ROOT / "knowledge" / "ticket_rules.yml")
    assert rules.holidays == SHIPPED.holidays and rules.makeup_working_days == SHIPPED.makeup_working_days
    with pytest.raises(RulesError, match="calendar.yml"):
        parse_rules({**data, "makeup_working_days": ["2026-01-04"]})


@pytest.mark.parametrize(
    "moment, open_now, next_open",
    [
        ("2026-12-01 10:00", True, "2026-12-01 10:00"),  # Tuesday morning
        ("2026-12-01 12:30", False, "2026-12-01 14:30"),  # lunch break
        ("2026-12-01 17:30", False, "2026-12-02 09:00"),  # closing time itself is closed
        ("2026-12-04 18:00", False, "2026-12-07 09:00"),  # Friday evening → Monday
        ("2026-09-30 18:00", False, "2026-10-08 09:00"),  # 国庆节 1–7 Oct, then Thursday
        ("2026-10-10 09:30", True, "2026-10-10 09:30"),  # Saturday, 调休上班
        ("2026-10-11 09:30", False, "2026-10-12 09:00"),  # a plain Sunday
    ],
)
def test_office_hours(moment: str, open_now: bool, next_open: str) -> None:
    assert SHIPPED.is_open(at(moment)) is open_now
    assert SHIPPED.next_open(at(moment)) == at(next_open)


def test_naive_times_are_utc_and_the_wording_is_for_citizens() -> None:
    assert SHIPPED.is_open(datetime(2026, 12, 1, 2, 0))  # 02:00 UTC = 10:00 in 海原
    now = at("2026-12-01 18:00")
    assert describe(SHIPPED.next_open(now), now) == "明天（12月2日 周三）09:00"
    assert describe(at("2026-12-01 14:30"), at("2026-12-01 12:00")) == "今天 14:30"
    assert describe(at("2026-12-07 09:00"), at("2026-12-04 18:00")) == "12月7日 周一 09:00"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"online_service": {"hours": {"周一": ["9点-12点"]}}}, "09:00-12:00"),
        ({"online_service": {"hours": {"周一": ["14:00-12:00"]}}}, "结束时间应晚于开始时间"),
        ({"online_service": {"hours": {"星期八": []}}}, "未知的日子"),
        ({"online_service": {"hours": {"周一": "09:00-12:00"}}}, "时间段列表"),
        ({"public_holidays": [{"name": "x", "from": "2026-13-01"}]}, "YYYY-MM-DD"),
        ({"public_holidays": [{"name": "x", "from": "2026-05-05", "to": "2026-05-01"}]}, "结束日期早于开始日期"),
        (
            {"public_holidays": [{"name": "x", "from": "2026-05-01"}], "makeup_working_days": ["2026-05-01"]},
            "同时登记为放假日",
        ),
        ({"holidays": []}, "未知字段"),
    ],
)
def test_mistakes_are_explained(data: dict, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        parse_calendar(data)


def test_an_edit_is_picked_up_and_a_broken_one_keeps_the_last_good(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yml"
    original = (ROOT / "knowledge" / "calendar.yml").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    (tmp_path / "ticket_rules.yml").write_text(
        (ROOT / "knowledge" / "ticket_rules.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    calendar = CalendarFile(path)
    rules = RulesFile(tmp_path / "ticket_rules.yml", calendar)
    assert add_working_days(date(2026, 9, 30), 1, rules.get()) == date(2026, 10, 8)

    def rewrite(text: str) -> None:
        path.write_text(text, encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))

    rewrite(
        original.replace(
            "{name: 国庆节, from: 2026-10-01, to: 2026-10-07}", "{name: 国庆节, from: 2026-10-01, to: 2026-10-03}"
        )
    )
    assert add_working_days(date(2026, 9, 30), 1, rules.get()) == date(
        2026, 10, 5
    )  # the time limits follow the calendar
    rewrite("public_holidays: [broken")
    assert add_working_days(date(2026, 9, 30), 1, rules.get()) == date(2026, 10, 5)  # last good calendar stays
    assert calendar.error and "YAML" in calendar.error


def test_a_missing_calendar_is_weekends_only_and_never_open(tmp_path: Path) -> None:
    empty = read_calendar(tmp_path / "calendar.yml")
    assert empty.is_working_day(date(2026, 10, 1)) and not empty.is_working_day(date(2026, 10, 10))
    assert not empty.is_open(at("2026-12-01 10:00")) and empty.next_open(at("2026-12-01 10:00")) is None
