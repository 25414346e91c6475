"""好差评: a closed ticket's five grades (buttons under the status answer, actions/ticket_status.py) →
rating_form (grade, an optional comment) → action_submit_rating → the backend (HTTP). A 不满意 gets a promise
of a return visit.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api.tickets import BackendUnavailable, TicketClient, TicketClientError
from actions.contact import declines, says_unknown
from actions.form_validation import CitizenFormValidationAction

RATING_GRADES = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]


class ValidateRatingForm(CitizenFormValidationAction):
    form_slots = ["rating_grade", "rating_comment"]

    def name(self) -> str:
        return "validate_rating_form"

    def validate_rating_grade(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").strip()
        grade = next((g for g in sorted(RATING_GRADES, key=len, reverse=True) if g in text), None)
        if grade is None and text.isdigit() and 1 <= int(text) <= len(RATING_GRADES):
            grade = RATING_GRADES[int(text) - 1]
        if grade is None:
            dispatcher.utter_message(text="请从 非常满意、满意、基本满意、不满意、非常不满意 中选一个。")
        return {"rating_grade": grade}

    def validate_rating_comment(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").strip()
        return {"rating_comment": "" if says_unknown(text) or declines(text) or text in {"无", "没了"} else text[:500]}


class ActionSubmitRating(Action):
    def name(self) -> str:
        return "action_submit_rating"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        target = tracker.get_slot("ticket_for_rating") or {}
        grade, comment = tracker.get_slot("rating_grade"), tracker.get_slot("rating_comment")
        reset = [SlotSet("rating_grade", None), SlotSet("rating_comment", None)]
        if not target or not grade:
            dispatcher.utter_message(text="请先查询工单（说“查询工单”），再对办结的工单评价。")
            return reset
        try:
            TicketClient().rate(
                target["number"], grade, comment or None, phone_last4=target["last4"], client_id=tracker.sender_id
            )
        except BackendUnavailable:
            dispatcher.utter_message(text="评价系统暂时连不上，请稍后再评，或拨打 12345。")
            return reset
        except TicketClientError as error:
            dispatcher.utter_message(text=f"暂时不能评价：{error.detail}")
            return reset
        text = "感谢您的评价！"
        if grade in {"不满意", "非常不满意"}:
            text += "我们会在 15 个工作日内回访您、督促整改，并把结果反馈给您。"
        dispatcher.utter_message(text=text)
        return reset + [SlotSet("ticket_for_rating", None)]
