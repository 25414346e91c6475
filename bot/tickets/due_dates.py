"""Working-day arithmetic: weekends and listed holidays are skipped, 调休 working weekends count."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from bot.common.clock import CHINA_TZ as CHINA_TZ  # re-exported: due dates are China dates
from bot.common.clock import china_today as china_today
from bot.tickets.rules import TicketRules

log = logging.getLogger(__name__)

_warned_years: set[int] = set()


def is_working_day(day: date, rules: TicketRules) -> bool:
    if day in rules.makeup_working_days:
        return True
    if day in rules.holidays:
        return False
    return day.weekday() < 5


def add_working_days(start: date, days: int, rules: TicketRules) -> date:
    """The `days`-th working day after `start` (start itself is not counted); 0 returns start."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, rules):
            remaining -= 1
    _warn_uncovered_years(start.year, day.year, rules)
    return day


def _warn_uncovered_years(first: int, last: int, rules: TicketRules) -> None:
    for year in range(first, last + 1):
        if rules.holidays and year not in rules.covered_years and year not in _warned_years:
            _warned_years.add(year)
            log.warning("calendar.yml 没有登记 %s 年的法定节假日，时限只按周末计算", year)


def estimate_note(due: date, rules: TicketRules) -> str | None:
    """Why a due date is only an estimate (it lies beyond the working calendar), or None."""
    end = rules.covered_until
    if end is None or due <= end:
        return None
    return (
        f"工作日历只登记到{end.year}年{end.month}月{end.day}日，之后的节假日安排还未公布或未登记，"
        "这个日期只按周末估算，遇到节假日会顺延"
    )


def due_date_for(category: str, accepted_on: date, rules: TicketRules) -> date:
    return add_working_days(accepted_on, rules.time_limits.get(category, 0), rules)


def is_overdue(due: date, status: str, today: date, rules: TicketRules) -> bool:
    if status not in rules.supervision_statuses:
        return False
    return today > add_working_days(due, rules.supervision_grace_days, rules)


def overdue_cutoff(today: date, rules: TicketRules) -> date:
    """The latest due date that is overdue today: `is_overdue` as one comparison (`due_date <= cutoff`) that a
    database can evaluate. add_working_days is non-decreasing in its start, so the overdue due dates are all the
    days up to this one."""
    day = today - timedelta(days=1)
    while add_working_days(day, rules.supervision_grace_days, rules) >= today:
        day -= timedelta(days=1)
    return day
