"""Safety first: emergencies, self-harm and abuse pre-empt every flow, form and mode.

NLU marks them (DIET, plus the keyword safety net bot/nlu/components.py SafetyNet over
knowledge/safety.yml); rules run these actions outside forms, and every form validator calls
`safety_interruption` before anything else, so no one in danger is answered with a form.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import MENU_BUTTONS, is_elderly, latest_user_text, numbered_buttons, user_turns
from actions.forms import is_fresh_user_message, latest_intent
from actions.grievance import sounds_like_grievance
from bot.knowledge.safety import EMERGENCY, SELF_HARM, SafetyRules

ABUSE = "abuse"
ABUSE_MARKER = "abuse"
ABUSE_FLAG_AFTER = 2  # the second abusive message in a conversation is flagged for staff


NARRATIVE_CHARS = 20  # an emergency message this long may be an account of something past


def _rules() -> SafetyRules:
    return SafetyRules.load()  # small file, read per use so number changes apply at once


def emergency_reply(dispatcher: CollectingDispatcher, tracker: Tracker, offer_ticket: bool = False) -> None:
    """One short message with the right numbers at once; then an offer to continue.

    `offer_ticket`: the message also reads like a complaint about something past ("消防栓被车撞歪了一直冒水"):
    after the numbers, offer to register it (the complaint form takes this message as the description)."""
    rules = _rules()
    found = rules.detect(latest_user_text(tracker))
    kinds = found.kinds if found and found.kind == EMERGENCY else []
    numbers = rules.numbers_for(kinds)  # no keyword matched (DIET only): all four numbers
    elderly = is_elderly(tracker)
    if elderly:
        dispatcher.utter_message(text="有危险，马上打电话！\n" + "\n".join(f"{rules.label(n)}{n}" for n in numbers))
        dispatcher.utter_message(text="您安全了，再来找我。")
    else:
        calls = "；".join(f"{rules.label(n)}请拨 {n}" for n in numbers)
        dispatcher.utter_message(text=f"如果危险正在发生，请立刻打电话：{calls}。先保证自己和身边人的安全。")
        dispatcher.utter_message(text="我是网上客服，不能派人到现场。等您安全了，我可以接着帮您办事。")
    if offer_ticket:
        text = (
            "不是急事的话，\n我帮您登记。"
            if elderly
            else "如果不是正在发生的危险，只是想反映这件事，我可以把您说的登记成工单，转给负责的部门。"
        )
        dispatcher.utter_message(
            text=text, buttons=numbered_buttons([{"title": "登记这个问题", "payload": "/start_complaint"}], elderly)
        )


def mentioned_hazard_line(tracker: Tracker) -> str | None:
    """The emergency numbers as one closing line, for a long account that mentions a past or chronic hazard
    (NLU's SafetyNet marked it `safety: {"urgency": "mentioned"}` instead of pre-empting the flow)."""
    safety = tracker.latest_message.get("safety") or {}
    if safety.get("urgency") != "mentioned":
        return None
    rules = _rules()
    kinds = list(safety.get("kinds") or [])
    # no kind named (the models heard a danger no word names): the police and the ambulance, not all four numbers
    numbers = rules.numbers_for(kinds) if kinds else ["110", "120"]
    if is_elderly(tracker):
        return "要是现在有危险，\n马上打 " + "、".join(numbers) + "。"
    calls = "；".join(f"{rules.label(n)} {n}" for n in numbers)
    return f"另外，您说的情况如果现在就有危险，请立刻打电话（{calls}）。"


def end_with_hazard_line(dispatcher: CollectingDispatcher, tracker: Tracker, events: list) -> list:
    """An answer to a message whose hazard the NLU doubted ends with the emergency line, once (the complaint
    form, when it takes over, says it after its first reading)."""
    if not any(isinstance(e, dict) and e.get("event") == "followup" for e in events):
        line = mentioned_hazard_line(tracker)
        if line:
            dispatcher.utter_message(text=line)
    return events


def self_harm_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    rules = _rules()
    hotline, urgent = (rules.self_harm_numbers + ["12356", "120"])[:2]
    if is_elderly(tracker):
        dispatcher.utter_message(text=f"您别一个人扛着。\n请打 {hotline}，有人陪您说说话。\n有危险马上打 {urgent}。")
        return
    dispatcher.utter_message(
        text=f"听到您这么说，我很担心您。谢谢您愿意说出来，您不是一个人。请拨打 {hotline}"
        f"（{rules.label(hotline) or '心理援助热线'}），那里有专业的人愿意听您说；如果现在就有危险，"
        f"请马上拨打 {urgent}，或者请身边的人陪着您。"
    )
    dispatcher.utter_message(text="我也在这里。您想说什么都可以跟我说，想办的事我们也可以慢慢来。")


def abuse_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Calm, never repeats the words; the second time in a conversation it is flagged for staff."""
    earlier = sum(ABUSE_MARKER in turn["custom_types"] for turn in user_turns(tracker)[:-1])
    marker = {"type": ABUSE_MARKER, "flag": earlier + 1 >= ABUSE_FLAG_AFTER}
    elderly = is_elderly(tracker)
    text = (
        "您别着急。\n说说要办什么，我帮您。"
        if elderly
        else "我理解您可能遇到了不顺心的事，心里着急。我们好好说，您告诉我要办什么事，我尽力帮您；"
        "对服务不满意的话，也可以投诉或找人工。"
    )
    buttons = [
        {"title": "投诉建议", "payload": "/start_complaint"},
        {"title": "找人工", "payload": "/human_handoff"},
        MENU_BUTTONS[0],
    ]
    dispatcher.utter_message(text=text, buttons=numbered_buttons(buttons, elderly), json_message=marker)


def safety_interruption(
    dispatcher: CollectingDispatcher, tracker: Tracker, form_slots: Sequence[str] = ()
) -> list[dict[str, Any]] | None:
    """For form validators, before anything else: the safety reply, then the form asks again
    (emergency, abuse: the slot the message was taken for is cleared) or stops and forgets `form_slots`
    (self-harm: no form questions after that). None when the message is not a safety case."""
    if not is_fresh_user_message(tracker):
        return None
    intent = latest_intent(tracker)
    requested = tracker.get_slot("requested_slot")
    if intent == EMERGENCY:
        emergency_reply(dispatcher, tracker)
        return [SlotSet(requested, None)] if requested else []
    if intent == SELF_HARM:
        self_harm_reply(dispatcher, tracker)
        return [SlotSet(slot, None) for slot in form_slots] + [SlotSet("requested_slot", None), ActiveLoop(None)]
    if intent == ABUSE:
        abuse_reply(dispatcher, tracker)
        return [SlotSet(requested, None)] if requested else []
    return None


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        text = latest_user_text(tracker)
        # A cry for help is short ("救命 着火了"); a longer account may be about something past that should
        # become a ticket ("消防栓被车撞歪了，一直冒水"): after the numbers, offer that too.
        emergency_reply(dispatcher, tracker, offer_ticket=len(text) >= NARRATIVE_CHARS or sounds_like_grievance(text))
        return []


class ActionSelfHarm(Action):
    def name(self) -> str:
        return "action_self_harm"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        self_harm_reply(dispatcher, tracker)
        return []


class ActionAbuse(Action):
    def name(self) -> str:
        return "action_abuse"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        abuse_reply(dispatcher, tracker)
        return []
