"""一件事一次办: which questions to ask, how to read the answers, and the personalised checklist.

Everything is computed from the bundle file: questions (with `ask_if`), components and materials
(with `when`), so a new bundle needs a YAML file, not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.knowledge.facts import bundle_item_verified, facts_of
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.render import HOTLINE_HINT, PENDING_TEXT, show
from bot.knowledge.text import is_pending
from bot.knowledge.yes_no import read_yes_no

# "Not sure" is no answer to a choice either; yes/no answers are read by bot/knowledge/yes_no.py.
_UNSURE = re.compile(r"不知道|不清楚|不确定|不晓得|不懂|说不准|啥意思|什么意思|为啥|为什么")


def applies(when: dict[str, Any] | None, answers: dict[str, Any]) -> bool:
    """A `when`/`ask_if` condition holds when every listed answer matches."""
    return all(answers.get(key) == value for key, value in (when or {}).items())


def next_question(bundle: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any] | None:
    """The first question not answered yet whose `ask_if` holds, or None when all are done."""
    questions: list[dict[str, Any]] = bundle.get("questions") or []
    for question in questions:
        if question["id"] not in answers and applies(question.get("ask_if"), answers):
            return question
    return None


def answered_questions(bundle: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for q in bundle.get("questions") or [] if q["id"] in answers]


def options(question: dict[str, Any]) -> list[tuple[Any, str]]:
    """(value, label) pairs offered for a question, in order."""
    if question.get("type") == "yes_no":
        return [(True, "是"), (False, "否")]
    return [(o["value"], str(o["label"])) for o in question.get("options") or []]


def parse_answer(question: dict[str, Any], text: str) -> Any | None:
    """The value of an answer (True/False or an option value), or None if it cannot be read."""
    reply = re.sub(r"[\s，。！!？?、,.]+", "", text or "").lower()
    if not reply:
        return None
    choices = options(question)
    if reply.isdigit() and 1 <= int(reply) <= len(choices):
        return choices[int(reply) - 1][0]
    for value, label in choices:
        if reply in {label.lower(), str(value).lower()}:
            return value
    if _UNSURE.search(reply):
        return None
    if question.get("type") == "yes_no":
        return read_yes_no(text, openings=True)
    matches = [value for value, label in choices if label.lower() in reply or reply in label.lower()]
    return matches[0] if len(matches) == 1 else None


def describe_answer(question: dict[str, Any], value: Any) -> str:
    return next((label for v, label in options(question) if v == value), str(value))


@dataclass
class Checklist:
    bundle_id: str
    title: str
    materials: list[dict[str, Any]] = field(default_factory=list)
    handled: list[str] = field(default_factory=list)  # components the county handles together
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (component, why it was left out)
    where: str = ""
    online: str = ""
    time_limit: str = ""
    departments: list[str] = field(default_factory=list)


def component_name(kb: KnowledgeBase, component: dict[str, Any]) -> str:
    service = kb.services.get(component.get("service") or "")
    return str(component.get("name") or (service or {}).get("short_name") or (service or {}).get("name"))


def department_label(kb: KnowledgeBase, key: str) -> str:
    """A department as citizens can read it: its name; while the name is unconfirmed, what it runs
    (its hall: 供水单位营业厅) marked 名称待核实; never the file's key ("water") or a bare 待核实."""
    department = kb.department(key)
    name = str(department.get("name") or "")
    if name and not is_pending(name):
        return name
    hall = str(kb.hall(department.get("hall")).get("name") or "")
    return f"{hall}（名称待核实）" if hall and not is_pending(hall) else "相关单位（名称待核实）"


def build_checklist(kb: KnowledgeBase, bundle_id: str, answers: dict[str, Any]) -> Checklist:
    bundle = kb.bundles[bundle_id]
    checklist = Checklist(bundle_id, str(bundle["name"]))
    for component in bundle.get("components") or []:
        name = component_name(kb, component)
        if applies(component.get("when"), answers):
            checklist.handled.append(name)
        else:
            checklist.skipped.append((name, show(component.get("skipped_reason") or "和您的情况不相关。")))
    seen: set[str] = set()
    for material in bundle.get("materials") or []:
        if applies(material.get("when"), answers) and material["name"] not in seen:
            seen.add(material["name"])
            checklist.materials.append({**material, "_verified": bundle_item_verified(kb.services, bundle, material)})
    window = bundle.get("window") or {}
    hall = kb.hall(window.get("hall", ""))
    checklist.where = "，".join(
        filter(None, [show(hall.get("name")), show(window.get("window")) if window.get("window") else ""])
    )
    if hall.get("address") and not is_pending(hall["address"]):
        checklist.where += f"（{hall['address']}）"
    online = bundle.get("online") or {}
    channels = "、".join(online.get("channels") or [])
    if online.get("available") is False:
        checklist.online = "暂不支持网上申请，请到窗口办理"
    else:
        entry = show(online.get("entry"))
        checklist.online = f"{channels}，入口：{entry}" if channels else entry
    checklist.time_limit = show(bundle.get("time_limit"))
    doubtful = {f.path for f in facts_of("bundle", bundle) if not f.verified}
    if "time_limit" in doubtful and PENDING_TEXT not in checklist.time_limit:
        checklist.time_limit += UNVERIFIED_MARK
    if "window" in doubtful and PENDING_TEXT not in checklist.where:
        checklist.where += UNVERIFIED_MARK
    checklist.departments = [department_label(kb, key) for key in bundle.get("departments") or []]
    return checklist


UNVERIFIED_MARK = "（待核实）"
ELDERLY_CAVEAT = f"标“待核实”的，去前先打{HOTLINE_HINT}问清楚。"


def _unverified(material: dict[str, Any]) -> bool:
    return material.get("_verified") is False


def _material_line(material: dict[str, Any]) -> str:
    form = material.get("form")
    marks = []
    if form == "无需提交":
        marks.append("不用您准备")
    elif form and not is_pending(form):
        marks.append(str(form))
    if _unverified(material):
        marks.append("待核实")
    line = str(material["name"]) + (f"（{'，'.join(marks)}）" if marks else "")
    if material.get("note"):
        line += f"。{show(material['note'])}"
    return line


def render_checklist(checklist: Checklist, elderly: bool = False) -> str:
    to_bring = [m for m in checklist.materials if m.get("form") != "无需提交"]
    if elderly:
        lines = [f"【{checklist.title}清单】", "要带："]
        lines += [f"{i}. {m['name']}{UNVERIFIED_MARK if _unverified(m) else ''}" for i, m in enumerate(to_bring, 1)]
        lines += [f"到：{checklist.where}", f"多久：{checklist.time_limit}"]
        if "待核实" in "\n".join(lines):
            lines.append(ELDERLY_CAVEAT)
        return "\n".join(lines)
    lines = [f"【{checklist.title}·您的办事清单】", "一、需要您带的材料："]
    lines += [f"{i}. {_material_line(m)}" for i, m in enumerate(to_bring, 1)] or ["（无需另外准备材料）"]
    lines.append("二、这次一并为您办理：")
    lines += [f"{i}. {name}" for i, name in enumerate(checklist.handled, 1)]
    lines += ["三、在哪办：", f"窗口：{checklist.where}", f"网上：{checklist.online}"]
    lines += ["四、多久办好：", checklist.time_limit]
    if checklist.departments:
        lines.append("涉及部门：" + "、".join(checklist.departments))
    if "待核实" in "\n".join(lines):
        lines.append(f"说明：标“待核实”的内容还没有和官方文件核对，请以窗口答复为准，也可拨打{HOTLINE_HINT}问询。")
    return "\n".join(lines)


def render_skipped(checklist: Checklist) -> str:
    if not checklist.skipped:
        return "按您的情况，这件事包含的事项都要办，没有省掉的。"
    lines = ["按您的回答，这些事项这次不用办："]
    lines += [f"{i}. {name}：{reason}" for i, (name, reason) in enumerate(checklist.skipped, 1)]
    return "\n".join(lines)
