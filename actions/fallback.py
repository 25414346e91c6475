"""The fallback ladder: what the assistant says when it did not understand.

First miss → ask to rephrase, with 2–3 suggestions from the knowledge base; a message that reads like a
complaint (actions/grievance.py) is offered as a ticket at once instead, and a letter (60 characters or more)
goes to the complaint form, which reads it and follows its type (actions/letters.py).
Second consecutive miss → offer to record the question as a ticket, or a person (12345).

Every ladder reply carries the custom marker {"type": "fallback", "step": n}: that is how later turns
(and the staff console's unresolved-intent inbox) know a turn was missed, whichever action answered it
(`action_fallback_ladder`, or `action_answer_service` when no service matched).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.common import MENU_BUTTONS, is_elderly, numbered_buttons, user_turns
from actions.grievance import reads_as_letter, sounds_like_grievance
from actions.suggestions import suggest_services

FALLBACK_MARKER = "fallback"


def was_missed(turn: dict[str, Any]) -> bool:
    return FALLBACK_MARKER in turn["custom_types"]


def consecutive_misses(tracker: Tracker) -> int:
    """How many user turns in a row, the one being answered now included, the assistant did not understand."""
    misses = 1
    for turn in reversed(user_turns(tracker)[:-1]):
        if not was_missed(turn):
            break
        misses += 1
    return misses


def climb_ladder(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    step = min(consecutive_misses(tracker), 2)
    elderly = is_elderly(tracker)
    if step == 1 and reads_as_letter(tracker.latest_message.get("text") or ""):
        # A letter nothing matched: the complaint form reads it (actions/letters.py) and follows its type.
        return [FollowupAction("complaint_form")]
    if step == 1 and sounds_like_grievance(tracker.latest_message.get("text") or ""):
        text, buttons = _offer_ticket(tracker.latest_message.get("text") or "", elderly)
    elif step == 1:
        text, buttons = _rephrase(tracker, elderly)
        if elderly:  # 长辈模式: every dead end also offers a person
            buttons = buttons[:3] + [{"title": "找人帮忙", "payload": "/human_handoff"}]
    else:
        text = (
            "还是没听明白，对不起。\n我把问题记下来，\n让工作人员联系您？"
            if elderly
            else "很抱歉，我还是没能理解。要不要把您的问题登记下来，由工作人员按时限答复您？"
            "您也可以拨打 12345 政务服务便民热线找人工。"
        )
        buttons = _ticket_buttons("登记问题，让工作人员答复")
    dispatcher.utter_message(
        text=text, buttons=numbered_buttons(buttons, elderly), json_message={"type": FALLBACK_MARKER, "step": step}
    )
    return []


def _offer_ticket(said: str, elderly: bool):
    """The words were not understood, but they read like a complaint: offer to register them as they are
    (the complaint form takes the missed messages as the description), with the triage's reading."""
    from actions.letters import read_letter  # letters → services → fallback: imported when used

    letter = read_letter(said)
    department = letter.department or "负责的部门"
    text = (
        f"您是要{'提建议' if letter.category == '建议' else '反映问题'}吗？\n我帮您登记，\n转给{department}。"
        if elderly
        else f"您说的情况我没能完全理解，但听起来是{letter.topic}方面的{letter.category}（可转{department}）。"
        "我可以把您刚才说的登记成工单，转给负责的部门按时限处理，并给您一个工单号；也可以换个说法再问。"
    )
    return text, _ticket_buttons("登记这个问题")


def _ticket_buttons(register_title: str) -> list[dict[str, str]]:
    return [
        {"title": register_title, "payload": "/start_complaint"},
        {"title": "找人工", "payload": "/human_handoff"},
        {"title": "返回菜单", "payload": "/help"},
    ]


def _rephrase(tracker: Tracker, elderly: bool):
    suggestions = suggest_services(tracker.latest_message.get("text") or "", limit=3)
    buttons = [{"title": title, "payload": payload} for title, payload in suggestions]
    service_question = (tracker.latest_message.get("intent") or {}).get("name", "").startswith("ask_")
    if elderly:
        text = "我没听懂。\n请换个说法，\n或点下面的选项。"
    elif service_question:
        text = "抱歉，没找到您说的这项业务的办事指南。请说一下事项的名称，比如“补身份证”“办低保”" + (
            "；或者看看是不是下面这些：" if buttons else "。"
        )
    elif buttons:
        text = "抱歉，我没完全理解您的意思。您是想问下面这些吗？也可以换个说法再说一次。"
    else:
        text = "抱歉，我没完全理解您的意思。请换个说法，比如“办低保要带啥材料”“社保卡丢了咋补”。"
    return text, buttons or MENU_BUTTONS
