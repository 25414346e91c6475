"""工单查询: "查询工单" → ticket_status_form (ticket number or the outbox's temporary Q… reference, then the
last four digits of the phone) → action_ticket_status → the backend (HTTP) → status, history, the department's
reply and, once 已办结, the 好差评 buttons (actions/ticket_rating.py).

A wrong number/digit pair is asked again at most STATUS_TRIES times, with the same words whichever was wrong.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import outbox
from actions.api.tickets import BackendUnavailable, TicketClient, TicketClientError
from actions.contact import read_last4, read_ticket_reference
from actions.form_validation import CitizenFormValidationAction
from actions.forms import is_fresh_user_message, latest_intent
from actions.ticket_rating import RATING_GRADES

STATUS_TRIES = 3  # wrong number/digit combinations per status query before it stops
NO_MATCH = "没有查到对应的工单。"  # the same words whether the number or the digits are wrong


def _status_misses(tracker: Tracker) -> int:
    """How often this status query already said NO_MATCH (since the form started or 查询工单 was said again)."""
    misses = 0
    for event in reversed(tracker.events[:-1]):  # the citizen's latest message is not yet answered
        if event.get("event") == "active_loop" and event.get("name") == "ticket_status_form":
            break
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name") == (
            "check_ticket"
        ):
            break
        if event.get("event") == "bot" and (event.get("text") or "").startswith(NO_MATCH):
            misses += 1
    return misses


def _end_status_query() -> list[dict]:
    return [
        SlotSet("ticket_number", None),
        SlotSet("phone_last4", None),
        SlotSet("requested_slot", None),
        ActiveLoop(None),
    ]


class ValidateTicketStatusForm(CitizenFormValidationAction):
    form_slots = ["ticket_number", "phone_last4"]

    def name(self) -> str:
        return "validate_ticket_status_form"

    async def side_request(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict] | None:
        if latest_intent(tracker) == "cancel":
            dispatcher.utter_message(text="好的，不查了。")
            return _end_status_query()
        requested = tracker.get_slot("requested_slot")
        if requested and latest_intent(tracker) == "check_ticket":
            # "查询工单" again in the middle: a new query from its first question (and its own tries)
            reference = read_ticket_reference(tracker.latest_message.get("text") or "")
            return [SlotSet("ticket_number", reference), SlotSet("phone_last4", None)]
        if requested == "phone_last4":
            return self._check_owner(dispatcher, tracker)
        return None

    def _check_owner(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict] | None:
        """Number and digits checked with the backend before the form ends: a wrong pair is asked again
        (a new ticket number may be typed instead), at most STATUS_TRIES times. None: let the form go on."""
        text = tracker.latest_message.get("text") or ""
        reference = read_ticket_reference(text)
        if reference:  # "the number was wrong": take the new one and ask for the digits again
            return [SlotSet("ticket_number", reference), SlotSet("phone_last4", None)]
        last4, number = read_last4(text), tracker.get_slot("ticket_number")
        if not last4 or not number:
            return None
        if number.startswith("Q"):
            number = outbox.lookup(number)
            if not number:
                return None  # still queued: action_ticket_status says so
        try:
            status = TicketClient().query_status(number, last4, client_id=tracker.sender_id)
        except BackendUnavailable:
            return None  # action_ticket_status says the backend is unreachable
        except TicketClientError as error:
            dispatcher.utter_message(text=f"暂时不能查询：{error.detail}")
            return _end_status_query()
        if status is not None:
            return None
        left = STATUS_TRIES - _status_misses(tracker) - 1
        if left <= 0:
            dispatcher.utter_message(
                text=f"{NO_MATCH}为保护您的信息，这次先不查了。请核对登记时收到的工单号后再试，"
                "或拨打 12345 政务服务便民热线查询。"
            )
            return _end_status_query()
        dispatcher.utter_message(
            text=f"{NO_MATCH}请核对工单号和手机号后四位（还可以再试 {left} 次）。工单号输错了，直接发正确的工单号即可。"
        )
        return [SlotSet("phone_last4", None)]

    async def extract_ticket_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not is_fresh_user_message(tracker) or tracker.get_slot("ticket_number"):
            return {}
        reference = read_ticket_reference(tracker.latest_message.get("text") or "")
        if reference:
            return {"ticket_number": reference}
        if tracker.get_slot("requested_slot") == "ticket_number":
            dispatcher.utter_message(
                text="没认出工单号。工单号是 HY 开头加 12 位数字，例如 HY202611250001；临时编号是 Q 开头的 7 位。"
            )
        return {}

    def validate_phone_last4(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        last4 = read_last4(str(value or ""))
        if not last4:
            dispatcher.utter_message(text="请输入登记时留的手机号的后四位数字。")
        return {"phone_last4": last4}


class ActionTicketStatus(Action):
    def name(self) -> str:
        return "action_ticket_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        reference, last4 = tracker.get_slot("ticket_number"), tracker.get_slot("phone_last4")
        reset = [SlotSet("ticket_number", None), SlotSet("phone_last4", None)]
        if not reference or not last4:
            return reset
        number = reference
        if reference.startswith("Q"):
            number = outbox.lookup(reference)
            if not number:
                dispatcher.utter_message(
                    text=f"临时编号 {reference} 的诉求还在提交中（工单系统恢复后会自动提交），请稍后再查。"
                )
                return reset
        try:
            status = TicketClient().query_status(number, last4, client_id=tracker.sender_id)
        except BackendUnavailable:
            dispatcher.utter_message(text="查询系统暂时连不上，请稍后再试，或拨打 12345 政务服务便民热线。")
            return reset
        except TicketClientError as error:
            dispatcher.utter_message(text=f"暂时不能查询：{error.detail}")
            return reset
        if status is None:
            dispatcher.utter_message(text=f"{NO_MATCH}请核对工单号和手机号后四位后再试。")
            return reset
        lines = [
            f"工单号：{status['number']}",
            f"当前状态：{status['status']}",
            f"承办部门：{status.get('department') or '待分派'}",
        ]
        if status["status"] != "已办结":  # a closed ticket has its answer: no 预计答复 any more
            lines.append(
                f"预计答复：{status.get('due_date') or '—'} 前"
                + (f"（估算：{status['due_date_note']}）" if status.get("due_date_note") else "")
            )
        history = status.get("history") or []
        if history:
            lines.append("办理经过：" + " → ".join(f"{h['stage']}（{str(h['at'])[:10]}）" for h in history))
        if status.get("reply"):
            lines.append(f"部门答复：{status['reply']}")
        buttons: list[dict[str, str]] = []
        if status["status"] == "已办结" and not status.get("rating"):
            lines.append("这件事办得怎么样？请您评价：")
            buttons = [
                {"title": grade, "payload": f'/rate_ticket{{"rating_grade": "{grade}"}}'} for grade in RATING_GRADES
            ]
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return reset + [SlotSet("ticket_for_rating", {"number": status["number"], "last4": last4})]
