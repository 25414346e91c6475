"""The working calendar cannot run out silently: its end, the check, estimates beyond it, and a
cross-check of the national days against the chinese-calendar package (the YAML stays the source)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
import yaml

from bot.knowledge.calendar import (
    CALENDAR_FILE,
    calendar_warnings,
    check_calendar,
    coverage_problem,
    parse_calendar,
    read_calendar,
)
from bot.settings import ROOT
from bot.tickets.due_dates import add_working_days, estimate_note
from bot.tickets.rules import parse_rules

SHIPPED_FILE = ROOT / "knowledge" / CALENDAR_FILE
NATIONAL = {
    "year": 2026,
    "scope": "national",
    "title": "国务院办公厅关于2026年部分节假日安排的通知",
    "url": "https://x.gov.cn/a",
}


def calendar_with(*arrangements: dict, holidays: list | None = None):
    return parse_calendar({"arrangements": list(arrangements), "public_holidays": holidays or []})


def test_the_calendar_ends_with_the_last_consecutive_year_that_has_a_sourced_national_arrangement():
    pending_2027 = {"year": 2027, "scope": "national", "title": "待核实"}
    assert calendar_with(NATIONAL, pending_2027).covered_until == date(2026, 12, 31)
    assert calendar_with(NATIONAL, {**NATIONAL, "year": 2027}).covered_until == date(2027, 12, 31)
    assert calendar_with(NATIONAL, {**NATIONAL, "year": 2028}).covered_until == date(2026, 12, 31)  # gap
    assert calendar_with({**NATIONAL, "scope": "regional"}).covered_until is None  # regional alone: nothing
    assert "2027年全国放假安排" in calendar_with(NATIONAL, pending_2027).warnings()[0]


def test_a_calendar_that_ends_within_60_days_is_a_problem():
    end = calendar_with(NATIONAL).covered_until
    assert coverage_problem(end, date(2026, 10, 31)) is None  # 31 Dec is 61 days away
    problem = coverage_problem(end, date(2026, 11, 2))
    assert problem and "2026-12-31" in problem and "2027" in problem
    assert coverage_problem(calendar_with().covered_until, date(2026, 1, 1))  # no arrangement at all


def test_holidays_whose_dates_are_pending_count_nowhere_but_are_warned_about():
    pending = {"name": "开斋节", "region": "宁夏", "year": 2027, "from": "待核实", "to": "待核实"}
    calendar = calendar_with(NATIONAL, holidays=[{"name": "元旦", "from": "2026-01-01"}, pending])
    assert calendar.holidays == {date(2026, 1, 1)}
    assert calendar.warnings() == ["2027年开斋节（宁夏）：日期待核实，未计入工作日"]


def test_the_shipped_calendar_lists_the_ningxia_holidays_of_2026_and_2027_as_pending_until_found():
    shipped = read_calendar(SHIPPED_FILE)
    warnings = calendar_warnings(ROOT / "knowledge")
    for year in (2026, 2027):
        for name in ("开斋节", "古尔邦节"):
            label = f"{year}年{name}（宁夏）"
            assert label in shipped.pending_holidays or any(
                n == name and d.year == year for d, n in shipped.holiday_names.items()
            ), label
    assert shipped.covered_until is not None and all(w.startswith("calendar.yml: 提醒：") for w in warnings)


def _copy_base(tmp_path: Path, arrangements: list[dict]) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    data = yaml.safe_load((root / CALENDAR_FILE).read_text(encoding="utf-8"))
    data["arrangements"] = arrangements
    (root / CALENDAR_FILE).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def _run_check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.knowledge.check", "--root", str(root)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_check_knowledge_fails_on_a_calendar_that_ends_too_soon(tmp_path):
    last_year = date.today().year - 1
    root = _copy_base(tmp_path, [{**NATIONAL, "year": last_year}])
    result = _run_check(root)
    assert result.returncode == 1, result.stdout
    assert f"calendar.yml: 日历只登记到 {last_year}-12-31" in result.stdout


def test_check_knowledge_passes_on_a_calendar_that_reaches_far_enough(tmp_path):
    year = date.today().year
    root = _copy_base(tmp_path, [{**NATIONAL, "year": y} for y in (year, year + 1)])
    result = _run_check(root)
    assert "calendar.yml: 日历只登记到" not in result.stdout
    assert check_calendar(root) == []


def test_a_due_date_beyond_the_calendar_is_an_estimate_with_its_reason():
    rules = parse_rules(
        yaml.safe_load((ROOT / "knowledge" / "ticket_rules.yml").read_text(encoding="utf-8")),
        read_calendar(SHIPPED_FILE),
    )
    end = rules.covered_until
    inside = add_working_days(end - timedelta(days=30), 5, rules)
    beyond = add_working_days(end - timedelta(days=5), 13, rules)
    assert inside <= end and estimate_note(inside, rules) is None
    note = estimate_note(beyond, rules)
    assert beyond > end and note and f"{end.year}年{end.month}月{end.day}日" in note and "估算" in note


def _national_only(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["public_holidays"] = [h for h in data["public_holidays"] if not h.get("region")]
    return parse_calendar(data)


def test_national_days_agree_with_the_chinese_calendar_package_for_the_years_both_cover():
    national = _national_only(SHIPPED_FILE)
    package_years = {d.year for d in chinese_calendar.holidays}
    years = sorted(y for y in national.covered_years if y in package_years)
    assert years, "no year in common: update chinese-calendar or check calendar.yml"
    differences = []
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            if national.is_working_day(day) != chinese_calendar.is_workday(day):
                differences.append(day.isoformat())
            day += timedelta(days=1)
    assert differences == []


@pytest.mark.parametrize("day, mistake", [(date(2026, 2, 14), "drop_makeup"), (date(2026, 3, 3), "add_holiday")])
def test_the_cross_check_can_see_a_wrong_day(tmp_path, day, mistake):
    """A forgotten 调休 Saturday or an invented holiday in a copy is caught by the same comparison."""
    data = yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8"))
    if mistake == "drop_makeup":
        data["makeup_working_days"] = [d for d in data["makeup_working_days"] if d != day]
    else:
        data["public_holidays"].append({"name": "错误", "from": day})
    path = tmp_path / CALENDAR_FILE
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert _national_only(path).is_working_day(day) != chinese_calendar.is_workday(day)
