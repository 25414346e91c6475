"""Chinese reply text for one aspect of a service (pure functions over the knowledge base).

    render_aspect(kb, "id_card", "materials")               → ["办理身份证需要准备这些材料：\\n1. …", …]
    render_aspect(kb, "id_card", "materials", elderly=True) → short bubbles, 3 key points, then 回复“更多”
    related_questions(kb, "id_card", "materials")           → [("在哪里办？", "身份证办理在哪里办"), …]

Every value written 待核实 is shown as PENDING_TEXT. When a fact of the part asked (bot/knowledge/facts.py)
has no official source yet, one caveat line names that part, and only that part, and offers 12345; where a
phone is 待核实, 12345 is offered beside it. Elderly mode: one short point per bubble (≤ 40 characters
where possible), the same caveat in one short line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.knowledge.facts import Fact, fact_label, facts_of
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.schema import pending_paths
from bot.knowledge.text import is_pending

ASPECTS = ("materials", "fee", "time_limit", "place", "online", "eligibility", "steps", "proxy", "card")
HOTLINE_HINT = "12345政务服务便民热线"
UNVERIFIED_MARK = "（待核实）"
PENDING_TEXT = "待核实（请以窗口或电话答复为准）"
MORE_HINT = "回复“更多”看全部"
ELDERLY_MAX = 40
ELDERLY_POINTS = 3

# Field path prefixes → what citizens call that part (for the "尚未核实" line).
PART_LABELS = (
    ("summary", "事项说明"),
    ("eligibility", "办理条件"),
    ("materials", "所需材料"),
    ("steps", "办理流程"),
    ("time_limit.legal", "法定时限"),
    ("time_limit.promised", "承诺时限"),
    ("fee", "收费"),
    ("place", "办理地点"),
    ("online", "网上办理"),
    ("flags", "办理方式"),
    ("phone", "咨询电话"),
)
ASPECT_PARTS = {  # the parts of a service an aspect's answer shows
    "materials": ("materials",),
    "fee": ("fee",),
    "time_limit": ("time_limit",),
    "place": ("place", "phone"),
    "online": ("online", "flags"),
    "eligibility": ("eligibility",),
    "steps": ("steps",),
    "proxy": ("proxy",),
    "card": ("summary", "materials", "time_limit", "place", "online"),
}
FLAG_TEXTS = {  # flag: (text when true, short text)
    "full_online": ("可以全程网办，不用跑窗口", "可全程网办"),
    "cross_province": ("支持跨省通办，外省也能办", "可跨省通办"),
    "in_region": ("宁夏区内通办，区内其他县市也能办", "区内通办"),
    "commitment": ("可以告知承诺，部分证明写承诺书即可", "可告知承诺"),
    "rongque": ("可以容缺受理，个别材料可后补", "可容缺受理"),
    "agency": ("可以帮办代办", "可帮代办"),
    "home_service": ("行动不便的可以预约上门服务", "可上门服务"),
}
QUESTIONS = {  # aspect: (button title, question text after the service name)
    "materials": ("要带什么材料？", "要带什么材料"),
    "fee": ("要花钱吗？", "收费吗"),
    "time_limit": ("多久能办好？", "多久能办好"),
    "place": ("在哪里办？", "在哪里办"),
    "online": ("能网上办吗？", "能网上办吗"),
    "eligibility": ("谁可以办？", "需要什么条件"),
    "steps": ("怎么办理？", "办理流程是什么"),
    "proxy": ("家人能代办吗？", "家里人能替办吗"),
    "card": ("看办事指南", "办事指南"),
}
NEXT_ASPECTS = {  # what people usually ask next
    "materials": ("place", "time_limit", "fee"),
    "fee": ("materials", "online", "place"),
    "time_limit": ("materials", "place", "online"),
    "place": ("materials", "online", "time_limit"),
    "online": ("materials", "place", "steps"),
    "eligibility": ("materials", "steps", "place"),
    "steps": ("materials", "place", "online"),
    "proxy": ("materials", "place", "eligibility"),
    "card": ("materials", "place", "online"),
}


@dataclass
class _Answer:
    """An answer before layout: a heading, its points (full, short) and closing lines."""

    heading: str
    short_heading: str
    points: list[tuple[str, str]] = field(default_factory=list)
    numbered: bool = True
    tail: list[str] = field(default_factory=list)


def _dict(value: Any) -> dict[str, Any]:
    """Render never trusts types: a file served with errors may hold anything."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def show(value: Any) -> str:
    """A fact for display: 待核实 becomes PENDING_TEXT."""
    if value is None or value == "":
        return PENDING_TEXT
    return PENDING_TEXT if is_pending(value) else str(value).strip()


def service_display_name(kb: KnowledgeBase, service_id: str) -> str:
    data = kb.services.get(service_id) or {}
    return str(data.get("short_name") or data.get("name") or service_id)


def render_aspect(
    kb: KnowledgeBase, service_id: str, aspect: str, elderly: bool = False, full: bool = False
) -> list[str]:
    """Chat bubbles answering `aspect` of a service. In 长辈模式 the short wording with the first three
    points (then 回复“更多”); `full` (the answer to “更多”) keeps the short wording and lists every point."""
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect {aspect!r}; one of {ASPECTS}")
    service = kb.services.get(service_id)
    if service is None:
        return [_not_found(kb)]
    answer = _BUILDERS[aspect](kb, service, service_display_name(kb, service_id))
    note = _verification_line(kb, service, aspect, elderly)
    bubbles = _layout_elderly(answer, len(answer.points) if full else ELDERLY_POINTS) if elderly else _layout(answer)
    return bubbles + ([note] if note else [])


def related_questions(kb: KnowledgeBase, service_id: str, asked_aspect: str) -> list[tuple[str, str]]:
    """2–3 猜你想问 buttons: (title, text to send as if the citizen typed it)."""
    service = kb.services.get(service_id)
    if service is None:
        return []
    name = service_display_name(kb, service_id)
    buttons = [
        (QUESTIONS[a][0], f"{name}{QUESTIONS[a][1]}")
        for a in NEXT_ASPECTS.get(asked_aspect, ASPECTS)
        if a != asked_aspect
    ]
    related = [r for r in _list(service.get("related")) if isinstance(r, str) and r in kb.services]
    if related:
        other = service_display_name(kb, related[0])
        buttons = buttons[:2] + [(f"{other}怎么办？", f"{other}{QUESTIONS['card'][1]}")]
    return buttons[:3]


# ---------------------------------------------------------------- aspects


def _materials(kb: KnowledgeBase, s: dict[str, Any], name: str) -> _Answer:
    items = [m for m in _list(s.get("materials")) if isinstance(m, dict)]
    if not items:
        return _Answer(
            f"{name}的办事指南里没有列出要提交的材料。",
            f"{name}的指南没列材料，去前先问问窗口。",
            tail=["保险起见，去之前可以打电话问一下窗口。"],
        )
    answer = _Answer(f"{name}需要准备这些材料：", f"{name}要带{len(items)}样：")
    doubtful = {f.path for f in facts_of("service", s) if not f.verified and not f.pending_value}
    for m in items:
        mark = UNVERIFIED_MARK if f"materials.{str(m.get('name')).strip()}" in doubtful else ""
        full = f"{m.get('name')}{mark}：{_form(m)}"
        if m.get("note"):
            full += f"。{show(m['note'])}"
        if m.get("rongque") is True:
            full += "；可容缺，可以后补"
        short = str(m.get("name")) if m.get("form") in ("原件", None) else f"{m.get('name')}（{_short_form(m)}）"
        answer.points.append((full, short + (mark if mark and "待核实" not in short else "")))
    if any(m.get("rongque") is True for m in items):
        answer.tail.append("标“可容缺”的材料暂时缺了，也可以先受理、以后补交。")
    return answer


def _form(m: dict[str, Any]) -> str:
    form, count = m.get("form"), m.get("count", 1)
    if is_pending(form):
        return f"提交形式{PENDING_TEXT}"
    if form == "无需提交":
        return "不用自己提交"
    if is_pending(count):
        return f"{form}，份数{PENDING_TEXT}"
    if form == "电子证照":
        return "可用电子证照，不用带纸质件"
    return f"{form}{count}份" if isinstance(count, int) and count > 1 else str(form)


def _short_form(m: dict[str, Any]) -> str:
    form: Any = m.get("form")  # any YAML value
    return {"无需提交": "不用交", "电子证照": "电子证照即可"}.get(form, "待核实" if is_pending(form) else str(form))


def _fee(kb: KnowledgeBase, s: dict[str, Any], name: str) -> _Answer:
    fee = show(s.get("fee"))
    return _Answer(f"{name}的收费：{fee}。", f"{name}：{fee}。")


def _time_limit(kb: KnowledgeBase, s: dict[str, Any], name: str) -> _Answer:
    limits = _dict(s.get("time_limit"))
    answer = _Answer(f"{name}的办理时限：", f"{name}多久办好：", numbered=False)
    legal, promised = show(limits.get("legal")), show(limits.get("promised"))
    answer.points.append((f"承诺时限：{promised}", f"承诺：{promised}"))
    answer.points.append((f"法定时限：{legal}", f"最长：{legal}"))
    return answer


def _place(kb: KnowledgeBase, s: dict[str, Any], name: str) -> _Answer:
    place = _dict(s.get("place"))
    hall = kb.hall(place.get("hall"))
    answer = _Answer(f"{name}的办理地点：", f"{name}请到这里办：", numbered=False)
    where = show(hall.get("name"))
    if place.get("window"):
        where += f"，{show(place['window'])}"
    answer.points.append((f"地点：{where}", where))
    answer.points.append((f"地址：{show(hall.get('address'))}", f"地址：{show(hall.get('address'))}"))
    answer.points.append((f"时间：{show(hall.get('hours'))}", f"时间：{show(hall.get('hours'))}"))
    phone = _phone(kb, s)
    if phone == PENDING_TEXT:
        hotline = _hotline(kb)
        answer.points.append((f"电话：待核实；可先拨打{hotline}问询", f"电话待核实，可打{hotline}"))
    else:
        answer.points.append((f"电话：{phone}", f"电话：{phone}"))
    return answer


def _hotline(kb: KnowledgeBase) -> str:
    value = kb.county.get("hotline")
    number = str(value).strip() if isinstance(value, (str, int)) and not is_pending(value) else "12345"
    return f"{number}政务服务便民热线" if number == "12345" else number


def _phone(kb: KnowledgeBase, s: dict[str, Any]) -> str:
    """The service's phone, else its department's, else its hall's."""
    for value in (
        s.get("phone"),
        kb.department(s.get("department")).get("phone"),
        kb.hall(_dict(s.get("place")).get("hall")).get("phone"),
    ):
        if value is not None and not is_pending(value):
            return str(value)
    return PENDING_TEXT


def _online(kb: KnowledgeBase, s: dict[str, Any], name: str) -> _Answer:
    online, flags = _dict(s.get("online")), _dict(s.get("flags"))
    available = online.get("available")
    channels = "、".join(map(str, _list(online.get("channels")))) or PENDING_TEXT
    if available is True:
        answer = _Answer(f"{name}可以在网上办：", f"{name}能网上办。", numbered=False)
        answer.points.append((f"渠道：{channels}", f"用{channels}"))
        if online.get("entry"):
            answer.points.append((f"入口：{show(online['entry'])}", f"入口：{show(online['entry'])}"))
    elif available is False:
        answer = _Answer(f"{name}目前不能在网上办，需要到窗口办理。", f"{name}要到窗口办。", numbered=False)
    else:
        answer = _Answer(f"{name}能不能在网上办：{PENDING_TEXT}。", f"{name}能否网上办，还在核实。", numbered=False)
    for key, (full, short) in FLAG_TEXTS.items():
        if flags.get(key) is True and (available is True or key != "full_online"):
            answer.points.append((f"{full}。", f"{short}。"))
    return answer


def _eligibility(kb: KnowledgeBase, s: dict[str, Any], name: str) -> _Answer:
    elig = _dict(s.get("eligibility"))
    answer = _Answer(f"{name}谁可以办：{show(elig.get('who'))}。", f"谁能办：{show(elig.get('who'))}。")
    conditions = _list(elig.get("conditions"))
    if conditions:
        answer.heading += "\n需要符合这些条件："
        answer.points = [(show(c), show(c)) for c in conditions]
    return answer


def _steps(kb: KnowledgeBase, s: dict[str, Any], name: str) -> _Answer:
    steps = _list(s.get("steps"))
    answer = _Answer(f"{name}的办理流程：", f"{name}分{len(steps)}步：")
    answer.points = [(show(step), show(step)) for step in steps]
    return answer


def _proxy(kb: KnowledgeBase, s: dict[str, Any], name: str) -> _Answer:
    """亲友代办: may a relative or an agent apply on the citizen's behalf, and what that needs."""
    proxy = _dict(s.get("proxy"))
    allowed = proxy.get("allowed")
    if allowed is True:
        answer = _Answer(f"{name}可以由亲友代办，代办时要带：", f"{name}家人能代办，要带：")
        answer.points = [(show(n), show(n)) for n in _list(proxy.get("needs"))]
    elif allowed is False:
        answer = _Answer(f"{name}需要本人亲自办理，亲友不能代办。", f"{name}要本人去办，别人不能代。")
    else:
        answer = _Answer(f"{name}能不能由亲友代办：{PENDING_TEXT}。", f"{name}能否代办还在核实。", numbered=False)
    if proxy.get("note"):
        answer.tail.append(show(proxy["note"]))
    return answer


def _card(kb: KnowledgeBase, s: dict[str, Any], name: str) -> _Answer:
    answer = _Answer(f"【{name}·办事指南】", f"【{name}】", numbered=False)
    materials = [str(m.get("name")) for m in _list(s.get("materials")) if isinstance(m, dict)]
    shown = "、".join(materials[:3]) + (f"等{len(materials)}项" if len(materials) > 3 else "")
    limits = _dict(s.get("time_limit"))
    promised = limits.get("promised")
    time_text = show(limits.get("legal")) if is_pending(promised) or not promised else show(promised)
    place = _dict(s.get("place"))
    where = show(kb.hall(place.get("hall")).get("name"))
    if place.get("window") and not is_pending(place["window"]):
        where += f"，{place['window']}"
    available: Any = _dict(s.get("online")).get("available")  # True, False or anything else (pending)
    online = {True: "可以", False: "不能，需到窗口办理"}.get(available, PENDING_TEXT)
    answer.points = [
        (f"办什么：{show(s.get('summary'))}", f"办什么：{show(s.get('summary'))}"),
        (f"主要材料：{shown or '指南未列出'}", f"要带：{shown or '指南未列出'}"),
        (f"办理时限：{time_text}", f"多久：{time_text}"),
        (f"办理地点：{where}", f"到：{where}"),
        (f"网上办理：{online}", f"网上办：{online}"),
    ]
    return answer


_BUILDERS = {
    "materials": _materials,
    "fee": _fee,
    "time_limit": _time_limit,
    "place": _place,
    "online": _online,
    "eligibility": _eligibility,
    "steps": _steps,
    "proxy": _proxy,
    "card": _card,
}


# ---------------------------------------------------------------- layout


def _layout(answer: _Answer) -> list[str]:
    lines = [answer.heading]
    for i, (full, _) in enumerate(answer.points, 1):
        lines.append(f"{i}. {full}" if answer.numbered and len(answer.points) > 1 else full)
    return ["\n".join(lines)] + answer.tail


def _layout_elderly(answer: _Answer, points: int = ELDERLY_POINTS) -> list[str]:
    bubbles = _fit(answer.short_heading)
    for i, (_, short) in enumerate(answer.points[:points], 1):
        bubbles += _fit(f"{i}. {short}" if answer.numbered and len(answer.points) > 1 else short)
    if len(answer.points) > points:
        bubbles.append(MORE_HINT)
    return bubbles


def _fit(text: str, limit: int = ELDERLY_MAX) -> list[str]:
    """Split a long text at sentence or clause marks into bubbles of ≤ limit characters where possible."""
    if len(text) <= limit:
        return [text]
    pieces = [p for p in re.split(r"(?<=[。；！？，、])", text) if p]
    bubbles, current = [], ""
    for piece in pieces:
        if current and len(current) + len(piece) > limit:
            bubbles.append(current)
            current = ""
        current += piece
    return bubbles + [current] if current else bubbles


def _pending_parts(service: dict[str, Any], parts: tuple[str, ...]) -> list[str]:
    """Citizen-facing names of the given parts whose text contains 待核实 (steps, online, flags …)."""
    paths = pending_paths(service)
    return [
        label
        for prefix, label in PART_LABELS
        if any(prefix == p or prefix.startswith(p + ".") for p in parts)
        and any(x == prefix or x.startswith(prefix + ".") or x.startswith(prefix + "[") for x in paths)
    ]


def _county_facts(kb: KnowledgeBase, service: dict[str, Any]) -> list[Fact]:
    """The county facts a place answer shows: the hall's address, hours, phone and the department phone."""
    hall = f"halls.{_dict(service.get('place')).get('hall')}."
    department = f"departments.{service.get('department')}.phone"
    return [f for f in facts_of("county", kb.county) if f.path.startswith(hall) or f.path == department]


def doubtful_parts(kb: KnowledgeBase, service: dict[str, Any], aspect: str) -> list[str]:
    """What is not confirmed in the part asked, named for citizens: ['收费'], ['法定时限', '承诺时限'] …"""
    parts = ASPECT_PARTS[aspect]
    facts = [f for f in facts_of("service", service) if not f.verified]
    if aspect == "place":
        facts += [f for f in _county_facts(kb, service) if not f.verified]
    names: list[str] = []
    for fact in facts:
        if not any(
            fact.path == p or fact.path.startswith((p + ".", p + "[")) for p in parts + ("halls", "departments")
        ):
            continue
        label = _fact_name(fact)
        if label not in names:
            names.append(label)
    if not any(p in ("fee", "time_limit", "materials", "eligibility", "proxy") for p in parts):
        names += [label for label in _pending_parts(service, parts) if label not in names]
    if aspect == "proxy" and not isinstance(service.get("proxy"), dict):
        names.append("亲友代办")  # nothing written yet: the answer itself says 待核实
    return names


def _fact_name(fact: Fact) -> str:
    if fact.path.startswith("halls.") or fact.path.startswith("departments."):
        return {"address": "地址", "hours": "办公时间", "phone": "电话"}.get(fact.path.rsplit(".", 1)[-1], "地点")
    if fact.path == "phone":
        return "电话"
    return fact_label(fact.path)


def _verification_line(kb: KnowledgeBase, service: dict[str, Any], aspect: str, elderly: bool) -> str | None:
    """One line naming what is not confirmed in the part asked, and only that part; None when all is."""
    names = doubtful_parts(kb, service, aspect)
    if not names:
        return None
    shown = "、".join(names[:3]) + ("等" if len(names) > 3 else "")
    if elderly:
        return f"{shown}还在核实，去前先打12345问问。"
    return f"说明：{shown}尚未和官方文件核实，请以窗口答复为准，也可拨打{HOTLINE_HINT}问询。"


def _not_found(kb: KnowledgeBase) -> str:
    hotline = kb.county.get("hotline")
    if isinstance(hotline, dict):
        hotline = hotline.get("phone") or hotline.get("number")
    ok = isinstance(hotline, (str, int)) and not isinstance(hotline, bool) and not is_pending(hotline)
    tail = f"，也可以拨打{hotline}咨询" if ok else ""
    return f"抱歉，暂时没有这项服务的办事信息{tail}。"
