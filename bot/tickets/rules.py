"""Reads knowledge/ticket_rules.yml (time limits, department keywords, 督办 rule) and, for the working
days, the public holidays and 调休 days of knowledge/calendar.yml (bot/knowledge/calendar.py), next to it
unless told otherwise.

Both files are re-read when they change. A broken edit is logged and the last good rules stay in force.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.calendar import CALENDAR_FILE, CalendarError, CalendarFile, WorkCalendar
from bot.tickets.choices import Category, Status

log = logging.getLogger(__name__)


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class TicketRules:
    time_limits: dict[str, int]
    supervision_statuses: frozenset[str]
    supervision_grace_days: int
    bad_rating_follow_up_days: int
    default_department: str
    departments: tuple[tuple[str, tuple[str, ...]], ...]
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_working_days: frozenset[date] = field(default_factory=frozenset)
    covered_until: date | None = None  # the calendar's last day; later due dates are estimates

    @property
    def covered_years(self) -> frozenset[int]:
        return frozenset(d.year for d in self.holidays)


MOVED_KEYS = ("public_holidays", "makeup_working_days")


def parse_rules(data: dict[str, Any], calendar: WorkCalendar | None = None) -> TicketRules:
    """The rules in `data`; holidays and 调休 days come from `calendar` (none: weekends only)."""
    if not isinstance(data, dict):
        raise RulesError("文件内容应为映射 (key: value)")
    moved = [key for key in MOVED_KEYS if key in data]
    if moved:
        raise RulesError(f"{'、'.join(moved)}: 节假日和调休上班日已移到 {CALENDAR_FILE}，请在那里修改")
    limits = data.get("time_limits") or {}
    missing = [c.value for c in Category if c.value not in limits]
    if missing:
        raise RulesError(f"time_limits: 缺少类别 {'、'.join(missing)}")
    time_limits = {}
    for name, days in limits.items():
        if not isinstance(days, int) or days < 0:
            raise RulesError(f"time_limits.{name}: 应为非负整数（工作日）")
        time_limits[str(name)] = days

    supervision = data.get("supervision") or {}
    statuses = supervision.get("statuses") or [Status.ACCEPTED.value, Status.DISPATCHED.value, Status.IN_PROGRESS.value]
    unknown = [s for s in statuses if s not in {st.value for st in Status}]
    if unknown:
        raise RulesError(f"supervision.statuses: 未知状态 {'、'.join(map(str, unknown))}")

    departments: list[tuple[str, tuple[str, ...]]] = []
    for name, entry in (data.get("departments") or {}).items():
        keywords = (entry or {}).get("keywords") or []
        if not all(isinstance(k, str) and k.strip() for k in keywords):
            raise RulesError(f"departments.{name}.keywords: 关键词应为非空文本")
        departments.append((str(name), tuple(k.strip() for k in keywords)))

    calendar = calendar or WorkCalendar()
    return TicketRules(
        time_limits=time_limits,
        supervision_statuses=frozenset(statuses),
        supervision_grace_days=int(supervision.get("grace_working_days", 0)),
        bad_rating_follow_up_days=int(data.get("bad_rating_follow_up_working_days", 15)),
        default_department=str(data.get("default_department") or "待分派"),
        departments=tuple(departments),
        holidays=calendar.holidays,
        makeup_working_days=calendar.makeup_working_days,
        covered_until=calendar.covered_until,
    )


def _calendar_path(path: Path, calendar_path: Path | None) -> Path:
    return Path(calendar_path) if calendar_path else path.parent / CALENDAR_FILE


def read_rules(path: Path, calendar_path: Path | None = None) -> TicketRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RulesError(f"{path}: 无法读取 ({error})") from None
    try:
        calendar = CalendarFile(_calendar_path(path, calendar_path)).get()
    except CalendarError as error:
        raise RulesError(str(error)) from None
    try:
        return parse_rules(data, calendar)
    except RulesError as error:
        raise RulesError(f"{path}: {error}") from None


class RulesFile:
    """The rules file (and its calendar) with reload-on-change; `get()` is cheap enough to call per request."""

    def __init__(self, path: Path, calendar: CalendarFile | None = None):
        self.path = path
        self.calendar = calendar or CalendarFile(_calendar_path(path, None))
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._calendar: WorkCalendar | None = None
        self._rules: TicketRules | None = None

    def _read(self) -> TicketRules:
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise RulesError(f"{self.path}: 无法读取 ({error})") from None
        try:
            return parse_rules(data, self._calendar)
        except RulesError as error:
            raise RulesError(f"{self.path}: {error}") from None

    def get(self) -> TicketRules:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            mtime = None
        try:
            calendar = self.calendar.get()  # keeps its own last good version
        except CalendarError as error:
            raise RulesError(str(error)) from None
        with self._lock:
            changed = mtime is not None and mtime != self._mtime
            if self._rules is None or changed or calendar is not self._calendar:
                self._calendar = calendar
                try:
                    self._rules = self._read()
                    self._mtime = mtime
                except RulesError:
                    if self._rules is None:
                        raise
                    log.exception("工单规则文件有误，继续使用上一次的规则")
                    self._mtime = mtime
            return self._rules
