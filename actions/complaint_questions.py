"""The complaint form's questions whose wording follows the type (咨询 / 建议 … from actions/letters.py).

A question is asked which place or unit it concerns, never "where did it happen"; a suggestion which place it
is about; a department is asked with the triage's three best guesses as buttons; the type itself only when
the citizen chose to change it in the summary.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import is_elderly, numbered_buttons
from actions.letters import CATEGORIES


def _category(tracker: Tracker) -> str:
    return tracker.get_slot("complaint_category") or "投诉"


class ActionAskComplaintCategory(Action):
    def name(self) -> str:
        return "action_ask_complaint_category"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        elderly = is_elderly(tracker)
        text = (
            "这件事属于哪一类？"
            if elderly
            else "这件事属于哪一类？咨询是问政策或办事，求助是遇到困难请帮忙，投诉是对单位或人员不满，"
            "举报是反映违法违规，建议是提改进意见，表扬是夸赞好的做法。"
        )
        buttons = [{"title": c, "payload": c} for c in CATEGORIES]
        if elderly:  # 长辈模式: at most four numbered options, the most common ones
            buttons = [b for b in buttons if b["title"] in {"咨询", "求助", "投诉", "建议"}]
        dispatcher.utter_message(text=text, buttons=numbered_buttons(buttons, elderly))
        return []


class ActionAskComplaintLocation(Action):
    def name(self) -> str:
        return "action_ask_complaint_location"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        elderly = is_elderly(tracker)
        category = _category(tracker)
        if category == "咨询":
            text = (
                "您问的是哪个地方、哪个单位的事？\n不清楚就说“不知道”。"
                if elderly
                else "您问的是哪个地方或哪个单位的事？（比如哪个乡镇、小区、学校；不清楚可以回复“不知道”）"
            )
        elif category == "建议":
            text = (
                "您的建议是关于哪个地方的？\n不清楚就说“不知道”。"
                if elderly
                else "您的建议是关于哪个地方或哪个单位的？（比如哪个乡镇、路口、窗口；不限地方可以回复“不知道”）"
            )
        else:
            text = (
                "在哪里发生的？\n不知道就说“不知道”。"
                if elderly
                else "事情发生在哪里？（比如哪个乡镇、村、单位或窗口；不清楚可以回复“不知道”）"
            )
        dispatcher.utter_message(text=text)
        return []


class ActionAskComplaintDepartment(Action):
    def name(self) -> str:
        return "action_ask_complaint_department"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        elderly = is_elderly(tracker)
        proposed = list((tracker.get_slot("complaint_triage") or {}).get("departments") or [])[:3]
        if elderly:
            text = "知道是哪个部门吗？\n不知道就说“不知道”。"
            proposed = proposed[:2]
        elif proposed:
            text = "您知道这件事归哪个部门管吗？可能是下面几个之一；都不确定就回复“不知道”，工作人员会帮您分派。"
        else:
            text = "您知道这件事归哪个部门管吗？不知道没关系，回复“不知道”，工作人员会帮您分派。"
        buttons = [{"title": d, "payload": d} for d in proposed] + [{"title": "不知道", "payload": "不知道"}]
        dispatcher.utter_message(text=text, buttons=numbered_buttons(buttons, elderly))
        return []


class ActionAskComplaintStillWanted(Action):
    """After an answer from the knowledge base: still a ticket? For a question it could not answer: the
    offer of a 咨询 ticket forwarded to the department."""

    def name(self) -> str:
        return "action_ask_complaint_still_wanted"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        elderly = is_elderly(tracker)
        reading = tracker.get_slot("complaint_triage") or {}
        department = reading.get("department") or "负责的部门"
        if reading.get("answered"):
            text = (
                "问题解决了吗？"
                if elderly
                else "上面的回答解决您的问题了吗？如果还需要部门给您答复，我继续为您登记工单。"
            )
            buttons = [{"title": "仍要登记", "payload": "要登记"}, {"title": "已解决，不用了", "payload": "不用了"}]
        else:
            text = (
                f"要不要登记成咨询，\n让{department}答复您？"
                if elderly
                else f"我可以把您的问题登记成咨询工单，转给{department}，由他们按时限答复您。要登记吗？"
            )
            buttons = [{"title": "登记咨询", "payload": "要登记"}, {"title": "不用了", "payload": "不用了"}]
        dispatcher.utter_message(text=text, buttons=numbered_buttons(buttons, elderly))
        return []
