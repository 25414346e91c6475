"""A citizen's letter in the dialogue: what was understood, the form pre-filled from it, the type's wording.

    letter = read_letter(text)     # triage (type, department top 3, urgency, kb_question) + extract (place, time …)
    understood_line(letter, elderly)   # "我理解您要投诉……拟转海原县人力资源和社会保障局。"

The complaint form (actions/complaint_form.py) calls `first_reading` once, on the description: it says in one or
two lines what was understood, pre-fills type, place, time, department and a phone written in the letter, and
follows the type: a question the knowledge base answers is answered (the ticket is still offered), one it
cannot answer is said so and offered as a 咨询 ticket; 建议 and 表扬 get their own wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import is_elderly, latest_user_text
from actions.grievance import LONG_LETTER
from actions.knowledge import knowledge_base
from actions.safety import mentioned_hazard_line
from actions.services import named_in_text
from bot.common.privacy import mask_phone
from bot.common.text import visible_length
from bot.knowledge.render import render_aspect
from bot.triage import triage
from bot.triage.extract import extract

CATEGORIES = ["咨询", "求助", "投诉", "举报", "建议", "表扬"]
ASKS_TIME = {"求助", "投诉", "举报"}  # what happened and when; a question or a suggestion has no "when"
UNASSIGNED = "待分派"
MARKER = "letter"  # custom message type of the "what was understood" reply (tests, bench, console)
# The 12345 topic of each department (knowledge/ticket_rules.yml names), for the one-line summary.
DEPARTMENT_TOPICS = {
    "海原县公安局": "公安政法",
    "海原县公安局交通警察大队": "交通运输",
    "海原县市场监督管理局": "商贸旅游",
    "海原县人力资源和社会保障局": "劳动和社会保障",
    "海原县医疗保障局": "劳动和社会保障",
    "海原县卫生健康局": "卫生计生",
    "海原县教育体育局": "教育文体",
    "海原县民政局": "民政",
    "海原县残疾人联合会": "民政",
    "海原县司法局": "公安政法",
    "国家税务总局海原县税务局": "政务服务",
    "中卫市住房公积金管理中心海原县管理部": "城乡建设",
    "海原县住房和城乡建设局": "城乡建设",
    "海原县综合执法局": "城乡建设",
    "海原县农业农村局": "农业农村",
    "海原县水务局": "城乡建设",
    "海原县交通运输局": "交通运输",
    "海原县自然资源局": "城乡建设",
    "中卫市生态环境局海原分局": "环境保护",
    "国网海原县供电公司": "城乡建设",
    "海原县退役军人事务局": "民政",
    "海原县应急管理局": "城乡建设",
    "海原县审批服务管理局": "政务服务",
    "海原县文化旅游广电局": "商贸旅游",
    "海原县工业信息化和商务局": "商贸旅游",
    "乡镇人民政府": "农业农村",
}
_QUESTION = re.compile(r"怎么|咋|啥|什么|多少|哪里|在哪|吗|呢|？|\?|如何|能不能|可以不|会不会|是否")
_DECLARED = re.compile(r"^\s*(?:我要|我想|想)?(?:提个|提一个|提)?(投诉|举报|求助|建议|表扬)")
_SENTENCES = re.compile(r"[。！!；;\n]+|(?<=[？?])")


@dataclass(frozen=True)
class Letter:
    text: str
    category: str
    department: str | None  # None: the dispatcher decides (待分派)
    departments: list[str] = field(default_factory=list)  # the triage's top three, best first
    urgency: str = "none"
    kb_question: bool = False
    place: str | None = None
    time: str | None = None
    unit: str | None = None
    phone: str | None = None

    @property
    def is_letter(self) -> bool:
        """Long enough to be read for place, time, department and phone (shorter ones are asked)."""
        return visible_length(self.text) >= LONG_LETTER

    @property
    def topic(self) -> str:
        return DEPARTMENT_TOPICS.get(self.department or (self.departments or [""])[0], "其他")


def looks_like_question(text: str) -> bool:
    return bool(_QUESTION.search(text or ""))


@lru_cache(maxsize=512)
def read_letter(text: str) -> Letter:
    result = triage(text)
    category = result.category if result.category in CATEGORIES else "投诉"
    declared = _DECLARED.match(text)
    if declared:
        category = declared.group(1)  # "我要举报……": the citizen said which it is
    found = extract(text)
    return Letter(
        text=text,
        category=category,
        department=None if result.department in {UNASSIGNED, ""} else result.department,
        departments=[name for name, _ in result.departments][:3],
        urgency=result.urgency,
        kb_question=bool(result.kb_question),
        place=found.place or found.unit,
        time=found.time,
        unit=found.unit,
        phone=found.phone,
    )


def understood_line(letter: Letter, elderly: bool) -> str:
    """One or two lines: the type, the topic, the place and time found, the proposed department."""
    department = letter.department or "工作人员分派"
    if elderly:
        lines = [f"您要{_verb(letter.category)}。"]
        lines += [f"地点：{letter.place}"] if letter.place and letter.is_letter else []
        lines += [f"转给：{department}"]
        return "\n".join(lines)
    facts = []
    if letter.is_letter and letter.place:
        facts.append(f"地点：{letter.place}")
    if letter.is_letter and letter.time and letter.category in ASKS_TIME:
        facts.append(f"时间：{letter.time}")
    facts.append(f"拟转：{department}")
    opening = {
        "咨询": f"我理解您是想咨询{letter.topic}方面的问题",
        "建议": f"谢谢您的建议！我理解这是一条{letter.topic}方面的建议",
        "表扬": "谢谢您的表扬！我理解您是想表扬",
        "求助": f"我理解您是遇到了困难要求助（{letter.topic}）",
        "举报": f"我理解您要举报{letter.topic}方面的问题",
    }.get(letter.category, f"我理解您要投诉{letter.topic}方面的问题")
    line = f"{opening}（类别：{letter.category}）。" + "，".join(facts) + "。"
    if letter.is_letter and letter.phone:
        line += f"\n您信里留的电话 {mask_phone(letter.phone)} 已记下。最后核对时每一项都可以改。"
    return line


def _verb(category: str) -> str:
    return {"咨询": "咨询问题", "建议": "提建议", "表扬": "表扬", "求助": "求助", "举报": "举报"}.get(category, "投诉")


def question_part(text: str) -> str:
    """The sentences of a letter that ask something (a legal-aid question inside an unpaid-wage story)."""
    asked = [s for s in _SENTENCES.split(text) if s and looks_like_question(s)]
    return "".join(asked) or text


def kb_answer_item(letter: Letter) -> dict[str, str] | None:
    """The service the letter's question is about, when the knowledge base answers it."""
    kb = knowledge_base()
    if kb is None:
        return None
    if letter.is_letter:
        if not letter.kb_question:
            return None
        item = named_in_text(kb, question_part(letter.text))
    elif looks_like_question(letter.text) and len(letter.text) < 80:
        item = named_in_text(kb, letter.text)
    else:
        return None
    return item if item and item["kind"] == "service" else None


def first_reading(text: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """The form's first look at the description: say what was understood, pre-fill, follow the type.

    Returns the slots to set (description, type, the triage, place/time/department/phone found in a letter,
    and `complaint_kb_offered` when the next question is "still want a ticket?")."""
    elderly = is_elderly(tracker)
    letter = read_letter(text)
    slots: dict[str, Any] = {
        "complaint_description": text,
        "complaint_category": letter.category,
        "complaint_triage": {
            "category": letter.category,
            "department": letter.department,
            "departments": letter.departments,
            "answered": False,
        },
    }
    if letter.is_letter:  # a short message is asked question by question (the department with the top three)
        slots.update(
            {
                key: value
                for key, value in {
                    "complaint_department": letter.department,
                    "complaint_location": letter.place,
                    "complaint_time": letter.time if letter.category in ASKS_TIME else None,
                    "contact_phone": letter.phone,
                }.items()
                if value and not tracker.get_slot(key)
            }
        )
    if text.strip() == latest_user_text(tracker).strip():  # not words an earlier reply already read back
        dispatcher.utter_message(
            text=understood_line(letter, elderly),
            json_message={"type": MARKER, "category": letter.category, "department": letter.department},
        )
    item = kb_answer_item(letter)
    kb = knowledge_base()
    if item and kb is not None:
        dispatcher.utter_message(
            text="您问到的这件事，我先直接回答您：" if letter.is_letter else "这个问题我先试着直接回答您："
        )
        for bubble in render_aspect(kb, item["id"], "card", elderly=elderly):
            dispatcher.utter_message(text=bubble)
        slots["complaint_kb_offered"] = True
        slots["complaint_triage"]["answered"] = True
    elif letter.category == "咨询":
        dispatcher.utter_message(
            text="这个问题办事指南里没有，我答不了。"
            if elderly
            else "这个问题我这里的办事指南里没有现成的答案，我不能直接回答您。"
        )
        slots["complaint_kb_offered"] = True  # next: offered as a 咨询 ticket forwarded to the department
    hazard = mentioned_hazard_line(tracker)
    if hazard:
        dispatcher.utter_message(text=hazard)
    return slots


def read_category(text: str) -> str | None:
    """The type the citizen picked or typed ("3", "投诉", "是建议")."""
    reply = re.sub(r"[\s，。！!？?、,.]+", "", text or "")
    if reply.isdigit() and 1 <= int(reply) <= len(CATEGORIES):
        return CATEGORIES[int(reply) - 1]
    named = [c for c in CATEGORIES if c in reply]
    return named[0] if len(named) == 1 else None


def read_department(text: str, triage_slot: dict | None) -> str | None:
    """A department the citizen picked from the proposed three, by number or name."""
    proposed = list((triage_slot or {}).get("departments") or [])
    reply = re.sub(r"[\s，。！!？?、,.]+", "", text or "")
    if reply.isdigit() and 1 <= int(reply) <= len(proposed):
        return proposed[int(reply) - 1]
    return next((d for d in proposed if d == reply), None)
