"""The working calendar in knowledge/calendar.yml: public holidays, 调休 working days, online service hours.

One home for these dates: ticket time limits (bot/tickets/due_dates.py) count working days with it, and
the live handoff (bot/handoff/) opens its queue only within the online service hours.

    calendar = read_calendar(kb_root / "calendar.yml")
    calendar.is_working_day(date(2026, 10, 10))     # True: Saturday, 调休上班
    calendar.is_open(datetime.now(CHINA_TZ))        # within today's service hours?
    calendar.next_open(datetime.now(CHINA_TZ))      # the next opening (China time), None if none is listed

Hours are China time. A day is served when it is a working day (Monday–Friday that is not a public
holiday, or a listed 调休 working day) with the hours of its weekday (调休 days: `调休上班日`); weekends that
are not holidays get the hours of 周六/周日 (usually none). Public holidays are always closed.
Standard library and yaml only, like the rest of bot/knowledge/.

File format:
    online_service:
      verified: false
      note: 为什么这样写、还缺什么
      hours:
        周一: ["09:00-12:00", "14:30-17:30"]   # …周日; a missing or empty day is closed
        调休上班日: ["09:00-12:00", "14:30-17:30"]
    public_holidays:
      - {name: 元旦, from: 2026-01-01, to: 2026-01-03}
    makeup_working_days: [2026-01-04]
    arrangements:                          # the source of each year's dates; a year counts only when listed
      - {year: 2026, scope: national, title: 国务院办公厅关于2026年部分节假日安排的通知, url: https://…}
      - {year: 2027, scope: national, title: 待核实, note: 未找到}    # not counted: the calendar ends before

A holiday whose dates are 待核实 (e.g. {name: 开斋节, region: 宁夏, year: 2027, from: 待核实}) is listed in
`pending_holidays` and counted nowhere. The calendar *ends* on 31 December of the last year whose national
arrangement is listed with a source (`covered_until`); working days counted beyond it are estimates
(weekends only), and `coverage_problem()` reports a calendar that ends within COVERAGE_DAYS of today.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.common.clock import CHINA_TZ

log = logging.getLogger(__name__)

CALENDAR_FILE = "calendar.yml"
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MAKEUP_KEY = "调休上班日"
MAKEUP = 7  # index of the 调休 hours in WorkCalendar.hours
_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—~至]\s*(\d{1,2}):(\d{2})\s*$")
LOOKAHEAD_DAYS = 60  # next_open() searches this far
COVERAGE_DAYS = 60  # the calendar must reach at least this far beyond today
SCOPES = ("national", "regional")

Period = tuple[time, time]


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()
    holiday_names: dict[date, str] = field(default_factory=dict)
    makeup_working_days: frozenset[date] = frozenset()
    hours: tuple[tuple[Period, ...], ...] = ((),) * 8  # 周一 … 周日, then 调休上班日
    hours_verified: bool = False
    hours_note: str = ""
    covered_until: date | None = None  # last day whose holidays are known from a listed arrangement
    pending_holidays: tuple[str, ...] = ()  # holidays whose dates are still 待核实, e.g. "2027年开斋节（宁夏）"
    pending_arrangements: tuple[str, ...] = ()  # years/scopes without a sourced arrangement

    def is_estimate(self, day: date) -> bool:
        """True when `day` lies beyond the calendar: holidays there are unknown (weekends only)."""
        return self.covered_until is None or day > self.covered_until

    def warnings(self) -> list[str]:
        """What staff should know though nothing is broken: unconfirmed holiday dates and arrangements."""
        found = [f"{item}：日期待核实，未计入工作日" for item in self.pending_holidays]
        return found + [f"{item}：安排待核实" for item in self.pending_arrangements]

    @property
    def covered_years(self) -> frozenset[int]:
        return frozenset(d.year for d in self.holidays)

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_working_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def periods(self, day: date) -> tuple[Period, ...]:
        """The service hours of one day (China time); empty when closed."""
        if day in self.makeup_working_days:
            return self.hours[MAKEUP]
        if day in self.holidays:
            return ()
        return self.hours[day.weekday()]

    def is_open(self, at: datetime) -> bool:
        local = to_china(at)
        return any(start <= local.time() < end for start, end in self.periods(local.date()))

    def next_open(self, at: datetime) -> datetime | None:
        """The next moment the service opens after `at` (China time, aware); `at` itself when open."""
        local = to_china(at)
        if self.is_open(local):
            return local
        for offset in range(LOOKAHEAD_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            for start, _end in self.periods(day):
                moment = datetime.combine(day, start, tzinfo=CHINA_TZ)
                if moment > local:
                    return moment
        return None


def to_china(at: datetime) -> datetime:
    """Aware China time; a naive value is taken as UTC (how the backend stores times)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(CHINA_TZ)


def china_now() -> datetime:
    return datetime.now(CHINA_TZ)


def describe(moment: datetime, now: datetime | None = None) -> str:
    """'今天 14:30' / '明天（12月2日 周三）09:00' / '12月7日 周一 09:00' — for citizens."""
    now = to_china(now or china_now())
    moment = to_china(moment)
    clock = moment.strftime("%H:%M")
    days = (moment.date() - now.date()).days
    label = f"{moment.month}月{moment.day}日 {WEEKDAYS[moment.weekday()]}"
    if days == 0:
        return f"今天 {clock}"
    if days == 1:
        return f"明天（{label}）{clock}"
    return f"{label} {clock}"


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CalendarError(f"{where}: 日期格式应为 YYYY-MM-DD") from None


def _periods(value: Any, where: str) -> tuple[Period, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise CalendarError(f'{where}: 应为时间段列表，如 ["09:00-12:00", "14:30-17:30"]')
    periods = []
    for i, text in enumerate(value):
        match = _PERIOD.match(text) if isinstance(text, str) else None
        if not match:
            raise CalendarError(f'{where}[{i}]: 时间段应写成 "09:00-12:00"（加引号）')
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise CalendarError(f"{where}[{i}]: 时间不存在")
        start = time(h1, m1)
        end = time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)
        if end <= start:
            raise CalendarError(f"{where}[{i}]: 结束时间应晚于开始时间")
        periods.append((start, end))
    return tuple(sorted(periods))


def parse_calendar(data: Any) -> WorkCalendar:
    if data is None:
        return WorkCalendar()
    if not isinstance(data, dict):
        raise CalendarError("文件内容应为映射 (key: value)")
    known = ("online_service", "public_holidays", "makeup_working_days", "arrangements")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise CalendarError(f"未知字段 {'、'.join(map(str, unknown))}（可用：{'、'.join(known)}）")

    holidays: dict[date, str] = {}
    pending: list[str] = []
    for i, entry in enumerate(data.get("public_holidays") or []):
        where = f"public_holidays[{i}]"
        if not isinstance(entry, dict):
            raise CalendarError(f"{where}: 应为 {{name, from, to}}")
        if is_pending(entry.get("from")) or is_pending(entry.get("to")):
            pending.append(_pending_label(entry, where))
            continue
        start = _as_date(entry.get("from"), where)
        end = _as_date(entry.get("to", entry.get("from")), where)
        if end < start:
            raise CalendarError(f"{where}: 结束日期早于开始日期")
        for n in range((end - start).days + 1):
            holidays[start + timedelta(days=n)] = str(entry.get("name") or "法定节假日")
    makeup = data.get("makeup_working_days") or []
    if not isinstance(makeup, list):
        raise CalendarError("makeup_working_days: 应为日期列表")
    makeup_days = frozenset(_as_date(d, "makeup_working_days") for d in makeup)
    clash = sorted(makeup_days & set(holidays))
    if clash:
        raise CalendarError(f"makeup_working_days: {clash[0]} 同时登记为放假日")

    service = data.get("online_service") or {}
    if not isinstance(service, dict):
        raise CalendarError("online_service: 应为映射（hours、verified、note）")
    hours = service.get("hours") or {}
    if not isinstance(hours, dict):
        raise CalendarError("online_service.hours: 应为 周一…周日、调休上班日 到时间段列表的映射")
    keys = WEEKDAYS + (MAKEUP_KEY,)
    unknown = [str(k) for k in hours if k not in keys]
    if unknown:
        raise CalendarError(f"online_service.hours: 未知的日子 {'、'.join(unknown)}（可用：{'、'.join(keys)}）")
    parsed = tuple(_periods(hours.get(key), f"online_service.hours.{key}") for key in keys)
    verified = service.get("verified", False)
    if not isinstance(verified, bool):
        raise CalendarError("online_service.verified: 应为 true 或 false")

    covered_until, open_arrangements = _coverage(data.get("arrangements"))
    return WorkCalendar(
        covered_until=covered_until,
        pending_holidays=tuple(pending),
        pending_arrangements=open_arrangements,
        holidays=frozenset(holidays),
        holiday_names=holidays,
        makeup_working_days=makeup_days,
        hours=parsed,
        hours_verified=verified,
        hours_note=str(service.get("note") or "").strip(),
    )


def is_pending(value: Any) -> bool:
    return isinstance(value, str) and "待核实" in value


def _pending_label(entry: dict[str, Any], where: str) -> str:
    year = entry.get("year")
    if not isinstance(year, int):
        raise CalendarError(f"{where}: 日期待核实的节日要写 year（如 year: 2027）")
    region = f"（{entry['region']}）" if entry.get("region") else ""
    return f"{year}年{entry.get('name') or '节假日'}{region}"


def _coverage(value: Any) -> tuple[date | None, tuple[str, ...]]:
    """(last covered day, labels of arrangements still 待核实) from `arrangements`."""
    if value is None:
        return None, ()
    if not isinstance(value, list):
        raise CalendarError("arrangements: 应为列表（year、scope、title、url）")
    sourced: set[int] = set()
    open_items = []
    for i, item in enumerate(value):
        where = f"arrangements[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("year"), int):
            raise CalendarError(f"{where}: 应为 {{year: 2027, scope: national, title: …, url: …}}")
        scope = item.get("scope", "national")
        if scope not in SCOPES:
            raise CalendarError(f"{where}.scope: 应为 {' 或 '.join(SCOPES)}")
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            raise CalendarError(f"{where}.title: 写通知名称，找不到时写 待核实")
        label = f"{item['year']}年{'全国' if scope == 'national' else '宁夏'}放假安排"
        if is_pending(title) or is_pending(item.get("url", "")):
            open_items.append(label)
        elif scope == "national":
            sourced.add(item["year"])
    if not sourced:
        return None, tuple(open_items)
    year = min(sourced)
    while year + 1 in sourced:  # a gap ends the calendar
        year += 1
    return date(year, 12, 31), tuple(open_items)


def coverage_problem(covered_until: date | None, today: date) -> str | None:
    """A problem when the calendar ends before today + COVERAGE_DAYS (None when it reaches far enough)."""
    needed = today + timedelta(days=COVERAGE_DAYS)
    if covered_until is None:
        return "没有登记任何一年有来源的国务院放假安排（arrangements），办理时限无法计算节假日"
    if covered_until < needed:
        return (
            f"日历只登记到 {covered_until}，不够今天之后 {COVERAGE_DAYS} 天（{needed}）："
            f"请按国务院办公厅和自治区人民政府办公厅的通知补充 {covered_until.year + 1} 年的放假安排"
        )
    return None


def read_calendar(path: Path) -> WorkCalendar:
    """The calendar in `path`; a missing file is an empty calendar (weekends only, no service hours)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return WorkCalendar()
    except (OSError, UnicodeDecodeError) as error:
        raise CalendarError(f"{path.name}: 无法读取（{error}）") from None
    try:
        return parse_calendar(yaml.safe_load(text))
    except yaml.YAMLError as error:
        raise CalendarError(f"{path.name}: YAML 格式有误（{error}）") from None
    except CalendarError as error:
        raise CalendarError(f"{path.name}: {error}") from None


def check_calendar(kb_root: Path | str, today: date | None = None) -> list[str]:
    """Problems as `file: problem` lines (the format of the knowledge check), coverage included.

    No file at all is no problem here: time limits then count weekends only, as documented."""
    path = Path(kb_root) / CALENDAR_FILE
    if not path.exists():
        return []
    try:
        calendar = read_calendar(path)
    except CalendarError as error:
        return [str(error)]
    problem = coverage_problem(calendar.covered_until, today or china_now().date())
    return [f"{CALENDAR_FILE}: {problem}"] if problem else []


def calendar_warnings(kb_root: Path | str) -> list[str]:
    """Unconfirmed dates as `file: warning` lines; empty when the file cannot be read (check reports that)."""
    try:
        calendar = read_calendar(Path(kb_root) / CALENDAR_FILE)
    except CalendarError:
        return []
    return [f"{CALENDAR_FILE}: 提醒：{warning}" for warning in calendar.warnings()]


class CalendarFile:
    """calendar.yml with reload-on-change; a broken edit keeps the last good calendar (`get()` is cheap)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._calendar: WorkCalendar | None = None
        self.error: str | None = None  # the problem of the latest edit, while the last good one is used

    def _stat(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def get(self) -> WorkCalendar:
        key = self._stat()
        with self._lock:
            if self._calendar is None or key != self._key:
                try:
                    self._calendar = read_calendar(self.path)
                    self.error = None
                except CalendarError as error:
                    if self._calendar is None:
                        raise
                    self.error = str(error)
                    log.error("工作日历有误，继续使用上一次的日历：%s", error)
                self._key = key
            return self._calendar
