"""Reads knowledge/ticket_rules.yml (time limits, department keywords, 督办 rule, holidays).

The file is re-read when it changes. A broken edit is logged and the last good rules stay in force.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Tuple

import yaml

from bot.tickets.choices import Category, Status

log = logging.getLogger(__name__)


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class TicketRules:
    time_limits: Dict[str, int]
    supervision_statuses: FrozenSet[str]
    supervision_grace_days: int
    bad_rating_follow_up_days: int
    default_department: str
    departments: Tuple[Tuple[str, Tuple[str, ...]], ...]
    holidays: FrozenSet[date] = field(default_factory=frozenset)
    makeup_working_days: FrozenSet[date] = field(default_factory=frozenset)

    @property
    def covered_years(self) -> FrozenSet[int]:
        return frozenset(d.year for d in self.holidays)


def _as_date(value, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RulesError(f"{where}: 日期格式应为 YYYY-MM-DD") from None


def parse_rules(data: dict) -> TicketRules:
    if not isinstance(data, dict):
        raise RulesError("文件内容应为映射 (key: value)")
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

    departments: List[Tuple[str, Tuple[str, ...]]] = []
    for name, entry in (data.get("departments") or {}).items():
        keywords = (entry or {}).get("keywords") or []
        if not all(isinstance(k, str) and k.strip() for k in keywords):
            raise RulesError(f"departments.{name}.keywords: 关键词应为非空文本")
        departments.append((str(name), tuple(k.strip() for k in keywords)))

    holidays = set()
    for i, entry in enumerate(data.get("public_holidays") or []):
        where = f"public_holidays[{i}]"
        start = _as_date(entry.get("from"), where)
        end = _as_date(entry.get("to", entry.get("from")), where)
        if end < start:
            raise RulesError(f"{where}: 结束日期早于开始日期")
        holidays.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    makeup = {_as_date(d, "makeup_working_days") for d in data.get("makeup_working_days") or []}

    return TicketRules(
        time_limits=time_limits,
        supervision_statuses=frozenset(statuses),
        supervision_grace_days=int(supervision.get("grace_working_days", 0)),
        bad_rating_follow_up_days=int(data.get("bad_rating_follow_up_working_days", 15)),
        default_department=str(data.get("default_department") or "待分派"),
        departments=tuple(departments),
        holidays=frozenset(holidays),
        makeup_working_days=frozenset(makeup),
    )


def read_rules(path: Path) -> TicketRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RulesError(f"{path}: 无法读取 ({error})") from None
    try:
        return parse_rules(data)
    except RulesError as error:
        raise RulesError(f"{path}: {error}") from None


class RulesFile:
    """The rules file with reload-on-change; `get()` is cheap enough to call per request."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._mtime: Optional[float] = None
        self._rules: Optional[TicketRules] = None

    def get(self) -> TicketRules:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            mtime = None
        with self._lock:
            if self._rules is None or (mtime is not None and mtime != self._mtime):
                try:
                    self._rules = read_rules(self.path)
                    self._mtime = mtime
                except RulesError:
                    if self._rules is None:
                        raise
                    log.exception("工单规则文件有误，继续使用上一次的规则")
                    self._mtime = mtime
            return self._rules
