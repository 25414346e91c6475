"""Answer questions about high-frequency services from the knowledge base.

Path of a question: NLU gives the aspect (intent) and maybe a `service` entity (value = service id)
→ `resolve_services` decides which service is meant → bot.knowledge.render writes the answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import is_elderly, numbered_buttons, utter_bubbles
from actions.fallback import climb_ladder
from actions.grievance import reads_as_letter
from actions.knowledge import knowledge_base
from bot.common.clock import CHINA_TZ
from bot.knowledge.loader import SERVICE
from bot.knowledge.notices import active_notices
from bot.knowledge.render import MORE_HINT, NEXT_ASPECTS, QUESTIONS, render_aspect, service_display_name
from bot.knowledge.search import AMBIGUOUS, CONFIDENT, CONFIDENT_COVERAGE, EXACT, NONE, search

INTENT_ASPECTS = {
    "ask_service": "card",
    "ask_materials": "materials",
    "ask_fee": "fee",
    "ask_time_limit": "time_limit",
    "ask_place": "place",
    "ask_online": "online",
    "ask_eligibility": "eligibility",
    "ask_steps": "steps",
}
MORE_BUTTON = {"title": "看全部", "payload": "/ask_more"}
ASPECT_INTENTS = {aspect: intent for intent, aspect in INTENT_ASPECTS.items()}
ASPECT_INTENTS["proxy"] = "ask_eligibility"  # 亲友代办 has no intent of its own: it is read from the words
# "我替我妈办行不行", "让我儿子去办可以吗": someone asks whether another person may apply for them.
PROXY_WORDS = re.compile(
    r"代办|代领|代为|代替|委托|替我|替他|替她|替俺|帮我[爸妈爹娘]|替我[爸妈爹娘]|我替|我帮|"
    r"(帮|替|给)(我)?(爸|妈|爹|娘|老人|父亲|母亲|老伴|孩子|儿子|女儿|家里人|亲戚)(办|领|去)|"
    r"(让|叫)(我)?(儿子|女儿|孩子|老伴|家里人|亲戚|别人)(去)?(办|领)|本人(来不了|去不了|不能去|不在)"
)
MAX_SERVICES_PER_ANSWER = 3
LOSS_WORDS = ("丢了", "丢失", "遗失", "掉了", "弄丢", "找不到了", "被偷")
# Words that tell which aspect a question is about, for messages the NLU could not classify.
ASPECT_WORDS = [
    ("materials", ("材料", "带啥", "带什么", "要啥", "证件", "资料", "准备啥", "准备什么")),
    ("fee", ("多少钱", "收费", "费用", "花钱", "要钱", "免费", "工本费")),
    ("time_limit", ("多久", "几天", "多长时间", "时限", "啥时候能", "什么时候能", "多快")),
    ("place", ("在哪", "哪里办", "地址", "窗口", "几点", "上班", "电话")),
    ("online", ("网上", "手机", "线上", "app", "APP", "我的宁夏", "政务服务网", "小程序")),
    ("eligibility", ("条件", "能不能办", "能办吗", "谁能", "够不够", "符合")),
    ("steps", ("流程", "步骤", "程序", "先干啥", "怎么走")),
]


@dataclass
class Resolution:
    services: list[str] = field(default_factory=list)  # answer these
    choices: list[str] = field(default_factory=list)  # or ask which of these
    weak: bool = False  # the choices are only loosely related to what was said


def resolve_services(kb, tracker: Tracker) -> Resolution:
    """Which service(s) the latest message is about.

    Named in the message (NLU entity or an exact name/alias) > confident retrieval (typos, new phrasings)
    > the service of the conversation so far (follow-up questions) > close candidates to choose from.
    """
    message = tracker.latest_message
    named = [
        e["value"]
        for e in message.get("entities") or []
        if e.get("entity") == "service" and e.get("value") in kb.services
    ]
    result = search(kb, message.get("text") or "", kinds=("service",), limit=MAX_SERVICES_PER_ANSWER)
    if result.status == EXACT:
        named += [c.id for c in result.candidates]
    if named:
        return Resolution(services=list(dict.fromkeys(named))[:MAX_SERVICES_PER_ANSWER])
    if result.status == CONFIDENT:
        return Resolution(services=[result.candidates[0].id])
    weak = result.coverage < CONFIDENT_COVERAGE
    if result.status == AMBIGUOUS and not weak:  # clearly a new topic, several services fit: ask which
        return Resolution(choices=[c.id for c in result.candidates])
    current = tracker.get_slot("service")
    if current in kb.services:
        return Resolution(services=[current])  # a follow-up question: the service of the conversation so far
    if result.status == AMBIGUOUS:
        return Resolution(choices=[c.id for c in result.candidates], weak=True)
    offered = [sid for sid in tracker.get_slot("service_choices") or [] if sid in kb.services]
    if offered:  # "要带啥" right after "您想问的是哪一项？": the same choice, for this aspect
        return Resolution(choices=offered)
    return Resolution()


def china_today() -> date:
    return datetime.now(CHINA_TZ).date()


def notice_text(notice: dict[str, Any], elderly: bool) -> str:
    if elderly:
        return f"公告：{notice['title']}"[:40]
    return f"【公告】{notice['title']}（{notice['start']:%m月%d日}—{notice['end']:%m月%d日}）：{notice['text']}"


def named_bundle(kb, tracker: Tracker) -> str | None:
    """The bundle the message names when it names no service (NLU entity or exact name)."""
    message = tracker.latest_message
    entities = message.get("entities") or []
    if any(e.get("entity") == "service" for e in entities):
        return None
    named = [e["value"] for e in entities if e.get("entity") == "bundle" and e.get("value") in kb.bundles]
    if not named:
        result = search(kb, message.get("text") or "", limit=1)
        named = [c.id for c in result.candidates if result.status == EXACT and c.kind == "bundle"]
    return named[0] if named else None


def is_grievance_letter(text: str) -> bool:
    """A letter (60+ characters) the triage reads as a complaint, plea for help, report or suggestion."""
    from actions.letters import read_letter  # letters imports this module

    return reads_as_letter(text) and read_letter(text).category in {"投诉", "求助", "举报", "建议"}


def reads_as_service_question(kb, text: str) -> bool:
    """A question about one part of a service (要带什么, 多少钱, 在哪办) that names, or nearly names, a
    service: "我们要离婚 去民政局要带什么东西" is a service question even when NLU heard a complaint."""
    if kb is None or not any(word in text for _, words in ASPECT_WORDS for word in words):
        return False
    return search(kb, text, kinds=(SERVICE,)).status != NONE


def aspect_of(tracker: Tracker) -> str:
    """The aspect asked: from the intent, else from words in the text, else the whole guide card."""
    message = tracker.latest_message
    text = message.get("text") or ""
    if PROXY_WORDS.search(text):  # words beat the intent: "替我妈办身份证要带啥" asks about 代办
        return "proxy"
    intent = (message.get("intent") or {}).get("name")
    if intent in INTENT_ASPECTS:
        return INTENT_ASPECTS[intent]
    return next((aspect for aspect, words in ASPECT_WORDS if any(w in text for w in words)), "card")


def loss_advice(kb, service_id: str, aspect: str, text: str) -> list[str]:
    """ "社保卡丢了": what to do first about the lost card (挂失), from the service's own steps, when the
    answer would not show them anyway."""
    if aspect in ("steps", "materials") or not any(word in text for word in LOSS_WORDS):
        return []
    steps = [str(s) for s in kb.services[service_id].get("steps") or [] if "挂失" in str(s)]
    return [f"提醒：{steps[0]}"] if steps else []


def ask_payload(aspect: str, service_id: str) -> str:
    return f"/{ASPECT_INTENTS[aspect]}{json.dumps({'service': service_id})}"


def follow_up_buttons(kb, service_id: str, aspect: str) -> list[dict[str, str]]:
    """猜你想问: the aspects people ask next, and one related service."""
    buttons = [
        {"title": QUESTIONS[a][0], "payload": ask_payload(a, service_id)}
        for a in NEXT_ASPECTS.get(aspect, ())
        if a != aspect
    ][:2]
    # A related service only when the same department handles it: 养老资格认证 fits after 社保卡, 新生儿入户 does not.
    department = kb.services[service_id].get("department")
    related = [
        r
        for r in kb.services[service_id].get("related") or []
        if r in kb.services and kb.services[r].get("department") == department
    ]
    if related:
        buttons.append(
            {"title": f"{service_display_name(kb, related[0])}怎么办？", "payload": ask_payload("card", related[0])}
        )
    return buttons[:3]


class ActionAnswerService(Action):
    def name(self) -> str:
        return "action_answer_service"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = knowledge_base()
        aspect = aspect_of(tracker)
        elderly = is_elderly(tracker)
        if kb is None:
            dispatcher.utter_message(text="抱歉，办事指南暂时打不开，请稍后再试，或拨打 12345 咨询。")
            return []
        bundle = named_bundle(kb, tracker)
        if bundle:  # "开饭店要准备哪些证件": a life event, answered by its 一件事一次办 checklist
            return answer_named_item({"kind": "bundle", "id": bundle}, dispatcher, tracker, domain)
        if is_grievance_letter(tracker.latest_message.get("text") or ""):
            # A complaint letter that also asks something (a legal-aid question in an unpaid-wage story): the
            # complaint form reads it, answers the question first and still offers the ticket.
            return [FollowupAction("complaint_form")]
        resolution = resolve_services(kb, tracker)
        if resolution.choices:
            return self._ask_which(dispatcher, kb, resolution, aspect, elderly)
        if not resolution.services:
            # Nothing matched: the fallback ladder asks again with suggestions, then offers a ticket.
            return climb_ladder(dispatcher, tracker)
        for service_id in resolution.services:
            # Staff notices (公告) that name this service come right after its answer.
            bubbles = render_aspect(kb, service_id, aspect, elderly=elderly)
            bubbles[1:1] = loss_advice(kb, service_id, aspect, tracker.latest_message.get("text") or "")
            bubbles += [notice_text(n, elderly) for n in active_notices(kb.root, china_today(), service_id=service_id)]
            buttons = follow_up_buttons(kb, service_id, aspect) if service_id == resolution.services[-1] else []
            if elderly and MORE_HINT in bubbles and buttons:  # the rest of the answer, as a numbered choice too
                buttons = [MORE_BUTTON] + buttons
            # The marker lets the web chat offer 有用 / 没用 and the staff console count answers per service.
            marker = {"type": "service_answer", "service": service_id, "aspect": aspect}
            utter_bubbles(dispatcher, bubbles, elderly, buttons, json_message=marker)
        return [
            SlotSet("service", resolution.services[-1]),
            SlotSet("service_aspect", aspect),
            SlotSet("service_choices", None),
        ]

    @staticmethod
    def _ask_which(dispatcher, kb, resolution: Resolution, aspect: str, elderly: bool) -> list[dict[str, Any]]:
        """“您想问的是…”: close candidates as buttons (one candidate: a yes/no check)."""
        choices = resolution.choices
        buttons = [{"title": service_display_name(kb, sid), "payload": ask_payload(aspect, sid)} for sid in choices]
        if len(choices) == 1:
            name = service_display_name(kb, choices[0])
            text = f"您是问“{name}”吗？" if elderly else f"您想问的是“{name}”吗？"
            buttons.append({"title": "不是，换个说法", "payload": "/menu_services"})
        else:
            text = "您问的是哪一项？" if elderly else "您想问的是下面哪一项？"
        if resolution.weak and not elderly:
            text = "没找到和您说的完全对应的事项。" + text
        dispatcher.utter_message(text=text, buttons=numbered_buttons(buttons, elderly))
        return [SlotSet("service_choices", choices)]


class ActionAnswerMore(Action):
    """“更多”: the full answer to the last service question (长辈模式 shows the 3 main points first)."""

    def name(self) -> str:
        return "action_answer_more"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = knowledge_base()
        service_id: str | None = tracker.get_slot("service")
        if kb is None or service_id not in kb.services:
            dispatcher.utter_message(text="您想了解哪件事？请直接说事项名称，比如“补身份证”。")
            return []
        aspect = tracker.get_slot("service_aspect") or "card"
        elderly = is_elderly(tracker)
        # 长辈模式 keeps its short wording and numbered choices: every point, one bubble.
        bubbles = render_aspect(kb, service_id, aspect, elderly=elderly, full=True)
        utter_bubbles(dispatcher, bubbles, elderly, follow_up_buttons(kb, service_id, aspect))
        return []


def named_in_text(kb, text: str) -> dict[str, str] | None:
    """A service or bundle the message clearly names (exact or confident retrieval), if any.

    Used when NLU was unsure or judged the message out of scope: a citizen who names a service
    should get an answer, not "I did not understand".
    """
    if kb is None:
        return None
    result = search(kb, text, limit=MAX_SERVICES_PER_ANSWER)
    if result.status in {EXACT, CONFIDENT}:
        return {"kind": result.candidates[0].kind, "id": result.candidates[0].id}
    if (
        result.status == AMBIGUOUS
        and result.coverage >= CONFIDENT_COVERAGE
        and all(c.kind == SERVICE for c in result.candidates)
    ):
        return {"kind": "choice", "id": ""}  # clearly about services, several fit: ask which one
    return None


def answer_named_item(item: dict[str, str], dispatcher, tracker, domain) -> list[dict[str, Any]]:
    """Answer a service question (or ask which one), or start the bundle form, for `named_in_text`'s item."""
    if item["kind"] == "bundle":
        return [SlotSet("bundle", item["id"]), FollowupAction("bundle_form")]
    return ActionAnswerService().run(dispatcher, tracker, domain)


class ActionOutOfScope(Action):
    """Out of scope, unless the message names a service or bundle after all."""

    def name(self) -> str:
        return "action_out_of_scope"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        item = named_in_text(knowledge_base(), tracker.latest_message.get("text") or "")
        if item:
            return answer_named_item(item, dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
