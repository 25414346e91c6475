"""投诉建议 → 工单: the complaint form and its submission through the outbox.

"我要投诉…" → complaint_form (what, where, when, department, name, phone, consent, confirm — 确认提交, or
提交并通知我 for progress notices, bot/notify/)
→ action_submit_complaint → outbox.submit → backend (HTTP) → ticket number, department, due date.
If the backend is down the outbox keeps the ticket and delivers it later exactly once.
The status query is actions/ticket_status.py, 好差评 actions/ticket_rating.py.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import outbox
from actions.api.tickets import TicketClientError
from actions.common import channel_name, is_elderly, latest_user_text, numbered_buttons, user_turns
from actions.contact import declines, read_phone, read_township, says_unknown
from actions.fallback import was_missed
from actions.form_validation import CitizenFormValidationAction
from actions.forms import interruption_response, is_fresh_user_message, latest_entities, latest_intent
from actions.grievance import asks_about_status, sounds_like_grievance
from actions.handoff import handoff_interruption
from actions.knowledge import knowledge_base
from actions.letters import ASKS_TIME, LONG_LETTER, first_reading, read_category, read_department
from actions.services import ActionAnswerService, reads_as_service_question
from bot.common.privacy import mask_phone
from bot.common.text import option_number, visible_length
from bot.knowledge.departments import read_departments, resolve_department
from bot.knowledge.yes_no import read_yes_no
from bot.triage import triage

FORM_SLOTS = [
    "complaint_description",
    "complaint_still_wanted",
    "complaint_location",
    "complaint_time",
    "complaint_department",
    "contact_name",
    "contact_phone",
    "complaint_consent",
    "complaint_confirm",
    "complaint_kb_offered",
    "complaint_editing",
    "complaint_category",
    "complaint_triage",
]
FIELD_LABELS = {
    "complaint_description": "事情经过",
    "complaint_category": "类别",
    "complaint_location": "地点",
    "complaint_time": "时间",
    "complaint_department": "涉及部门",
    "contact_name": "姓名",
    "contact_phone": "联系电话",
}
# 长辈模式 offers four fields to correct: the type and department the triage proposed, the place and phone
# read from a letter (the description and name are the citizen's own words).
ELDERLY_EDITABLE = ("complaint_category", "complaint_department", "complaint_location", "contact_phone")
NOT_GIVEN = "未说明"
ANONYMOUS = "匿名"
CHAT_SUMMARY_CHARS = 120  # long descriptions are kept whole in the backend, shortened in chat
# Words that only say "I want to complain", so what is left is the actual content.
_TRIGGERS = re.compile(
    r"我要|我想|想要|投诉|举报|反映|提个|提出|建议|意见|求助|表扬|一下|一个|个|问题|情况|登记|工单|留言|"
    r"帮我|给我|记一下|记下来|让工作人员答复|让工作人员联系我|[，。！？、,.!?\s]"
)
# Whole replies that confirm the one-screen summary (its button says 确认提交) or refuse it.
CONFIRM_WORDS = frozenset({"确认提交", "提交", "确认无误", "内容无误", "无误", "没问题", "正确", "对的", "可以提交"})
REFUSE_WORDS = frozenset({"不提交", "先不提交", "有错", "不正确", "有问题"})
# The summary also asks, once, whether the citizen wants to hear of the ticket's progress (转办, 答复, 办结; on the
# channel it came from, bot/notify/): a whole reply of these confirms and asks for notices. Plain 确认提交 sends
# none (the default). complaint_confirm then holds WITH_NOTICES instead of True.
NOTIFY_WORDS = frozenset({"提交并通知我", "提交并通知", "确认提交并通知我", "要通知", "通知我", "有进展通知我"})
WITH_NOTICES = "with_notices"
NOTIFY_OPTION = 4  # its place among the summary's buttons (长辈模式 answers with the digit)
PHOTOS_OFFER = {"type": "complaint_photos"}


def has_content(text: str) -> bool:
    """More than trigger words: at least four characters of what happened."""
    return len(_TRIGGERS.sub("", text or "")) >= 4


def infer_category(text: str) -> str:
    """The ticket type (咨询 / 求助 / 投诉 / 举报 / 建议 / 表扬) the learned triage reads in the citizen's words."""
    return triage(text).category


def shorten(text: str, limit: int = CHAT_SUMMARY_CHARS) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 字，已完整记录）"


def _recent_unanswered_text(tracker: Tracker) -> str | None:
    """The citizen's own words the bot could not handle just before they chose to leave a ticket:
    a long letter, the messages that climbed the fallback ladder, or one answered with emergency numbers."""
    turns = user_turns(tracker)[:-1]
    texts: list[str] = []
    for turn in reversed(turns[-3:]):
        if not ({"action_handle_long_message", "action_emergency"} & set(turn["actions"]) or was_missed(turn)):
            break
        text = turn["event"].get("text") or ""
        if not text.startswith("/"):
            texts.insert(0, text)
    return "\n".join(texts) or None


class ValidateComplaintForm(CitizenFormValidationAction):
    form_slots = FORM_SLOTS

    def name(self) -> str:
        return "validate_complaint_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        # The citizen said the answer solved it, or refused consent: nothing more to ask, nothing to submit.
        if tracker.get_slot("complaint_still_wanted") is False or tracker.get_slot("complaint_consent") is False:
            return []
        slots = list(domain_slots)
        # Asked only when the description was answered from the knowledge base, or is a question offered as 咨询.
        if not tracker.get_slot("complaint_kb_offered"):
            slots.remove("complaint_still_wanted")
        if (tracker.get_slot("complaint_category") or "投诉") not in ASKS_TIME:
            slots.remove("complaint_time")  # a question or a suggestion has no "when did it happen"
        return slots

    async def run_form(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        if (
            is_fresh_user_message(tracker)
            and tracker.get_slot("requested_slot") is None
            and tracker.get_slot("complaint_description") is None
        ):
            # The form starts: first a word that the complaint is being registered, then the questions.
            dispatcher.utter_message(
                text="好的，帮您登记。\n问您几个问题。"
                if is_elderly(tracker)
                else "好的，我来帮您登记，工作人员会按时限答复。先问您几个问题："
            )
        return await super().run_form(dispatcher, tracker, domain)

    async def side_request(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict] | None:
        intent, requested = latest_intent(tracker), tracker.get_slot("requested_slot")
        text = tracker.latest_message.get("text") or ""
        if (
            requested is None
            and tracker.get_slot("complaint_description") is None
            and not text.startswith("/")
            and not sounds_like_grievance(text)
            and reads_as_service_question(knowledge_base(), text)
        ):
            # Started on a plain service question NLU took for a complaint: answer it, no form.
            answered = ActionAnswerService().run(dispatcher, tracker, domain)
            return (
                [e for e in answered if e.get("event") == "slot"]
                + [SlotSet(s, None) for s in FORM_SLOTS]
                + [SlotSet("requested_slot", None), ActiveLoop(None)]
            )
        if requested is None and tracker.get_slot("complaint_description") is None and asks_about_status(text):
            # "我反映的路灯问题处理了没有": a status query NLU took for a new complaint (no second ticket).
            return [SlotSet(s, None) for s in FORM_SLOTS] + [
                SlotSet("requested_slot", None),
                ActiveLoop(None),
                FollowupAction("ticket_status_form"),
            ]
        if intent == "start_complaint" and requested and text.startswith("/"):
            return [SlotSet(requested, None)]  # the "登记" button again while the form runs: not an answer
        if intent == "cancel":
            dispatcher.utter_message(text="好的，已取消，没有登记。需要时随时说“投诉”或“反映问题”。")
            return [SlotSet(s, None) for s in FORM_SLOTS] + [SlotSet("requested_slot", None), ActiveLoop(None)]
        field = next(
            (
                e["value"]
                for e in latest_entities(tracker)
                if e.get("entity") == "complaint_field" and e.get("value") in FIELD_LABELS
            ),
            None,
        )
        if field:  # the citizen picked what to correct: that question is asked again, then the summary
            return [SlotSet(field, None), SlotSet("complaint_confirm", None), SlotSet("complaint_editing", False)]
        if intent == "change_answer" or (
            requested == "complaint_confirm" and "修改" in (tracker.latest_message.get("text") or "")
        ):
            # The confirmation step now asks which field to change (ActionAskComplaintConfirm).
            return [SlotSet("complaint_confirm", None), SlotSet("complaint_editing", True)]
        handoff = handoff_interruption(dispatcher, tracker, intent)
        if handoff is not None:
            return handoff
        response = interruption_response(tracker)
        if response and requested not in {"complaint_description"}:
            dispatcher.utter_message(response=response)
            return [SlotSet(requested, None)] if requested else []
        return None

    async def extract_complaint_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = latest_user_text(tracker)
        requested = tracker.get_slot("requested_slot")
        if requested == "complaint_description" and is_fresh_user_message(tracker):
            return {"complaint_description": text}
        if requested is None and tracker.get_slot("complaint_description") is None:
            # On activation: "我要投诉窗口态度差" already says what happened; a long letter or the
            # messages the bot failed to understand just before are the description too.
            if has_content(text) and not text.startswith("/"):
                return {"complaint_description": text}
            earlier = _recent_unanswered_text(tracker)
            if earlier:
                return {"complaint_description": earlier}
        return {}

    def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if not has_content(text):
            dispatcher.utter_message(text="请具体说说是什么事，比如在哪个窗口、遇到了什么问题。")
            return {"complaint_description": None}
        if tracker.get_slot("complaint_triage") is None:
            # The first reading (actions/letters.py): what was understood, the form pre-filled from a letter,
            # a question the knowledge base answers answered, one it cannot offered as 咨询.
            return first_reading(text, dispatcher, tracker)
        return {"complaint_description": text}

    def validate_complaint_category(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        category = read_category(str(value or ""))
        if category is None:
            dispatcher.utter_message(text="请从 咨询、求助、投诉、举报、建议、表扬 中选一个。")
        return {"complaint_category": category}

    def validate_complaint_still_wanted(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = read_yes_no(str(value or ""), no=frozenset({"已解决", "解决了", "不用登记", "不登记"}))
        if answer is None:
            dispatcher.utter_message(text="请回答“仍要登记”或“不用了”。")
            return {"complaint_still_wanted": None}
        if answer is False and (tracker.get_slot("complaint_triage") or {}).get("answered") is False:
            dispatcher.utter_message(text="好的，没有登记。以后想问，也可以拨打 12345 政务服务便民热线。")
        elif answer is False:
            dispatcher.utter_message(text="好的，问题解决了就好，没有登记工单。")
        return {"complaint_still_wanted": answer}

    async def extract_complaint_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """On activation, a town or township the description names is the place (the summary shows it
        for correction), so "三河镇街上的路灯坏了" is not asked "where" again."""
        if tracker.get_slot("requested_slot") is not None or tracker.get_slot("complaint_location"):
            return {}
        description = tracker.get_slot("complaint_description") or ""
        if visible_length(description) >= LONG_LETTER:
            return {}  # a letter: its place (township, village, street or unit) comes from the first reading
        place = read_township(description)
        return {"complaint_location": place} if place else {}

    def validate_complaint_location(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").strip()
        return {"complaint_location": NOT_GIVEN if says_unknown(text) or not text else text[:200]}

    def validate_complaint_time(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").strip()
        return {"complaint_time": NOT_GIVEN if says_unknown(text) or not text else text[:100]}

    def validate_complaint_department(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        """Only a known department is taken (name, alias or what it handles); anything else is 待分派."""
        text = str(value or "").strip()
        picked = read_department(text, tracker.get_slot("complaint_triage"))  # a pick of the proposed three
        if picked:
            return {"complaint_department": picked}
        if says_unknown(text) or not text:
            return {"complaint_department": NOT_GIVEN}
        kb = knowledge_base()
        department = resolve_department(text, read_departments(kb.root)) if kb is not None else None
        if department is None:
            dispatcher.utter_message(
                text="没对上具体部门，没关系，工作人员会根据内容分派。"
                if is_elderly(tracker)
                else f"“{text[:20]}”没有对上县里的承办部门，没关系：工作人员会根据您反映的内容分派。"
            )
            return {"complaint_department": NOT_GIVEN}
        return {"complaint_department": department}

    def validate_contact_name(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = re.sub(r"^(我叫|我是|姓名|名字)[:：是]?", "", str(value or "").strip())
        if declines(text) or says_unknown(text) or not text:
            return {"contact_name": ANONYMOUS}
        if len(text) > 20 or read_phone(text):
            dispatcher.utter_message(text="请只输入怎么称呼您，比如“王先生”；不想留名字就回复“不留”。")
            return {"contact_name": None}
        return {"contact_name": text}

    def validate_contact_phone(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "")
        phone = read_phone(text)
        if phone:
            return {"contact_phone": phone}
        if declines(text):
            dispatcher.utter_message(
                text="联系电话是工作人员回复您、以及您以后查询进度（要用手机号后四位）所必需的，"
                "我们只把它用于处理这件事。请留一个电话；不想留的话可以说“取消”。"
            )
        else:
            dispatcher.utter_message(
                text="这个号码好像不对。手机号是 11 位、以 1 开头；座机请带区号，例如 0955-1234567。请再输一次。"
            )
        return {"contact_phone": None}

    def validate_complaint_consent(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        answer = read_yes_no(str(value or ""))
        if answer is False:
            dispatcher.utter_message(
                text="明白。没有您的同意，我们不能把诉求转给承办部门，所以这次没有登记。"
                "您也可以拨打 12345 政务服务便民热线反映。"
            )
        elif answer is None:
            dispatcher.utter_message(text="请回答“同意”或“不同意”。")
        return {"complaint_consent": answer}

    def validate_complaint_confirm(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "")
        answer = read_yes_no(text, yes=CONFIRM_WORDS, no=REFUSE_WORDS)
        picks_notices = option_number(text) == NOTIFY_OPTION or read_yes_no(text, yes=NOTIFY_WORDS) is True
        if answer is None and picks_notices:
            return {"complaint_confirm": WITH_NOTICES}
        if answer is True:
            return {"complaint_confirm": True}
        # "不对": ask which part to change; anything else: show the summary again
        return {"complaint_confirm": None, "complaint_editing": answer is False}


class ActionAskComplaintConfirm(Action):
    """The one-screen summary to confirm or correct before submitting."""

    def name(self) -> str:
        return "action_ask_complaint_confirm"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        slot = tracker.get_slot
        if slot("complaint_editing"):
            fields = list(FIELD_LABELS.items())
            if is_elderly(tracker):  # at most four options: what the assistant read or guessed for them
                fields = [f for f in fields if f[0] in ELDERLY_EDITABLE]
            buttons = [
                {"title": f"改{label}", "payload": f'/change_answer{{"complaint_field": "{name}"}}'}
                for name, label in fields
            ]
            dispatcher.utter_message(text="您要改哪一项？", buttons=numbered_buttons(buttons, is_elderly(tracker)))
            return []
        description = slot("complaint_description") or ""
        category = slot("complaint_category") or infer_category(description)
        lines = [
            "请核对您要登记的内容：",
            f"类别：{category}",
            f"事情经过：{shorten(description)}",
            f"地点：{slot('complaint_location')}",
            *([f"时间：{slot('complaint_time')}"] if category in ASKS_TIME else []),
            f"涉及部门：{slot('complaint_department')}"
            + ("（由工作人员根据内容分派）" if slot("complaint_department") == NOT_GIVEN else ""),
            f"姓名：{slot('contact_name')}",
            f"电话：{mask_phone(slot('contact_phone')) or '****'}",
            "内容无误请点“确认提交”。",
            "有进展（转办、答复、办结）时要通知您，请点“提交并通知我”。"
            if is_elderly(tracker)
            else "如果希望工单转办、有答复、办结时收到通知，请点“提交并通知我”（通知只写工单号和进展）。",
        ]
        buttons = [
            {"title": "确认提交", "payload": "确认提交"},
            {"title": "修改", "payload": "/change_answer"},
            {"title": "取消", "payload": "/cancel"},
            {"title": "提交并通知我", "payload": "提交并通知我"},
        ]
        # The web chat offers 添加照片 (optional, up to 3) under the summary: drafts for this conversation that the
        # backend attaches to the ticket it creates (bot/tickets/photo_drafts.py). Other channels ignore it.
        dispatcher.utter_message(
            text="\n".join(lines), buttons=numbered_buttons(buttons, is_elderly(tracker)), json_message=PHOTOS_OFFER
        )
        return []


class ActionSubmitComplaint(Action):
    def name(self) -> str:
        return "action_submit_complaint"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        slot = tracker.get_slot
        reset = [SlotSet(s, None) for s in FORM_SLOTS]
        confirmed = slot("complaint_confirm")
        if confirmed is not True and confirmed != WITH_NOTICES:
            return reset  # cancelled, declined or answered from the knowledge base
        description = slot("complaint_description")
        category = slot("complaint_category") or infer_category(description)
        payload = {
            "category": category,
            "summary": description[:60],
            "description": description,
            "location": None if slot("complaint_location") == NOT_GIVEN else slot("complaint_location"),
            "occurred_at": None if slot("complaint_time") in {NOT_GIVEN, None} else slot("complaint_time"),
            "department": None if slot("complaint_department") == NOT_GIVEN else slot("complaint_department"),
            "citizen_name": None if slot("contact_name") == ANONYMOUS else slot("contact_name"),
            "phone": slot("contact_phone"),
            "consent": True,
            "channel": f"智能助手-{channel_name(tracker)}",
            "conversation_id": tracker.sender_id,
            "notify_updates": confirmed == WITH_NOTICES,
        }
        # Same conversation + same confirmed content → same key: a retried submission never makes two tickets.
        key = uuid.uuid5(uuid.NAMESPACE_URL, f"{tracker.sender_id}|{description}|{slot('contact_phone')}").hex
        try:
            result = outbox.submit(payload, idempotency_key=key)
        except TicketClientError as error:
            dispatcher.utter_message(text=f"提交没有成功：{error.detail}。请修改后再试，或拨打 12345。")
            return reset
        elderly = is_elderly(tracker)
        if result.queued:
            text = (
                f"已记下，不会丢。\n临时编号：{result.local_ref}\n系统恢复后自动提交。"
                if elderly
                else f"您的诉求已经安全记录（临时编号 {result.local_ref}）。工单系统暂时连不上，恢复后会自动提交，"
                "不会丢失也不会重复。稍后说“查询工单”并输入这个临时编号，就能查到正式工单号和进度。"
            )
        else:
            ticket = result.ticket or {}
            department = ticket.get("department") or "待分派"
            due = ticket.get("due_date") or "按规定时限"
            estimate = ticket.get("due_date_note")
            text = (
                f"登记好了！\n工单号：{result.ticket_number}\n{due}前答复您{'（估算，遇节假日顺延）' if estimate else ''}。"
                if elderly
                else f"已为您登记工单。\n工单号：{result.ticket_number}\n承办部门：{department}\n"
                f"预计答复时间：{due} 前{f'（估算：{estimate}）' if estimate else ''}\n"
                "查询进度时请提供工单号和手机号后四位。"
            )
        photos = (result.ticket or {}).get("photos") or 0  # those added under the summary, now the ticket's
        dispatcher.utter_message(
            text=text,
            json_message={"type": "ticket", "reference": result.reference, "queued": result.queued, "photos": photos},
        )
        return reset + [SlotSet("last_ticket", result.reference)]


# The action server imports this module once at start: begin delivering any tickets queued before.
outbox.start_delivery_worker()
