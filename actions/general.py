"""Actions for input the assistant cannot understand: bad input, very long messages, fallback ladder."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.common import MENU_BUTTONS, is_elderly, numbered_buttons
from actions.fallback import climb_ladder
from actions.grievance import reads_as_full_letter
from actions.knowledge import knowledge_base
from actions.services import answer_named_item, named_in_text
from actions.situation import service_in_clauses

BAD_INPUT_REPLIES = {
    "empty": ("您好像没有输入内容。请说说您要办什么事。", "您没有输入内容。\n请说您要办什么事。"),
    "no_text": ("我只能看懂文字，暂时看不懂表情和符号。请用文字说说您要办什么事。", "我看不懂表情。\n请用文字说。"),
    "non_chinese": (
        "抱歉，我目前只能用中文为您服务。请用中文描述您的问题，例如“身份证丢了咋补办”。",
        "请用中文说。\n比如：补身份证。",
    ),
}


class ActionHandleBadInput(Action):
    def name(self) -> str:
        return "action_handle_bad_input"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        issue = (tracker.latest_message.get("input_check") or {}).get("issue") or "no_text"
        normal, short = BAD_INPUT_REPLIES.get(issue, BAD_INPUT_REPLIES["no_text"])
        elderly = is_elderly(tracker)
        dispatcher.utter_message(text=short if elderly else normal, buttons=numbered_buttons(MENU_BUTTONS, elderly))
        return []


class ActionHandleLongMessage(Action):
    """A very long letter: say that it is kept whole, then the complaint form reads it (actions/letters.py):
    what was understood, the type's questions, a question the knowledge base answers answered first."""

    def name(self) -> str:
        return "action_handle_long_message"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        length = (tracker.latest_message.get("input_check") or {}).get("length", 0)
        if is_elderly(tracker):
            text = f"您写了{length}字，我都记下了，\n工作人员会看全文。"
        else:
            text = (
                f"您的留言有 {length} 字，内容较长，我只能自动理解前 500 字，后面的内容不会丢："
                "登记成工单后，工作人员会完整阅读全文并按时限答复。"
            )
        dispatcher.utter_message(text=text)
        return [FollowupAction("complaint_form")]


class ActionFallbackLadder(Action):
    """NLU was unsure. If the message still names a service or bundle, answer that; else climb the ladder."""

    def name(self) -> str:
        return "action_fallback_ladder"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict]:
        text = tracker.latest_message.get("text") or ""
        item = None if text.startswith("/") else named_in_text(knowledge_base(), text)  # "/…": an explicit intent
        if reads_as_full_letter(text) and not (item and item.get("kind") == "bundle"):
            return [FollowupAction("complaint_form")]  # the form reads the letter and follows its type
        if item is None and service_in_clauses(knowledge_base(), text):  # a plain question told with a situation
            item = {"kind": "service", "id": ""}  # ActionAnswerService finds which one in the clauses
        if item:
            return answer_named_item(item, dispatcher, tracker, domain)
        return climb_ladder(dispatcher, tracker)
