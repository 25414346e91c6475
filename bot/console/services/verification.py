"""核实: every fact of the knowledge base that has no official source yet, and the two things staff do
with one: confirm it (recording the official source, URL or document number, and the date read) or correct
its value (with the source of the new value). Both write the YAML in place (ruamel round trip: comments
and order kept), are validated with the knowledge check before writing, and set `verified_by` /
`verified_on` on the fact. A file's `verified` follows its facts. The action server reloads the file on its
own (no retrain): the bot drops the caveat as soon as the fact is verified.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from bot.console.services.knowledge_editor import plain, version_of
from bot.console.services.yaml_files import round_trip_yaml, write_atomic
from bot.knowledge.facts import OFFICIAL_KINDS, Fact, facts_of, is_verified
from bot.knowledge.loader import BUNDLES_DIR, COUNTY_FILE, SERVICES_DIR, read_raw
from bot.knowledge.schema import Issue, validate_base
from bot.knowledge.text import PENDING

RECHECK_DAYS = 365
_lock = threading.Lock()
# Facts whose value is one line of text; materials and places are corrected in the full editor.
TEXT_FACT = re.compile(
    r"^(fee|time_limit(\.legal|\.promised)?|eligibility\.who|eligibility\.conditions\[\d+\]|phone"
    r"|halls\.\w+\.(address|hours|phone)|departments\.\w+\.phone|hotline)$"
)


class VerificationError(ValueError):
    """What the staff member has to fix, in Chinese."""


@dataclass
class FactRow:
    rel: str  # services/id_card.yml
    kind: str  # service | bundle | county
    name: str  # 身份证办理
    fact: Fact

    @property
    def key(self) -> str:
        return f"{self.rel}#{self.fact.path}"

    @property
    def value_text(self) -> str:
        return show_value(self.fact.value)

    @property
    def correctable(self) -> bool:
        return bool(TEXT_FACT.match(self.fact.path))


VALUE_LABELS = {"form": "形式", "count": "份数", "note": "说明", "rongque": "可容缺", "hall": "大厅", "window": "窗口"}
VALUE_LABELS.update({"allowed": "可以代办", "needs": "需要"})


def show_value(value: Any) -> str:
    """A fact's value for staff, in words: 居民户口簿（形式：原件；份数：1） rather than a dict."""
    if isinstance(value, dict):
        parts = [f"{VALUE_LABELS.get(k, k)}：{_word(v)}" for k, v in value.items() if k != "name"]
        return (f"{value['name']}（" + "；".join(parts) + "）") if "name" in value else "；".join(parts)
    return _word(value)


def _word(value: Any) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "、".join(_word(v) for v in value)
    return str(value)


def _kind_of(rel: str) -> str:
    if rel == COUNTY_FILE:
        return "county"
    return "service" if rel.startswith(SERVICES_DIR + "/") else "bundle"


class Verification:
    def __init__(self, root: Path):
        self.root = Path(root)

    # ------------------------------------------------------------ reading
    def _files(self) -> dict[str, Any]:
        raw = read_raw(self.root)
        files: dict[str, Any] = {COUNTY_FILE: raw.county} if isinstance(raw.county, dict) else {}
        files.update(raw.services)
        files.update(raw.bundles)
        return files

    def rows(self) -> list[FactRow]:
        """Every fact of every file, in file order."""
        found = []
        for rel, data in sorted(self._files().items()):
            if not isinstance(data, dict):
                continue
            kind = _kind_of(rel)
            name = str(data.get("short_name") or data.get("name") or data.get("county") or rel)
            found += [FactRow(rel, kind, name, fact) for fact in facts_of(kind, data)]
        return found

    def unverified(self) -> list[FactRow]:
        return [row for row in self.rows() if not row.fact.verified]

    def share(self) -> dict[str, Any]:
        """Verified facts and files, for the console home and the README."""
        rows = self.rows()
        files = self._files()
        verified_files = sum(1 for rel, d in files.items() if isinstance(d, dict) and is_verified(_kind_of(rel), d))
        total, done = len(rows), sum(1 for r in rows if r.fact.verified)
        return {
            "facts": total,
            "verified": done,
            "percent": round(100 * done / total) if total else 100,
            "files": len(files),
            "verified_files": verified_files,
        }

    def due_for_recheck(self, today: date) -> list[tuple[FactRow, date | None]]:
        """Verified facts last read against their source more than a year ago (or never dated)."""
        from bot.knowledge.facts import source_date

        limit = today - timedelta(days=RECHECK_DAYS)
        due = []
        for row in self.rows():
            if row.fact.verified:
                checked = source_date(row.fact)
                if checked is None or checked < limit:
                    due.append((row, checked))
        return due

    # ------------------------------------------------------------ writing
    def confirm(self, rel: str, path: str, actor: str, source: dict, on: date) -> dict:
        """The value is right: record its official source. Returns {before, after} for the audit log."""
        return self._write(rel, path, actor, source, on, new_value=None)

    def correct(self, rel: str, path: str, actor: str, value: str, source: dict, on: date) -> dict:
        """The value was wrong: write the new one with its official source."""
        value = (value or "").strip()
        if not value:
            raise VerificationError("请填写改正后的内容")
        if PENDING in value:
            raise VerificationError("改正后的内容不能是“待核实”：还不能确认时，请不要提交")
        if not TEXT_FACT.match(path):
            raise VerificationError("材料、地点等请在事项编辑页修改，保存后再来这里确认来源")
        return self._write(rel, path, actor, source, on, new_value=value)

    def _write(self, rel: str, path: str, actor: str, source: dict, on: date, new_value: str | None) -> dict:
        source = _clean_source(source)
        file = self._path(rel)
        with _lock:
            text = file.read_text(encoding="utf-8")
            y = round_trip_yaml()
            tree = y.load(text)
            kind = _kind_of(rel)
            fact = next((f for f in facts_of(kind, plain(tree)) if f.path == path), None)
            if fact is None:
                raise VerificationError(f"{rel} 里没有 {path} 这条事实（可能刚被改过，请刷新）")
            if new_value is None and fact.pending_value:
                raise VerificationError("这条事实的内容本身还是“待核实”：请用“改正”填写确认后的内容")
            before = {"value": plain(fact.value), "entry": plain(fact.entry) or PENDING}
            if new_value is not None:
                _set_value(tree, path, new_value)
            source_id = _ensure_source(tree, source, on)
            entry = CommentedMap(source=source_id, verified_by=actor, verified_on=on.isoformat())
            entry.fa.set_flow_style()
            if "facts" not in tree:
                tree["facts"] = CommentedMap()
            tree["facts"][path] = entry
            tree["verified"] = is_verified(kind, plain(tree))
            self._check(rel, plain(tree))
            buffer = io.StringIO()
            y.dump(tree, buffer)
            write_atomic(file, buffer.getvalue())
        return {
            "before": before,
            "after": {"value": new_value or plain(fact.value), "entry": plain(entry), "source": source},
            "version": version_of(buffer.getvalue()),
        }

    def _path(self, rel: str) -> Path:
        folder, _, name = rel.partition("/")
        ok = rel == COUNTY_FILE or (folder in (SERVICES_DIR, BUNDLES_DIR) and re.fullmatch(r"[a-z0-9_]+\.yml", name))
        path = self.root / rel
        if not ok or not path.is_file():
            raise VerificationError(f"没有这个知识文件：{rel}")
        return path

    def _check(self, rel: str, data: dict) -> None:
        raw = read_raw(self.root)
        county, services, bundles = raw.county, dict(raw.services), dict(raw.bundles)
        if rel == COUNTY_FILE:
            county = data
        else:
            (services if rel.startswith(SERVICES_DIR + "/") else bundles)[rel] = data
        problems: list[Issue] = [i for i in validate_base(county, services, bundles) if i.file == rel]
        if problems:
            raise VerificationError("；".join(str(p) for p in problems[:3]))


def _clean_source(source: dict) -> dict:
    title = (source.get("title") or "").strip()
    url = (source.get("url") or "").strip()
    doc = (source.get("doc") or "").strip()
    kind = (source.get("kind") or "gov").strip()
    if not url and not doc:
        raise VerificationError("请填写官方来源的网址或文号")
    if url and not re.match(r"^https?://\S+$", url):
        raise VerificationError("网址应以 http:// 或 https:// 开头")
    if kind not in OFFICIAL_KINDS:
        raise VerificationError("确认只能依据官方来源：法律法规原文或政府网站、文件")
    if PENDING in title + url + doc:
        raise VerificationError("来源不能写“待核实”")
    cleaned = {"title": title or doc or url, "kind": kind}
    if url:
        cleaned["url"] = url
    if doc:
        cleaned["doc"] = doc
    return cleaned


def _ensure_source(tree: Any, source: dict, on: date) -> str:
    """The id of the same source if the file lists it (same url or doc), else of a new one (v1, v2 …)."""
    sources = tree.get("sources")
    if sources is None:
        tree["sources"] = sources = []
    for existing in sources:
        same_url = source.get("url") and existing.get("url") == source["url"]
        same_doc = source.get("doc") and existing.get("doc") == source["doc"]
        if (same_url or same_doc) and existing.get("kind") in OFFICIAL_KINDS:
            existing["checked_on"] = on.isoformat()
            return str(existing["id"])
    taken = {str(s.get("id")) for s in sources}
    n = 1
    while f"v{n}" in taken:
        n += 1
    entry = CommentedMap(id=f"v{n}", **source, checked_on=on.isoformat())
    sources.append(entry)
    return f"v{n}"


def _set_value(tree: Any, path: str, value: str) -> None:
    node = tree
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        key: Any = int(part[1:-1]) if part.startswith("[") else part
        if last:
            node[key] = value
        else:
            node = node[key]
