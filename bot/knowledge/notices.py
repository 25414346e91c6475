"""Notices (公告) in knowledge/notices.yml: holiday window hours, system maintenance, policy changes.

    active_notices(kb_root, date(2026, 12, 30))                       # every notice in force that day
    active_notices(kb_root, date(2026, 12, 30), service_id="id_card")  # only those naming id_card

A notice is in force from `start` to `end`, both days included (China dates). Without `services` it is
a general notice (shown with the greeting); with them it also belongs to the answers for those services.
The file is re-read when it changes. A broken file yields no notices (and `check_notices` says why):
a wrong notice is worse than none. Standard library and yaml only, like the rest of bot/knowledge/.

File format:
    notices:
      - id: n20261230-1           # ascii, unique
        title: 元旦假期窗口服务时间调整   # at most 40 characters
        text: 12月31日至1月2日 …        # at most 500 characters
        start: 2026-12-30
        end: 2027-01-02
        services: [id_card]       # optional: ids in services/
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

NOTICES_FILE = "notices.yml"
TITLE_MAX = 40
TEXT_MAX = 500
NOTICE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
KEYS = {"required": ("id", "title", "text", "start", "end"), "optional": ("services",)}

_cache: dict[Path, tuple[tuple[int, int], list[dict[str, Any]], list[str]]] = {}
_lock = threading.Lock()


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def validate_notices(data: Any, service_ids: Iterable[str] | None = None, file: str = NOTICES_FILE) -> list[str]:
    """Problems as `file: field: problem` lines (the format of the knowledge check)."""
    issues: list[str] = []

    def add(field: str, problem: str) -> None:
        issues.append(f"{file}: {field or '(整个文件)'}: {problem}")

    if data is None:
        return issues  # an empty file means no notices
    if not isinstance(data, dict):
        add("", "文件内容应为键值表（notices: [...]）")
        return issues
    for key in data:
        if key != "notices":
            add(str(key), "未知字段（只能有 notices）")
    notices = data.get("notices")
    if notices is None:
        return issues
    if not isinstance(notices, list):
        add("notices", "应为列表（- 项目）")
        return issues
    known = set(service_ids) if service_ids is not None else None
    seen: set[str] = set()
    for i, notice in enumerate(notices):
        path = f"notices[{i}]"
        if not isinstance(notice, dict):
            add(path, "应为 {id, title, text, start, end}")
            continue
        for key in KEYS["required"]:
            if notice.get(key) is None:
                add(f"{path}.{key}", "缺少必填项")
        for key in notice:
            if key not in KEYS["required"] + KEYS["optional"]:
                add(f"{path}.{key}", "未知字段（可用：end、id、services、start、text、title）")
        notice_id = notice.get("id")
        if notice_id is not None:
            if not isinstance(notice_id, str) or not NOTICE_ID.match(notice_id):
                add(f"{path}.id", f"{notice_id!r} 应为小写字母、数字、- 或 _")
            elif notice_id in seen:
                add(f"{path}.id", f"编号 {notice_id} 重复")
            else:
                seen.add(notice_id)
        for key, limit in (("title", TITLE_MAX), ("text", TEXT_MAX)):
            value = notice.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                add(f"{path}.{key}", "应为非空文字")
            elif len(value.strip()) > limit:
                add(f"{path}.{key}", f"不能超过 {limit} 个字")
        start, end = _as_date(notice.get("start")), _as_date(notice.get("end"))
        for key, value in (("start", start), ("end", end)):
            if notice.get(key) is not None and value is None:
                add(f"{path}.{key}", "日期格式应为 YYYY-MM-DD")
        if start and end and end < start:
            add(f"{path}.end", "结束日期早于开始日期")
        services = notice.get("services")
        if services is not None:
            if not isinstance(services, list):
                add(f"{path}.services", "应为事项 id 的列表")
            else:
                for j, service in enumerate(services):
                    if not isinstance(service, str) or not service.strip():
                        add(f"{path}.services[{j}]", "应为事项 id")
                    elif known is not None and service not in known:
                        add(f"{path}.services[{j}]", f"事项 {service!r} 不存在（services/{service}.yml）")
    return issues


def _normalized(notice: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": notice["id"],
        "title": notice["title"].strip(),
        "text": notice["text"].strip(),
        "start": _as_date(notice["start"]),
        "end": _as_date(notice["end"]),
        "services": [s.strip() for s in notice.get("services") or []],
    }


def read_notices(kb_root: Path | str) -> tuple[list[dict[str, Any]], list[str]]:
    """(notices, problems) from <kb_root>/notices.yml; a missing file is no notices and no problem."""
    path = Path(kb_root) / NOTICES_FILE
    try:
        stat = path.stat()
    except FileNotFoundError:
        return [], []
    key = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == key:
            return [dict(n) for n in cached[1]], list(cached[2])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        services_dir = Path(kb_root) / "services"
        service_ids = [p.stem for p in services_dir.glob("*.yml")] if services_dir.is_dir() else None
        issues = validate_notices(data, service_ids)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        data, issues = None, [f"{NOTICES_FILE}: (整个文件): 无法读取（{error}）"]
    notices = [] if issues or not data else [_normalized(n) for n in data.get("notices") or []]
    with _lock:
        _cache[path] = (key, notices, issues)
    return [dict(n) for n in notices], list(issues)


def check_notices(kb_root: Path | str) -> list[str]:
    return read_notices(kb_root)[1]


def is_active(notice: dict[str, Any], today: date) -> bool:
    start: date = notice["start"]
    end: date = notice["end"]
    return start <= today <= end


def active_notices(kb_root: Path | str, today: date, service_id: str | None = None) -> list[dict[str, Any]]:
    """Notices in force on `today`, newest start first; with `service_id` only those naming it."""
    notices, _issues = read_notices(kb_root)
    found = [n for n in notices if is_active(n, today) and (service_id is None or service_id in n["services"])]
    return sorted(found, key=lambda n: (n["start"], n["id"]), reverse=True)
