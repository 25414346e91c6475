"""Actions for input the assistant cannot understand: bad input, very long messages, fallback ladder."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import MENU_BUTTONS, is_elderly, numbered_buttons, user_turns
from actions.knowledge import knowledge_base
from actions.services import answer_named_item, named_in_text
from actions.suggestions import suggest_services

FALLBACK_ACTION = "action_fallback_ladder"

BAD_INPUT_REPLIES = {
    "empty": ("您好像没有输入内容。请说说您要办什么事。", "您没有输入内容。\n请说您要办什么事。"),
    "no_text": ("我只能看懂文字，暂时看不懂表情和符号。请用文字说说您要办什么事。",
                "我看不懂表情。\n请用文字说。"),
    "non_chinese": ("抱歉，我目前只能用中文为您服务。请用中文描述您的问题，例如“身份证丢了咋补办”。",
                    "请用中文说。\n比如：补身份证。"),
}


class ActionHandleBadInput(Action):
    def name(self) -> Text:
        return "action_handle_bad_input"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        issue = (tracker.latest_message.get("input_check") or {}).get("issue") or "no_text"
        normal, short = BAD_INPUT_REPLIES.get(issue, BAD_INPUT_REPLIES["no_text"])
        elderly = is_elderly(tracker)
        dispatcher.utter_message(text=short if elderly else normal,
                                 buttons=numbered_buttons(MENU_BUTTONS, elderly))
        return []


class ActionHandleLongMessage(Action):
    """A long letter is usually a complaint or a detailed request: say what was read, offer a ticket."""

    def name(self) -> Text:
        return "action_handle_long_message"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        length = (tracker.latest_message.get("input_check") or {}).get("length", 0)
        if is_elderly(tracker):
            text = f"您写了{length}字，内容很长。\n要不要记成工单，让工作人员看？"
        else:
            text = (f"您的留言有 {length} 字，内容较长，我只能自动理解前 500 字，后面的内容不会丢。"
                    "如果是投诉、求助或建议，建议登记成工单，工作人员会完整阅读全文并按时限答复；"
                    "如果是咨询办事，也可以用一两句话重新问我。")
        buttons = [{"title": "登记成工单", "payload": "/start_complaint"},
                   {"title": "我换个简短说法", "payload": "/menu_services"}]
        dispatcher.utter_message(text=text, buttons=numbered_buttons(buttons, is_elderly(tracker)))
        return []


class ActionFallbackLadder(Action):
    """First miss: ask to rephrase with suggestions. Second consecutive miss: offer a ticket or a person."""

    def name(self) -> Text:
        return FALLBACK_ACTION

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict]:
        if tracker.latest_message.get("text", "").startswith("/"):
            item = None  # an explicit intent payload, nothing to search
        else:
            item = named_in_text(knowledge_base(), tracker.latest_message.get("text") or "")
        if item:  # NLU was unsure, but the message names a service or bundle: answer that
            return answer_named_item(item, dispatcher, tracker, domain)
        misses = self._consecutive_misses(tracker)
        elderly = is_elderly(tracker)
        if misses <= 1:
            suggestions = suggest_services(tracker.latest_message.get("text") or "", limit=3)
            buttons = [{"title": title, "payload": payload} for title, payload in suggestions]
            service_question = (tracker.latest_message.get("intent") or {}).get("name", "").startswith("ask_")
            if elderly:
                text = "我没听懂。\n请换个说法，\n或点下面的选项。"
            elif service_question:
                text = ("抱歉，没找到您说的这项业务的办事指南。请说一下事项的名称，比如“补身份证”“办低保”"
                        + ("；或者看看是不是下面这些：" if buttons else "。"))
            elif buttons:
                text = "抱歉，我没完全理解您的意思。您是想问下面这些吗？也可以换个说法再说一次。"
            else:
                text = "抱歉，我没完全理解您的意思。请换个说法，比如“办低保要带啥材料”“社保卡丢了咋补”。"
            dispatcher.utter_message(text=text, buttons=numbered_buttons(buttons or MENU_BUTTONS, elderly))
        else:
            text = ("还是没听明白，对不起。\n我把问题记下来，\n让工作人员联系您？" if elderly else
                    "很抱歉，我还是没能理解。要不要把您的问题登记下来，由工作人员按时限答复您？"
                    "您也可以拨打 12345 政务服务便民热线找人工。")
            buttons = [{"title": "登记问题，让工作人员答复", "payload": "/start_complaint"},
                       {"title": "找人工", "payload": "/human_handoff"},
                       {"title": "返回菜单", "payload": "/help"}]
            dispatcher.utter_message(text=text, buttons=numbered_buttons(buttons, elderly))
        return []

    @staticmethod
    def _consecutive_misses(tracker: Tracker) -> int:
        """How many user turns in a row, this one included, the assistant did not understand."""
        turns = user_turns(tracker)
        if turns:
            turns[-1]["actions"].append(FALLBACK_ACTION)  # the turn being answered right now
        misses = 0
        for turn in reversed(turns):
            if FALLBACK_ACTION not in turn["actions"]:
                break
            misses += 1
        return misses
