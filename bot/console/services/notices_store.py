"""Publishing and withdrawing notices in knowledge/notices.yml (ruamel round-trip, comments kept).

The check is bot.knowledge.notices.validate_notices, run on the whole file as it would be written.
"""

from __future__ import annotations

import io
import threading
from datetime import date
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.console.services.yaml_files import round_trip_yaml, write_atomic
from bot.knowledge.notices import NOTICES_FILE, read_notices, validate_notices

TEMPLATE = """\
# 公告：节假日窗口时间调整、系统维护、政策变化等。由工作人员在控制台（/console/notices）发布，
# 也可以直接编辑本文件；格式见 bot/knowledge/notices.py。
notices: []
"""
_lock = threading.Lock()


class NoticeError(ValueError):
    pass


class NoticeStore:
    def __init__(self, root: Path):
        self.root = root

    @property
    def path(self) -> Path:
        return self.root / NOTICES_FILE

    def all(self) -> tuple[list[dict], list[str]]:
        return read_notices(self.root)

    def _service_ids(self) -> list[str]:
        return sorted(p.stem for p in (self.root / "services").glob("*.yml"))

    def _load(self):
        y = round_trip_yaml()
        text = self.path.read_text(encoding="utf-8") if self.path.exists() else TEMPLATE
        data = y.load(text)
        if data is None:
            data = CommentedMap()
        if data.get("notices") is None or (not data["notices"] and data["notices"].fa.flow_style()):
            data["notices"] = CommentedSeq()  # block style from the first notice on
        return y, data

    def _write(self, y: YAML, data) -> None:
        buffer = io.StringIO()
        y.dump(data, buffer)
        problems = validate_notices(y.load(buffer.getvalue()), self._service_ids())
        if problems:
            raise NoticeError("；".join(p.split(": ", 2)[-1] for p in problems))
        write_atomic(self.path, buffer.getvalue())

    def publish(
        self, title: str, text: str, start: date | None, end: date | None, services: list[str], today: date
    ) -> dict:
        title, text = title.strip(), text.strip()
        if not title or not text:
            raise NoticeError("请填写公告标题和内容")
        if start is None or end is None:
            raise NoticeError("请填写开始和结束日期（YYYY-MM-DD）")
        if end < start:
            raise NoticeError("结束日期不能早于开始日期")
        if end < today:
            raise NoticeError("结束日期已经过去，公告不会显示")
        unknown = [s for s in services if s not in self._service_ids()]
        if unknown:
            raise NoticeError(f"没有这些事项：{'、'.join(unknown)}")
        with _lock:
            y, data = self._load()
            existing = {str(n.get("id")) for n in data["notices"] if isinstance(n, dict)}
            number = 1
            while f"n{today:%Y%m%d}-{number}" in existing:
                number += 1
            notice = CommentedMap()
            notice["id"] = f"n{today:%Y%m%d}-{number}"
            notice["title"] = title
            notice["text"] = text
            notice["start"] = start
            notice["end"] = end
            if services:
                seq = CommentedSeq(services)
                seq.fa.set_flow_style()
                notice["services"] = seq
            data["notices"].append(notice)
            self._write(y, data)
        return {
            "id": notice["id"],
            "title": title,
            "text": text,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "services": services,
        }

    def withdraw(self, notice_id: str) -> dict:
        with _lock:
            y, data = self._load()
            for i, notice in enumerate(data["notices"]):
                if isinstance(notice, dict) and notice.get("id") == notice_id:
                    removed = {k: (list(v) if isinstance(v, list) else str(v)) for k, v in notice.items()}
                    del data["notices"][i]
                    self._write(y, data)
                    return removed
        raise NoticeError("公告不存在（可能已被撤下）")
