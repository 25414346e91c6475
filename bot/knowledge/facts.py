"""Per-fact sources: which official text backs each fee, time limit, material, eligibility rule, place,
hour and phone, and which facts are still 待核实.

A file lists its sources once, each with an id, and names the source of each fact in `facts`:

    sources:
      - id: law
        title: 《中华人民共和国居民身份证法》第二十一条
        url: https://…                # or doc: 财税〔2018〕37号 (a document number), or both
        kind: law                     # law (law / regulation text) | gov (a government page or notice) | lead
        checked_on: 2026-12-03        # optional: when someone last read it (the yearly re-check list[Any])
    facts:                            # fact path → its source; a fact not listed here is unsourced (an error)
      fee: {source: law}
      time_limit.legal: {source: [law, fee2018]}   # several sources: every one must be official
      time_limit.promised: 待核实      # no official source yet
      materials.居民户口簿: {lead: s3}  # only a repost found: 待核实, the repost kept as a lead
      eligibility.who: {source: law, verified_by: 马工, verified_on: 2026-12-03}

Fact paths: services `fee`, `time_limit.legal`, `time_limit.promised`, `materials.<name>`,
`eligibility.who`, `eligibility.conditions[i]`, `place`, `phone`, `proxy`; bundles `materials.<name>`,
`time_limit`, `window`; county.yml `halls.<key>.address|hours|phone`, `departments.<key>.phone`, `hotline`.
A value that itself contains 待核实 needs no entry. A fact is *verified* when its value is settled and its
source is official (kind law or gov); a file is verified when all its facts are (and nothing else in it is
待核实). Pure functions over parsed YAML, like the rest of bot/knowledge/.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.knowledge.text import PENDING

SOURCE_KINDS = ("law", "gov", "lead")
OFFICIAL_KINDS = ("law", "gov")
ENTRY_KEYS = ("source", "lead", "verified_by", "verified_on", "note")
SOURCE_ID = re.compile(r"^[a-z][a-z0-9_]*$")

FACT_LABELS = (  # path prefix → what citizens and staff call it
    ("fee", "收费"),
    ("time_limit.legal", "法定时限"),
    ("time_limit.promised", "承诺时限"),
    ("time_limit", "办理时限"),
    ("materials", "所需材料"),
    ("eligibility", "办理条件"),
    ("place", "办理地点"),
    ("window", "办理窗口"),
    ("phone", "咨询电话"),
    ("proxy", "亲友代办"),
    ("halls", "大厅信息"),
    ("departments", "部门电话"),
    ("hotline", "热线"),
)


@dataclass(frozen=True)
class Fact:
    path: str
    value: Any
    verified: bool
    source: dict[str, Any] | None  # the (first) official source, when every source named is official
    lead: dict[str, Any] | None  # a non-official source kept as a lead
    entry: dict[str, Any]  # the facts entry as written ({} for none / 待核实)
    pending_value: bool  # the value itself says 待核实

    @property
    def label(self) -> str:
        return fact_label(self.path)


def fact_label(path: str) -> str:
    for prefix, label in FACT_LABELS:
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            return label
    return path


def has_pending(value: Any) -> bool:
    if isinstance(value, dict):
        return any(has_pending(v) for v in value.values())
    if isinstance(value, list):
        return any(has_pending(v) for v in value)
    return isinstance(value, str) and PENDING in value


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _materials(data: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in _list(data.get("materials")):
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            shown = {k: v for k, v in item.items() if k not in ("when", "for")}
            found.setdefault(f"materials.{item['name'].strip()}", shown)
    return found


def service_fact_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Fact path → value for one service file (only the parts that are present)."""
    facts: dict[str, Any] = {}
    if "fee" in data:
        facts["fee"] = data.get("fee")
    for key in ("legal", "promised"):
        if key in _dict(data.get("time_limit")):
            facts[f"time_limit.{key}"] = data["time_limit"][key]
    facts.update(_materials(data))
    eligibility = _dict(data.get("eligibility"))
    if "who" in eligibility:
        facts["eligibility.who"] = eligibility["who"]
    for i, condition in enumerate(_list(eligibility.get("conditions"))):
        facts[f"eligibility.conditions[{i}]"] = condition
    if isinstance(data.get("place"), dict):
        facts["place"] = data["place"]
    for key in ("phone", "proxy"):
        if data.get(key) is not None:
            facts[key] = data[key]
    return facts


def bundle_fact_values(data: Mapping[str, Any]) -> dict[str, Any]:
    facts = _materials(data)
    if "time_limit" in data:
        facts["time_limit"] = data.get("time_limit")
    if isinstance(data.get("window"), dict):
        facts["window"] = data["window"]
    return facts


def county_fact_values(data: Mapping[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for key, hall in _dict(data.get("halls")).items():
        for field in ("address", "hours", "phone"):
            if isinstance(hall, dict) and hall.get(field) is not None:
                facts[f"halls.{key}.{field}"] = hall[field]
    for key, dept in _dict(data.get("departments")).items():
        if isinstance(dept, dict) and dept.get("phone") is not None:
            facts[f"departments.{key}.phone"] = dept["phone"]
    if data.get("hotline") is not None:
        facts["hotline"] = data["hotline"]
    return facts


def fact_values(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    build = {"service": service_fact_values, "bundle": bundle_fact_values, "county": county_fact_values}[kind]
    return build(data) if isinstance(data, Mapping) else {}


def sources_by_id(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(s["id"]): s for s in _list(data.get("sources")) if isinstance(s, dict) and isinstance(s.get("id"), str)}


def entry_of(data: Mapping[str, Any], path: str) -> dict[str, Any] | None:
    """The facts entry for `path`: a dict[str, Any], {} for 待核实, None when the path is not listed."""
    facts = _dict(data.get("facts"))
    if path not in facts:
        return None
    entry = facts[path]
    return dict(entry) if isinstance(entry, dict) else {}


def source_ids(entry: Mapping[str, Any]) -> list[str]:
    value = entry.get("source")
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def is_official(source: dict[str, Any] | None) -> bool:
    return isinstance(source, dict) and source.get("kind") in OFFICIAL_KINDS


def facts_of(kind: str, data: Mapping[str, Any]) -> list[Fact]:
    """Every fact of a file with its status, in file order."""
    sources = sources_by_id(data)
    result = []
    for path, value in fact_values(kind, data).items():
        entry = entry_of(data, path) or {}
        named = [sources.get(str(i)) for i in source_ids(entry)]
        official = bool(named) and all(is_official(s) for s in named)
        lead = sources.get(str(entry.get("lead"))) if entry.get("lead") is not None else None
        pending_value = has_pending(value)
        verified = not pending_value and official
        result.append(Fact(path, value, verified, named[0] if official else None, lead, entry, pending_value))
    return result


def unverified(kind: str, data: Mapping[str, Any]) -> list[Fact]:
    return [fact for fact in facts_of(kind, data) if not fact.verified]


def is_verified(kind: str, data: Mapping[str, Any]) -> bool:
    """All facts verified and nothing else in the file 待核实 (verification_note and facts aside)."""
    if not all(f.verified for f in facts_of(kind, data)):
        return False
    rest = {k: v for k, v in data.items() if k not in ("verification_note", "facts", "sources")}
    return not has_pending(rest)


def bundle_item_verified(
    kb_services: Mapping[str, dict[str, Any]], bundle: Mapping[str, Any], material: Mapping[str, Any]
) -> bool:
    """A bundle material is verified only when the bundle's own fact is, and every service it is for that
    lists the same document has verified it too: a bundle never states more than its services do."""
    name = str(material.get("name") or "").strip()
    path = f"materials.{name}"
    own = next((f for f in facts_of("bundle", bundle) if f.path == path), None)
    if own is None or not own.verified:
        return False
    for service_id in _list(material.get("for")):
        service = kb_services.get(service_id)
        if not isinstance(service, dict):
            continue
        theirs = next((f for f in facts_of("service", service) if f.path == path), None)
        if theirs is not None and not theirs.verified:
            return False
    return True


# National rules: what a law or a State Council / ministry text settles for every county (the fee, the legal
# time limit, who may apply and on what conditions, 亲友代办); places, hours, phones, promised time limits and
# material lists are county facts.
NATIONAL_RULE = re.compile(r"^(fee|time_limit\.legal|eligibility\..+|proxy)$")


@dataclass(frozen=True)
class Share:
    facts: int
    official: int
    settled: int  # the value itself is not 待核实

    @property
    def percent(self) -> int:
        return round(100 * self.official / self.facts) if self.facts else 100


def sourced_share(services: Mapping[str, Any], national_only: bool = True) -> Share:
    """How many service facts (national rules only, by default) are verified against an official source."""
    facts = [
        fact
        for data in services.values()
        if isinstance(data, Mapping)
        for fact in facts_of("service", data)
        if not national_only or NATIONAL_RULE.match(fact.path)
    ]
    return Share(len(facts), sum(f.verified for f in facts), sum(not f.pending_value for f in facts))


def source_date(fact: Fact) -> date | None:
    """When the fact was last checked against its source: verified_on, else the source's checked_on."""
    for value in (fact.entry.get("verified_on"), (fact.source or {}).get("checked_on")):
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                continue
    return None


def reconcile(kind: str, before: Mapping[str, Any], after: dict[str, Any]) -> None:
    """After a form edit: a fact whose value changed loses its source (it is 待核实 until confirmed again),
    entries of facts that no longer exist are dropped, new facts start as 待核实."""
    old_values, new_values = fact_values(kind, before), fact_values(kind, after)
    facts = dict(_dict(after.get("facts")))
    for path in list(facts):
        if path not in new_values:
            del facts[path]
    for path, value in new_values.items():
        if has_pending(value):
            continue
        if path not in facts or old_values.get(path) != value:
            facts[path] = PENDING
    after["facts"] = facts


# ---------------------------------------------------------------- the check


def check_sources(add: Callable[[str, str], None], data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """`sources`: ids, titles, url or doc, kind. Returns the sources by id. `add(field, problem)` reports."""
    found: dict[str, dict[str, Any]] = {}
    for i, src in enumerate(_list(data.get("sources"))):
        path = f"sources[{i}]"
        if not isinstance(src, dict):
            add(path, "应为 {id, title, url 或 doc, kind}")
            continue
        unknown = [k for k in src if k not in ("id", "title", "url", "doc", "kind", "checked_on")]
        for key in unknown:
            add(f"{path}.{key}", "未知字段（可用：id、title、url、doc、kind、checked_on）")
        sid = src.get("id")
        if not isinstance(sid, str) or not SOURCE_ID.match(sid):
            add(f"{path}.id", f"来源 id {sid!r} 应为小写字母、数字、下划线（如 law、s2）")
        elif sid in found:
            add(f"{path}.id", f"来源 id {sid} 重复")
        else:
            found[sid] = src
        if not isinstance(src.get("title"), str) or not src["title"].strip():
            add(f"{path}.title", "缺少必填项")
        url, doc = src.get("url"), src.get("doc")
        if url is None and doc is None:
            add(path, "需要 url（网址）或 doc（文号），至少一项")
        if url is not None and not (isinstance(url, str) and re.match(r"^https?://\S+$", url.strip())):
            add(f"{path}.url", f"{url!r} 不是 http(s) 网址（没有网址时删掉这一行，写 doc: 文号）")
        if doc is not None and not (isinstance(doc, str) and doc.strip() and PENDING not in doc):
            add(f"{path}.doc", f"文号应为文字，实际是 {doc!r}")
        if src.get("kind") not in SOURCE_KINDS:
            add(f"{path}.kind", f"取值 {src.get('kind')!r} 不在允许范围内（law | gov | lead）")
    return found


def check_facts(add: Callable[[str, str], None], kind: str, data: Mapping[str, Any]) -> None:
    """Every settled fact names an official source or is marked 待核实; every entry fits a fact."""
    sources = check_sources(add, data)
    values = fact_values(kind, data)
    facts = data.get("facts")
    if facts is not None and not isinstance(facts, dict):
        add("facts", "应为键值表（事实路径: {source: 来源id}）")
        facts = {}
    facts = facts or {}
    for path, value in values.items():
        if path not in facts and not has_pending(value):
            add(f"facts.{path}", "没有来源：写 {source: 来源id}（官方来源），找不到官方来源就写 待核实")
    for path, entry in facts.items():
        field = f"facts.{path}"
        if path not in values:
            add(field, "不对应任何事实（材料改名或删除后请一并修改）")
            continue
        if isinstance(entry, str):
            if entry.strip() != PENDING:
                add(field, f"应为 {{source: 来源id}} 或 待核实，实际是 {entry!r}")
            continue
        if not isinstance(entry, dict):
            add(field, f"应为 {{source: 来源id}} 或 待核实，实际是 {entry!r}")
            continue
        for key in entry:
            if key not in ENTRY_KEYS:
                add(f"{field}.{key}", f"未知字段（可用：{'、'.join(ENTRY_KEYS)}）")
        if isinstance(entry.get("source"), list) and not entry["source"]:
            add(f"{field}.source", "来源列表为空")
        for source_id in source_ids(entry):
            source = sources.get(source_id)
            if source is None:
                add(f"{field}.source", f"来源 {source_id!r} 不在本文件的 sources 中")
            elif not is_official(source):
                add(
                    f"{field}.source",
                    f"来源 {source_id} 不是官方来源（kind: lead）：改写为 lead: {source_id}，事实即为待核实",
                )
        lead_id = entry.get("lead")
        if lead_id is not None and str(lead_id) not in sources:
            add(f"{field}.lead", f"来源 {lead_id!r} 不在本文件的 sources 中")
        if entry.get("verified_on") is not None and not isinstance(entry.get("verified_on"), date):
            try:
                date.fromisoformat(str(entry["verified_on"]))
            except ValueError:
                add(f"{field}.verified_on", "日期格式应为 YYYY-MM-DD")
    if data.get("verified") is True and not is_verified(kind, data):
        open_facts = [f.path for f in unverified(kind, data)][:5]
        add("verified", f"还有未核实的事实（{', '.join(open_facts) or '待核实的内容'}），verified 必须为 false")
