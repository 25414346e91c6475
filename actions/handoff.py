"""转人工: a person from the staff console, or 12345 and a call-back when nobody can take the chat.

"转人工" (or 找人工 at the end of the fallback ladder, or a dead end in 长辈模式) → `handoff_reply` asks the
backend to queue the conversation (actions/api/handoff.py). Queued: the citizen hears their place and
the wait, and the page polls the backend for the staff member's messages (custom message `handoff`);
while a person is connected the backend pauses this conversation in Rasa, so the bot stays silent.
Outside the service hours, with nobody online, or with the backend down: 12345 (7×24) and a
call-back request (`callback_form`), which becomes a ticket through the outbox like a complaint.
"""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import outbox
from actions.api.handoff import HandoffClient, HandoffUnavailable, TicketClientError
from actions.common import channel_name, is_elderly, numbered_buttons, user_turns
from actions.contact import declines, read_phone
from actions.fallback import was_missed
from actions.form_validation import CitizenFormValidationAction
from actions.forms import latest_intent

HOTLINE = "12345"
CALLBACK_SLOTS = ["callback_phone", "callback_time"]


def _reason(tracker: Tracker) -> str:
    if is_elderly(tracker):
        return "elderly"
    turns = user_turns(tracker)
    return "fallback" if len(turns) > 1 and was_missed(turns[-2]) else "asked"


# Channels whose citizens cannot receive a staff member's messages (the page and the app poll for them; the
# 公众号 has no such path yet): 12345 and a call-back instead of a queue they would wait in, unheard.
NO_LIVE_CHAT_CHANNELS = {"wechat"}


def handoff_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    elderly = is_elderly(tracker)
    answer: dict[str, Any]
    if channel_name(tracker) in NO_LIVE_CHAT_CHANNELS:
        answer = {"status": "closed", "reason": "channel"}
    else:
        try:
            answer = HandoffClient().request(
                tracker.sender_id, channel=channel_name(tracker), reason=_reason(tracker), elderly=elderly
            )
        except (HandoffUnavailable, TicketClientError):
            answer = {"status": "closed", "reason": "unavailable"}
    status = answer.get("status")
    if status == "queued":
        ahead, minutes = answer.get("ahead") or 0, answer.get("expected_wait_minutes")
        wait = f"大约等 {minutes} 分钟" if minutes else "请稍候"
        place = "您排在第 1 位" if ahead <= 0 else f"前面还有 {ahead} 位"  # never "前面还有 0 位"
        text = (
            f"已转人工，{place.replace(' ', '')}。\n{wait}。"
            if elderly
            else f"已为您转人工客服，{place}，{wait}。工作人员接入后会在这里直接跟您说话；"
            "不想等的话，也可以把问题登记成工单，工作人员按时限答复。"
        )
        buttons = [
            {"title": "取消排队", "payload": "/cancel_handoff"},
            {"title": "改为登记工单", "payload": "/start_complaint"},
        ]
        dispatcher.utter_message(
            text=text, buttons=numbered_buttons(buttons, elderly), json_message={"type": "handoff", **answer}
        )
        return
    if status == "connected":
        dispatcher.utter_message(
            text="人工客服已经在和您对话了，请直接说。", json_message={"type": "handoff", **answer}
        )
        return
    when = answer.get("next_open_text")
    if answer.get("reason") == "outside_hours":
        why = "现在不是人工客服的服务时间" + (f"（下次：{when}）" if when else "")
    elif answer.get("reason") == "no_staff":
        why = "现在没有工作人员在线"
    elif answer.get("reason") == "channel":
        why = "公众号里暂时不能转接人工客服"
    else:
        why = "人工客服暂时连不上"
    text = (
        f"{why}。\n请打 {HOTLINE}，24小时有人接。\n或约个时间给您回电话。"[:60]
        if elderly
        else f"{why}。{HOTLINE} 政务服务便民热线全天 24 小时有人工接听；也可以预约回电，工作人员上班后给您打电话，"
        "或者把问题登记成工单。"
    )
    buttons = [
        {"title": "预约回电", "payload": "/request_callback"},
        {"title": "登记工单", "payload": "/start_complaint"},
    ]
    dispatcher.utter_message(text=text, buttons=numbered_buttons(buttons, elderly))


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        handoff_reply(dispatcher, tracker)
        return []


class ActionCancelHandoff(Action):
    def name(self) -> str:
        return "action_cancel_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            cancelled = HandoffClient().cancel_conversation(tracker.sender_id)
        except (HandoffUnavailable, TicketClientError):
            dispatcher.utter_message(text="暂时取消不了排队，请稍后再试；您也可以直接接着问我。")
            return []
        text = "好的，已取消转人工。还有什么可以帮您？" if cancelled else "您现在没有在排队等人工。还有什么可以帮您？"
        dispatcher.utter_message(
            text=text, json_message={"type": "handoff", "status": "cancelled"} if cancelled else None
        )
        return []


class ValidateCallbackForm(CitizenFormValidationAction):
    form_slots = CALLBACK_SLOTS

    def name(self) -> str:
        return "validate_callback_form"

    async def side_request(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict] | None:
        if latest_intent(tracker) == "cancel":
            dispatcher.utter_message(text="好的，不预约了。需要时可以直接拨打 12345。")
            return [SlotSet(s, None) for s in CALLBACK_SLOTS] + [SlotSet("requested_slot", None), ActiveLoop(None)]
        return None

    def validate_callback_phone(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        phone = read_phone(str(value or ""))
        if phone:
            return {"callback_phone": phone}
        if declines(str(value or "")):
            dispatcher.utter_message(text="回电需要一个电话号码。不想留的话可以说“取消”，或直接拨打 12345。")
        else:
            dispatcher.utter_message(text="这个号码好像不对。手机号是 11 位、以 1 开头；座机请带区号。请再输一次。")
        return {"callback_phone": None}

    def validate_callback_time(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").strip()
        return {"callback_time": text[:60] or "工作时间内都可以"}


class ActionSubmitCallback(Action):
    """The call-back request becomes a ticket (category 求助), through the outbox: never lost."""

    def name(self) -> str:
        return "action_submit_callback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        phone, when = tracker.get_slot("callback_phone"), tracker.get_slot("callback_time")
        reset = [SlotSet(s, None) for s in CALLBACK_SLOTS]
        if not phone:
            return reset  # cancelled
        payload = {
            "category": "求助",
            "summary": f"预约回电：{when}"[:60],
            "description": f"市民通过智能助手请求人工客服回电。希望回电的时间：{when}。",
            "phone": phone,
            "consent": True,
            "channel": f"智能助手-{channel_name(tracker)}",
            "conversation_id": tracker.sender_id,
        }
        key = uuid.uuid5(uuid.NAMESPACE_URL, f"callback|{tracker.sender_id}|{phone}|{when}").hex
        try:
            result = outbox.submit(payload, idempotency_key=key)
        except TicketClientError as error:
            dispatcher.utter_message(text=f"预约没有成功：{error.detail}。请直接拨打 12345。")
            return reset
        elderly = is_elderly(tracker)
        if elderly:
            text = f"记下了，会给您回电话。\n编号：{result.reference}"
        else:
            text = (
                f"已为您预约回电（编号 {result.reference}），工作人员会在{when}前后给您打电话，"
                "您的电话只用于这次回电。着急的话，可以直接拨打 12345。"
            )
        photos = (result.ticket or {}).get("photos") or 0  # a complaint's photos not submitted before go with it
        dispatcher.utter_message(
            text=text,
            json_message={"type": "ticket", "reference": result.reference, "queued": result.queued, "photos": photos},
        )
        return reset + [SlotSet("last_ticket", result.reference)]


def handoff_interruption(
    dispatcher: CollectingDispatcher, tracker: Tracker, intent: str | None
) -> list[dict[str, Any]] | None:
    """In the middle of a form, "转人工" queues the conversation; the form then asks its question again."""
    if intent != "human_handoff":
        return None
    handoff_reply(dispatcher, tracker)
    requested = tracker.get_slot("requested_slot")
    return [SlotSet(requested, None)] if requested else []
