"""Validation of the knowledge base files (formats defined in knowledge/README.md).

Pure functions over parsed YAML: each returns a list of `Issue`s and never stops at the first one.
`validate_base` runs every per-file check plus the cross-file ones (names and aliases, references).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.knowledge.facts import check_facts
from bot.knowledge.text import PENDING, fold, has_whitespace, is_pending

CATEGORIES = (
    "户籍证件",
    "社会保障",
    "医疗保障",
    "婚姻家庭",
    "社会救助",
    "残疾人服务",
    "卫生健康",
    "不动产与住房",
    "市场主体",
    "教育",
    "交通出行",
    "退役军人",
    "农业农村",
    "水电气报装",
    "法律服务",
    "其他",
)
MATERIAL_FORMS = ("原件", "复印件", "原件及复印件", "电子证照", "无需提交", PENDING)
FLAGS = ("full_online", "commitment", "rongque", "cross_province", "in_region", "agency", "home_service")
QUESTION_TYPES = ("yes_no", "choice")
SNAKE_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")

SERVICE_KEYS = {
    "required": (
        "id",
        "name",
        "aliases",
        "department",
        "category",
        "summary",
        "eligibility",
        "materials",
        "steps",
        "time_limit",
        "fee",
        "place",
        "online",
        "flags",
        "sources",
        "verified",
    ),
    "optional": ("short_name", "keywords", "phone", "related", "proxy", "facts", "verification_note"),
}
PROXY_KEYS = ("allowed", "needs", "note")
BUNDLE_KEYS = {
    "required": (
        "id",
        "name",
        "aliases",
        "summary",
        "departments",
        "questions",
        "components",
        "materials",
        "window",
        "online",
        "time_limit",
        "sources",
        "verified",
    ),
    "optional": ("sensitive", "opening", "keywords", "facts", "verification_note"),
}


@dataclass(frozen=True)
class Issue:
    """One problem: `file: field.path: problem`."""

    file: str
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field or '(整个文件)'}: {self.problem}"


class _Checker:
    """Collects issues for one file; small typed getters that report instead of raising."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[Issue] = []

    def add(self, field: str, problem: str) -> None:
        self.issues.append(Issue(self.file, field, problem))

    def keys(self, data: Mapping[str, Any], path: str, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        allowed = set(required) | set(optional)
        for key in required:
            if key not in data or data[key] is None:
                self.add(_join(path, key), "缺少必填项")
        for key in data:
            if key not in allowed:
                self.add(_join(path, str(key)), f"未知字段（可用：{'、'.join(sorted(allowed))}）")

    def text(self, data: Mapping[str, Any], key: str, path: str, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:  # a missing required key is reported by keys()
            if not required and key in data:
                self.add(_join(path, key), "为空：填写内容或删掉这一行")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(_join(path, key), f"应为非空文字，实际是 {value!r}")
            return None
        return value

    def mapping(self, data: Mapping[str, Any], key: str, path: str) -> dict[str, Any] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(_join(path, key), f"应为键值表（key: value），实际是 {type(value).__name__}")
            return None
        return value

    def seq(self, data: Mapping[str, Any], key: str, path: str, non_empty: bool = False) -> list[Any] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.add(_join(path, key), f"应为列表（- 项目），实际是 {type(value).__name__}")
            return None
        if non_empty and not value:
            self.add(_join(path, key), "列表不能为空")
        return value

    def text_list(self, data: Mapping[str, Any], key: str, path: str, non_empty: bool = False) -> list[str]:
        items = self.seq(data, key, path, non_empty) or []
        good = []
        for i, item in enumerate(items):
            if isinstance(item, str) and item.strip():
                good.append(item)
            else:
                self.add(f"{_join(path, key)}[{i}]", f"应为非空文字，实际是 {item!r}")
        return good

    def choice(self, data: Mapping[str, Any], key: str, path: str, allowed: Iterable[Any]) -> Any:
        """The value if it is one of `allowed`; a missing value is reported by keys()."""
        value, allowed = data.get(key), tuple(allowed)
        if value is None:
            return None
        if isinstance(value, str):
            value = value.strip()
        if not any(value == a and type(value) is type(a) for a in allowed):
            shown = " | ".join(_show(a) for a in allowed)
            self.add(_join(path, key), f"取值 {_show(value)} 不在允许范围内（{shown}）")
            return None
        return value

    def tristate(self, data: Mapping[str, Any], key: str, path: str) -> Any:
        return self.choice(data, key, path, (True, False, PENDING))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _show(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value) if isinstance(value, str) else repr(value)


def _is_phone(value: Any) -> bool:
    return (isinstance(value, str) and bool(value.strip())) or (isinstance(value, int) and not isinstance(value, bool))


# ---------------------------------------------------------------- shared parts


def _check_id(c: _Checker, data: Mapping[str, Any], stem: str) -> None:
    value = data.get("id")
    if value is None:
        return
    if not isinstance(value, str) or not SNAKE_ID.match(value):
        c.add("id", f"{value!r} 不是 ascii snake_case（如 id_card）")
    elif value != stem:
        c.add("id", f"{value} 与文件名 {stem}.yml 不一致")
    if not SNAKE_ID.match(stem):
        c.add("id", f"文件名 {stem}.yml 不是 ascii snake_case")


def _check_sources(c: _Checker, data: Mapping[str, Any], kind: str) -> None:
    """`sources` (ids, url or doc, kind) and `facts` (a source or 待核实 for every fact): bot/knowledge/facts.py."""
    if "sources" in data:
        c.seq(data, "sources", "", non_empty=True)
    check_facts(c.add, kind, data)


def pending_paths(value: Any, path: str = "") -> list[str]:
    """Field paths whose text contains 待核实 (verification_note itself excluded)."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if path == "" and key in ("verification_note", "facts"):
                continue
            found += pending_paths(item, _join(path, str(key)))
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in pending_paths(item, f"{path}[{i}]")]
    return [path] if isinstance(value, str) and PENDING in value else []


def _check_verification(c: _Checker, data: Mapping[str, Any]) -> None:
    verified = data.get("verified")
    if "verified" in data and not isinstance(verified, bool):
        c.add("verified", f"应为 true 或 false，实际是 {verified!r}")
    pending = pending_paths(data)
    note = data.get("verification_note")
    if note is not None and not isinstance(note, str):
        c.add("verification_note", f"应为文字，实际是 {note!r}")
    if pending and verified is not False:
        c.add("verified", f"有待核实的内容（{', '.join(pending[:5])}），verified 必须为 false")
    if (pending or verified is False) and not (isinstance(note, str) and note.strip()):
        c.add("verification_note", "verified 为 false 时必须说明哪些内容待核实")


def _check_labels(c: _Checker, data: Mapping[str, Any]) -> None:
    """name, short_name, aliases: texts citizens type; aliases also become jieba words."""
    c.text(data, "name", "")
    c.text(data, "short_name", "", required=False)
    aliases = c.seq(data, "aliases", "", non_empty=True) or []
    seen: set[str] = set()
    for i, alias in enumerate(aliases):
        path = f"aliases[{i}]"
        if not isinstance(alias, str) or not alias.strip():
            c.add(path, f"别名应为非空文字，实际是 {alias!r}")
        elif len(alias.strip()) < 2:
            c.add(path, f"别名 {alias!r} 太短（至少两个字，否则会误中别的话）")
        elif has_whitespace(alias):
            c.add(path, f"别名 {alias!r} 含空格（jieba 无法把它切成一个词）")
        elif fold(alias) in seen:
            c.add(path, f"别名 {alias} 重复")
        else:
            seen.add(fold(alias))


def _check_hall_ref(c: _Checker, data: Mapping[str, Any], path: str, county: Mapping[str, Any]) -> None:
    hall = c.text(data, "hall", path)
    halls = county.get("halls") if isinstance(county.get("halls"), dict) else {}
    if hall and halls and hall not in halls:  # no halls at all: reported once for county.yml
        c.add(_join(path, "hall"), f"大厅 {hall} 不在 county.yml 的 halls 中（有：{'、'.join(halls) or '无'}）")


def _check_department_ref(c: _Checker, key: Any, path: str, county: Mapping[str, Any]) -> None:
    departments = county.get("departments") if isinstance(county.get("departments"), dict) else {}
    if not isinstance(key, str) or (departments and key not in departments):
        c.add(path, f"部门 {key!r} 不在 county.yml 的 departments 中")


def _check_materials(
    c: _Checker,
    items: list[Any],
    questions: Mapping[str, dict[str, Any]] | None = None,
    components: set[str] | None = None,
) -> None:
    """Service materials; with `questions`/`components` also the bundle extras (when, for)."""
    bundle = questions is not None
    optional = ("count", "note", "rongque") + (("when", "for") if bundle else ())
    for i, item in enumerate(items):
        path = f"materials[{i}]"
        if not isinstance(item, dict):
            c.add(path, "应为 {name: …, form: …}")
            continue
        c.keys(item, path, ("name", "form"), optional)
        c.text(item, "name", path)
        c.choice(item, "form", path, MATERIAL_FORMS)
        if "count" in item:
            count = item["count"]
            if not (is_pending(count) or (isinstance(count, int) and not isinstance(count, bool) and count >= 1)):
                c.add(f"{path}.count", f"份数应为正整数或 待核实，实际是 {count!r}")
        c.text(item, "note", path, required=False)
        if "rongque" in item:
            c.tristate(item, "rongque", path)
        if questions is not None:  # a bundle's material: components come with the questions
            _check_when(c, item, "when", path, questions)
            for j, ref in enumerate(c.seq(item, "for", path) or []):
                if ref not in (components or set()):
                    c.add(f"{path}.for[{j}]", f"{ref!r} 不是本文件 components 中的 service 或 name")


def _check_when(
    c: _Checker, data: Mapping[str, Any], key: str, path: str, questions: Mapping[str, dict[str, Any]]
) -> None:
    """`when`/`ask_if`: {question_id: answer}; keys must be known (earlier) questions, values must fit."""
    cond = c.mapping(data, key, path)
    for qid, answer in (cond or {}).items():
        field = f"{_join(path, key)}.{qid}"
        question = questions.get(qid)
        if question is None:
            c.add(field, f"{qid} 不是{'前面' if key == 'ask_if' else ''}已定义的问题 id")
        elif question.get("type") == "yes_no" and not isinstance(answer, bool):
            c.add(field, f"是非题的答案应为 true 或 false，实际是 {answer!r}")
        elif question.get("type") == "choice":
            values = [o.get("value") for o in question.get("options") or [] if isinstance(o, dict)]
            if answer not in values:
                c.add(field, f"{answer!r} 不是问题 {qid} 的选项（{'、'.join(map(str, values))}）")


# ---------------------------------------------------------------- county


def validate_county(data: Any, file: str = "county.yml") -> list[Issue]:
    """county.yml: halls and departments by key, other county-wide facts free-form."""
    c = _Checker(file)
    if not isinstance(data, dict):
        c.add("", "文件内容应为键值表")
        return c.issues
    halls = c.mapping(data, "halls", "")
    departments = c.mapping(data, "departments", "")
    if not halls:
        c.add("halls", "至少需要一个大厅（如 county_center）")
    if not departments:
        c.add("departments", "至少需要一个部门")
    for key, hall in (halls or {}).items():
        path = f"halls.{key}"
        if not SNAKE_ID.match(str(key)):
            c.add(path, "键应为 ascii snake_case")
        if not isinstance(hall, dict):
            c.add(path, "应为 {name, address, hours, phone}")
            continue
        if hall.get("name") is None:
            c.add(f"{path}.name", "缺少必填项")
        c.text(hall, "name", path)
        for field in ("address", "hours"):
            c.text(hall, field, path, required=False)
        if hall.get("phone") is not None and not _is_phone(hall["phone"]):
            c.add(f"{path}.phone", f"电话应为文字，实际是 {hall['phone']!r}")
    for key, dept in (departments or {}).items():
        path = f"departments.{key}"
        if not SNAKE_ID.match(str(key)):
            c.add(path, "键应为 ascii snake_case")
        if isinstance(dept, str):
            continue  # short form: key: 部门名称
        if not isinstance(dept, dict):
            c.add(path, "应为部门名称，或 {name, phone, …}")
            continue
        if dept.get("name") is None:
            c.add(f"{path}.name", "缺少必填项")
        c.text(dept, "name", path)
        if dept.get("phone") is not None and not _is_phone(dept["phone"]):
            c.add(f"{path}.phone", f"电话应为文字，实际是 {dept['phone']!r}")
        if dept.get("hall") is not None and dept["hall"] not in (halls or {}):
            c.add(f"{path}.hall", f"大厅 {dept['hall']!r} 不在 halls 中")
    _check_sources(c, data, "county")
    _check_verification(c, data)
    return c.issues


# ---------------------------------------------------------------- service


def validate_service(
    data: Any, file: str, county: Mapping[str, Any], service_ids: set[str] | None = None
) -> list[Issue]:
    """One services/<id>.yml. `service_ids` (all known ids) enables the `related` check."""
    c = _Checker(file)
    if not isinstance(data, dict):
        c.add("", "文件内容应为键值表")
        return c.issues
    c.keys(data, "", SERVICE_KEYS["required"], SERVICE_KEYS["optional"])
    _check_id(c, data, _stem(file))
    _check_labels(c, data)
    c.text_list(data, "keywords", "")
    if "department" in data:
        _check_department_ref(c, data["department"], "department", county)
    if "category" in data:
        c.choice(data, "category", "", CATEGORIES)
    c.text(data, "summary", "")

    eligibility = c.mapping(data, "eligibility", "")
    if eligibility is not None:
        c.keys(eligibility, "eligibility", ("who",), ("conditions",))
        c.text(eligibility, "who", "eligibility")
        c.text_list(eligibility, "conditions", "eligibility")

    _check_materials(c, c.seq(data, "materials", "") or [])
    c.text_list(data, "steps", "", non_empty=True)

    time_limit = c.mapping(data, "time_limit", "")
    if time_limit is not None:
        c.keys(time_limit, "time_limit", ("legal", "promised"))
        c.text(time_limit, "legal", "time_limit")
        c.text(time_limit, "promised", "time_limit")
    c.text(data, "fee", "")

    place = c.mapping(data, "place", "")
    if place is not None:
        c.keys(place, "place", ("hall",), ("window",))
        _check_hall_ref(c, place, "place", county)
        c.text(place, "window", "place", required=False)

    online = c.mapping(data, "online", "")
    if online is not None:
        c.keys(online, "online", ("available",), ("channels", "entry"))
        available = c.tristate(online, "available", "online")
        channels = c.text_list(online, "channels", "online")
        c.text(online, "entry", "online", required=False)
        if available is True and not channels:
            c.add("online.channels", "可网上办理时应写明渠道")

    flags = c.mapping(data, "flags", "")
    if flags is not None:
        for key in flags:
            if key not in FLAGS:
                c.add(f"flags.{key}", f"未知标志（可用：{'、'.join(FLAGS)}）")
        for key in FLAGS:
            if flags.get(key) is None:
                c.add(f"flags.{key}", "缺少标志（填 true、false 或 待核实）")
            c.tristate(flags, key, "flags")

    if data.get("phone") is not None and not _is_phone(data["phone"]):
        c.add("phone", f"电话应为文字，实际是 {data['phone']!r}")
    for i, ref in enumerate(c.seq(data, "related", "") or []):
        if ref == data.get("id"):
            c.add(f"related[{i}]", "不能关联自己")
        elif service_ids is not None and ref not in service_ids:
            c.add(f"related[{i}]", f"事项 {ref!r} 不存在（services/{ref}.yml）")
    proxy = c.mapping(data, "proxy", "")
    if proxy is not None:
        c.keys(proxy, "proxy", ("allowed",), ("needs", "note"))
        c.tristate(proxy, "allowed", "proxy")
        c.text_list(proxy, "needs", "proxy")
        c.text(proxy, "note", "proxy", required=False)
    _check_sources(c, data, "service")
    _check_verification(c, data)
    return c.issues


# ---------------------------------------------------------------- bundle


def validate_bundle(
    data: Any, file: str, county: Mapping[str, Any], service_ids: set[str] | None = None
) -> list[Issue]:
    """One bundles/<id>.yml (一件事一次办). `service_ids` enables the component reference check."""
    c = _Checker(file)
    if not isinstance(data, dict):
        c.add("", "文件内容应为键值表")
        return c.issues
    c.keys(data, "", BUNDLE_KEYS["required"], BUNDLE_KEYS["optional"])
    _check_id(c, data, _stem(file))
    _check_labels(c, data)
    c.text_list(data, "keywords", "")
    if "sensitive" in data and not isinstance(data["sensitive"], bool):
        c.add("sensitive", f"应为 true 或 false，实际是 {data['sensitive']!r}")
    c.text(data, "opening", "", required=False)
    c.text(data, "summary", "")
    for i, dept in enumerate(c.seq(data, "departments", "", non_empty=True) or []):
        _check_department_ref(c, dept, f"departments[{i}]", county)

    questions: dict[str, dict[str, Any]] = {}  # grows in order, so ask_if only sees earlier questions
    for i, q in enumerate(c.seq(data, "questions", "") or []):
        path = f"questions[{i}]"
        if not isinstance(q, dict):
            c.add(path, "应为 {id, ask, type, …}")
            continue
        c.keys(q, path, ("id", "ask", "type"), ("options", "ask_if", "why"))
        qid = q.get("id")
        if not isinstance(qid, str) or not SNAKE_ID.match(qid):
            c.add(f"{path}.id", f"{qid!r} 不是 ascii snake_case")
        elif qid in questions:
            c.add(f"{path}.id", f"问题 id {qid} 重复")
        c.text(q, "ask", path)
        c.text(q, "why", path, required=False)
        qtype = c.choice(q, "type", path, QUESTION_TYPES)
        options = c.seq(q, "options", path)
        if qtype == "choice":
            _check_options(c, options or [], path)
        elif qtype == "yes_no" and options:
            c.add(f"{path}.options", "是非题（yes_no）不需要 options")
        _check_when(c, q, "ask_if", path, questions)
        if isinstance(qid, str) and qid not in questions:
            questions[qid] = q

    refs: set[str] = set()
    for i, comp in enumerate(c.seq(data, "components", "", non_empty=True) or []):
        path = f"components[{i}]"
        if not isinstance(comp, dict):
            c.add(path, "应为 {service: …} 或 {name: …}")
            continue
        c.keys(comp, path, (), ("service", "name", "when", "skipped_reason"))
        if comp.get("service") is None and comp.get("name") is None:
            c.add(path, "需要 service（事项 id）或 name")
        service = comp.get("service")
        if service is not None:
            if not isinstance(service, str):
                c.add(f"{path}.service", f"应为事项 id，实际是 {service!r}")
            else:
                refs.add(service)  # even if missing: reported once here, not again under materials.for
                if service_ids is not None and service not in service_ids:
                    c.add(f"{path}.service", f"事项 {service!r} 不存在（services/{service}.yml）")
        name = c.text(comp, "name", path, required=False)
        if name:
            refs.add(name)
        _check_when(c, comp, "when", path, questions)
        c.text(comp, "skipped_reason", path, required=False)

    _check_materials(c, c.seq(data, "materials", "") or [], questions, refs)

    window = c.mapping(data, "window", "")
    if window is not None:
        c.keys(window, "window", ("hall",), ("window",))
        _check_hall_ref(c, window, "window", county)
        c.text(window, "window", "window", required=False)
    online = c.mapping(data, "online", "")
    if online is not None:
        c.keys(online, "online", (), ("available", "channels", "entry"))
        if "available" in online:
            c.tristate(online, "available", "online")
        c.text_list(online, "channels", "online")
        c.text(online, "entry", "online", required=False)
    c.text(data, "time_limit", "")
    _check_sources(c, data, "bundle")
    _check_verification(c, data)
    return c.issues


def _check_options(c: _Checker, options: list[Any], path: str) -> None:
    if not options:
        c.add(f"{path}.options", "选择题（choice）需要至少两个选项")
    values = set()
    for j, opt in enumerate(options):
        opath = f"{path}.options[{j}]"
        if not isinstance(opt, dict):
            c.add(opath, "应为 {value: …, label: …}")
            continue
        c.keys(opt, opath, ("value", "label"))
        c.text(opt, "label", opath)
        value = opt.get("value")
        if value in values:
            c.add(f"{opath}.value", f"选项值 {value!r} 重复")
        values.add(value)


def _stem(file: str) -> str:
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:-4] if name.endswith(".yml") else name


# ---------------------------------------------------------------- whole base


def item_labels(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, text) for every name a citizen may use: name, short_name, each alias."""
    labels = []
    for field in ("name", "short_name"):
        if isinstance(data.get(field), str) and data[field].strip():
            labels.append((field, data[field].strip()))
    for i, alias in enumerate(data.get("aliases") or []):
        if isinstance(alias, str) and alias.strip():
            labels.append((f"aliases[{i}]", alias.strip()))
    return labels


def validate_labels(items: Iterable[tuple[str, str, str, Mapping[str, Any]]]) -> list[Issue]:
    """One name → one thing: no name/short_name/alias of one item equals one of another item.

    `items` are (file, kind, id, data), checked in the given order; the later file gets the issue.
    """
    owner: dict[str, tuple[str, str, str]] = {}  # normalized label → (kind, id, file)
    issues = []
    for file, kind, item_id, data in items:
        mine: set[str] = set()
        for field, label in item_labels(data):
            key = fold(label)
            other = owner.get(key)
            if other and (other[0], other[1]) != (kind, item_id):
                issues.append(Issue(file, field, f"{label!r} 已被 {other[2]} 使用（一个名称只能指向一个事项）"))
            elif not other:
                mine.add(key)
        for key in mine:
            owner[key] = (kind, item_id, file)
    return issues


def validate_base(
    county: Any,
    services: Mapping[str, Any],
    bundles: Mapping[str, Any],
    county_file: str = "county.yml",
    other_service_ids: Iterable[str] = (),
) -> list[Issue]:
    """Everything: `services`/`bundles` map a file path (…/<id>.yml) to its parsed YAML.

    `other_service_ids`: services whose files exist but could not be parsed (still valid references).
    """
    issues = validate_county(county, county_file)
    county_map = county if isinstance(county, dict) else {}
    service_ids = {_stem(f) for f in services} | set(other_service_ids)
    for file in sorted(services):
        issues += validate_service(services[file], file, county_map, service_ids)
    for file in sorted(bundles):
        issues += validate_bundle(bundles[file], file, county_map, service_ids)
    items = [(f, "service", _stem(f), d) for f, d in sorted(services.items()) if isinstance(d, dict)]
    items += [(f, "bundle", _stem(f), d) for f, d in sorted(bundles.items()) if isinstance(d, dict)]
    return issues + validate_labels(items)
