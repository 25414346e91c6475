"""Answer questions about high-frequency services from the knowledge base.

Path of a question: NLU gives the aspect (intent) and maybe a `service` entity (value = service id)
→ `resolve_services` decides which service is meant → bot.knowledge.render writes the answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import is_elderly, numbered_buttons, utter_bubbles
from actions.fallback import climb_ladder
from actions.grievance import reads_as_full_letter, reads_as_letter
from actions.knowledge import knowledge_base
from actions.safety import end_with_hazard_line
from actions.situation import service_in_clauses
from bot.common.clock import CHINA_TZ
from bot.knowledge.aspects import asked_aspects
from bot.knowledge.loader import SERVICE
from bot.knowledge.notices import active_notices
from bot.knowledge.online_channels import offers_a_way, online_channels
from bot.knowledge.render import MORE_HINT, NEXT_ASPECTS, QUESTIONS, render_aspect, service_display_name
from bot.knowledge.schema import item_labels
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
MAX_SERVICES_PER_ANSWER = 3
LOSS_WORDS = ("丢了", "丢失", "遗失", "掉了", "弄丢", "找不到了", "被偷")
MAX_ASPECTS_PER_ANSWER = 2  # "要带啥，多少钱": both parts, in the order asked (长辈模式: the first, then a button)
# The few unmistakable words that make a complaint-looking message a service question (complaint form gate);
# the aspect itself is read with bot.knowledge.aspects.
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
    in_clause = service_in_clauses(kb, message.get("text") or "") if weak else None
    if in_clause:  # "我在内蒙古跑车，驾驶证明年到期，能在那边换吗": the situation around a plain question
        return Resolution(services=[in_clause])
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


def service_names(kb) -> list[str]:
    """Every service and bundle name and alias, longest first (blanked out before reading the aspect)."""

    def build(base) -> list[str]:
        items = list(base.services.values()) + list(base.bundles.values())
        labels = {label for data in items if isinstance(data, dict) for _, label in item_labels(data)}
        return sorted(labels, key=len, reverse=True)

    return kb.derived("aspect_names", build) if kb is not None else []


def aspects_of(kb, tracker: Tracker) -> list[str]:
    """The aspects asked, first one first: the citizen's words (要带啥, 多少钱, 几天能拿到, 在哪办, 网上能办吗)
    beat the intent, which knows only the phrasings it was trained on; the intent decides when the words
    name no aspect; a general question (身份证咋办) gets the whole guide card."""
    message = tracker.latest_message
    text = message.get("text") or ""
    if not text.startswith("/"):  # a button's payload names its aspect by intent
        words = asked_aspects(text, service_names(kb))
        if words:
            return words[:MAX_ASPECTS_PER_ANSWER]
    intent = (message.get("intent") or {}).get("name")
    return [INTENT_ASPECTS.get(intent or "", "card")]


def loss_advice(kb, service_id: str, aspect: str, text: str) -> list[str]:
    """ "社保卡丢了": what to do first about the lost card (挂失), from the service's own steps, when the
    answer would not show them anyway."""
    if aspect in ("steps", "materials") or not any(word in text for word in LOSS_WORDS):
        return []
    steps = [str(s) for s in kb.services[service_id].get("steps") or [] if "挂失" in str(s)]
    return [f"提醒：{steps[0]}"] if steps else []


def ask_payload(aspect: str, service_id: str) -> str:
    return f"/{ASPECT_INTENTS[aspect]}{json.dumps({'service': service_id})}"


def follow_up_buttons(
    kb, service_id: str, aspect: str, answered: list[str] | None = None, asked_next: list[str] | None = None
) -> list[dict[str, str]]:
    """猜你想问: a part asked but not yet answered first, then the aspects people ask next, and one related
    service; never a part just answered."""
    done = set(answered or [aspect])
    wanted = list(dict.fromkeys([*(asked_next or []), *NEXT_ASPECTS.get(aspect, ())]))
    buttons = [{"title": QUESTIONS[a][0], "payload": ask_payload(a, service_id)} for a in wanted if a not in done][:2]
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
        return end_with_hazard_line(dispatcher, tracker, self._answer(dispatcher, tracker, domain))

    def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = knowledge_base()
        asked_parts = aspects_of(kb, tracker)
        aspect = asked_parts[0]
        elderly = is_elderly(tracker)
        if kb is None:
            dispatcher.utter_message(text="抱歉，办事指南暂时打不开，请稍后再试，或拨打 12345 咨询。")
            return []
        bundle = named_bundle(kb, tracker)
        if bundle:  # "开饭店要准备哪些证件": a life event, answered by its 一件事一次办 checklist
            return answer_named_item({"kind": "bundle", "id": bundle}, dispatcher, tracker, domain)
        text = tracker.latest_message.get("text") or ""
        if (is_grievance_letter(text) or reads_as_full_letter(text)) and not tracker.active_loop_name:
            # A complaint letter that also asks something (a legal-aid question in an unpaid-wage story): the
            # complaint form reads it, answers the question first and still offers the ticket.
            return [FollowupAction("complaint_form")]
        resolution = resolve_services(kb, tracker)
        if resolution.choices:
            return self._ask_which(dispatcher, kb, resolution, aspect, elderly)
        if not resolution.services:
            # Nothing matched: the fallback ladder asks again with suggestions, then offers a ticket.
            return climb_ladder(dispatcher, tracker)
        # Several parts asked of one service ("要带啥，多少钱"): each answered in turn; 长辈模式 answers the
        # first and offers the next as the first button (one thing at a time).
        aspects = asked_parts[:1] if len(resolution.services) > 1 or elderly else asked_parts
        text = tracker.latest_message.get("text") or ""
        for service_id in resolution.services:
            last_service = service_id == resolution.services[-1]
            for i, part in enumerate(aspects):
                bubbles = render_aspect(kb, service_id, part, elderly=elderly)
                bubbles[1:1] = loss_advice(kb, service_id, part, text) if i == 0 else []
                buttons = []
                if i == len(aspects) - 1:
                    # Staff notices (公告) that name this service come right after its answer.
                    notices = active_notices(kb.root, china_today(), service_id=service_id)
                    bubbles += [notice_text(n, elderly) for n in notices]
                    later = asked_parts[len(aspects) :]
                    buttons = follow_up_buttons(kb, service_id, part, aspects, later) if last_service else []
                if elderly and MORE_HINT in bubbles and buttons:  # the rest of the answer, as a numbered choice too
                    buttons = [MORE_BUTTON] + buttons
                # The marker lets the web chat offer 有用 / 没用 and the staff console count answers per service.
                marker: dict[str, Any] = {"type": "service_answer", "service": service_id, "aspect": part}
                online = online_channels(kb, service_id)  # 去办理: only channels and links the knowledge base has
                if online and offers_a_way(online):
                    marker["online"] = online
                utter_bubbles(dispatcher, bubbles, elderly, buttons, json_message=marker)
        return [
            SlotSet("service", resolution.services[-1]),
            SlotSet("service_aspect", aspects[-1]),
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
            return end_with_hazard_line(dispatcher, tracker, answer_named_item(item, dispatcher, tracker, domain))
        dispatcher.utter_message(response="utter_out_of_scope")
        return end_with_hazard_line(dispatcher, tracker, [])
