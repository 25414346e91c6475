"""一件事一次办: one generic, data-driven form for every bundle in knowledge/bundles.

bundle_form asks for `bundle` (which life event) and then repeatedly for `bundle_answer`: each time,
`action_ask_bundle_answer` asks the next question the bundle file defines, and the validator stores the
answer in `bundle_answers` until none is left. The validator also handles what citizens do in the
middle of it: cancel, "刚才说错了", a question about a component service, asking why.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import is_elderly, numbered_buttons
from actions.form_validation import CitizenFormValidationAction
from actions.forms import interruption_response, is_fresh_user_message, latest_entities, latest_intent
from actions.handoff import handoff_interruption
from actions.knowledge import knowledge_base
from actions.services import INTENT_ASPECTS, ActionAnswerService, resolve_services
from bot.common.text import option_number
from bot.knowledge import bundles as logic
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.search import AMBIGUOUS, CONFIDENT, EXACT, search

ELDERLY_BUNDLES = ["newborn", "retirement", "after_death", "social_security_card_services"]
# A citizen starting a bundle in their own words ("孩子刚生下来要办啥"): NLU already says a bundle is
# meant, so weaker retrieval evidence is worth offering as a choice than for a service question.
START_MIN_COVERAGE = 0.1


def _state(tracker: Tracker) -> dict[str, Any]:
    """{"bundle": id, "answers": {...}} of the bundle being (or last) worked through."""
    return dict(tracker.get_slot("bundle_answers") or {"bundle": None, "answers": {}})


def bundle_ids(kb, elderly: bool) -> list[str]:
    """The bundles the menu offers, in menu order (长辈模式: the four most asked)."""
    return [b for b in ELDERLY_BUNDLES if b in kb.bundles] if elderly else sorted(kb.bundles)


def bundle_buttons(kb, elderly: bool) -> list[dict[str, str]]:
    return [_bundle_button(kb, b) for b in bundle_ids(kb, elderly)]


def _bundle_button(kb, bundle_id: str) -> dict[str, str]:
    return {
        "title": _short_title(kb.bundles[bundle_id]["name"]),
        "payload": f'/start_bundle{{"bundle": "{bundle_id}"}}',
    }


def _kb() -> KnowledgeBase:
    """The knowledge base: the bundle actions only run once it offered a bundle."""
    kb = knowledge_base()
    assert kb is not None, "bundle actions need a knowledge base with bundles"
    return kb


def _short_title(name: str) -> str:
    return name.replace('"一件事"', "").replace("“一件事”", "").replace("一件事", "").strip() or name


class ActionAskBundle(Action):
    def name(self) -> str:
        return "action_ask_bundle"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        kb = _kb()
        elderly = is_elderly(tracker)
        choices = [b for b in tracker.get_slot("bundle_choices") or [] if b in kb.bundles]
        if choices:  # the citizen's words point at these: them first, then the rest of the menu
            names = "”或“".join(_short_title(kb.bundles[b]["name"]) for b in choices)
            text = (
                f"您要办的是“{names}”吗？\n点一下就开始。"
                if elderly
                else f"您要办的可能是“{names}”，点一下就开始；不是的话，也可以选其他事项。"
            )
            order = choices + [b for b in bundle_ids(kb, elderly) if b not in choices]
            buttons = [_bundle_button(kb, b) for b in order][: 4 if elderly else None]
        else:
            text = (
                "您要办哪件事？\n不在这里的，直接说名字。"
                if elderly
                else "“一件事一次办”把一件人生大事要跑的几个部门合在一起办：一张表、一套材料、一个窗口。您要办哪一件？"
            )
            buttons = bundle_buttons(kb, elderly)
        dispatcher.utter_message(text=text, buttons=numbered_buttons(buttons, elderly))
        return []


class ActionAskBundleAnswer(Action):
    def name(self) -> str:
        return "action_ask_bundle_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        kb, state = _kb(), _state(tracker)
        bundle = kb.bundles.get(state["bundle"] or "")
        question = bundle and logic.next_question(bundle, state["answers"])
        if not bundle or not question:
            return []
        elderly = is_elderly(tracker)
        buttons = [{"title": label, "payload": label} for _, label in logic.options(question)]
        position = len(logic.answered_questions(bundle, state["answers"])) + 1
        prefix = "" if elderly else f"（第 {position} 问）"
        dispatcher.utter_message(text=f"{prefix}{question['ask']}", buttons=numbered_buttons(buttons, elderly))
        return []


class ValidateBundleForm(CitizenFormValidationAction):
    form_slots = ["bundle", "bundle_answer"]

    def name(self) -> str:
        return "validate_bundle_form"

    async def side_request(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict] | None:
        return self._interruption(latest_intent(tracker), dispatcher, tracker, domain)

    async def run_form(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        choices_before = tracker.get_slot("bundle_choices")
        events = await super().run_form(dispatcher, tracker, domain)
        # rasa_sdk returns only the form's own slots from extract_*: keep the choices extract_bundle found.
        choices = tracker.slots.get("bundle_choices")
        if choices != choices_before and not any(e.get("name") == "bundle_choices" for e in events):
            events.append(SlotSet("bundle_choices", choices))
        return events

    def _interruption(self, intent: str | None, dispatcher, tracker, domain) -> list[dict] | None:
        """Cancel, change the last answer, or answer a side question (then the form asks again)."""
        kb, state = knowledge_base(), _state(tracker)
        asking_which = tracker.get_slot("requested_slot") == "bundle"
        service_instead = self._names_a_service_instead(kb, tracker)
        if intent == "cancel" or (asking_which and intent in INTENT_ASPECTS) or service_instead:
            answered: list[dict] = []
            if intent == "cancel":
                dispatcher.utter_message(text="好的，已退出一件事一次办。需要时随时再来。")
            else:  # a service question instead of choosing a bundle: leave the form and answer it
                if not service_instead:
                    dispatcher.utter_message(text="好的，先回答您的问题。")
                answered = [
                    e for e in ActionAnswerService().run(dispatcher, tracker, domain) if e.get("event") == "slot"
                ]
            return answered + [
                SlotSet("bundle", None),
                SlotSet("bundle_answer", None),
                SlotSet("bundle_choices", None),
                SlotSet("requested_slot", None),
                ActiveLoop(None),
            ]
        if intent == "change_answer" and state["answers"]:
            assert kb is not None  # a bundle is under way, so the knowledge base has it
            bundle = kb.bundles[state["bundle"]]
            last = logic.answered_questions(bundle, state["answers"])[-1]
            state["answers"] = {k: v for k, v in state["answers"].items() if k != last["id"]}
            dispatcher.utter_message(text="好的，上一个问题我们重新回答。")
            return [SlotSet("bundle_answers", state), SlotSet("bundle_answer", None)]
        if not asking_which and self._reads_as_answer(kb, state, tracker):
            return None  # "是本县的" is an answer, whatever intent NLU saw in it
        if intent in INTENT_ASPECTS or self._names_a_service(kb, tracker):
            # A service question in the middle ("社宝卡丢了" too, whatever intent NLU saw): answer, go on.
            events: list[dict] = []
            found = resolve_services(kb, tracker)
            if found.services or found.choices:
                events = ActionAnswerService().run(dispatcher, tracker, domain)
            else:  # no fallback ladder in the middle of a bundle: say so and carry on
                dispatcher.utter_message(text="这个问题我没找到对应的办事指南，办完这件事可以再单独问我。")
            dispatcher.utter_message(text="我们接着办刚才的事：")
            return [e for e in events if e.get("event") == "slot"] + [SlotSet("bundle_answer", None)]
        handoff = handoff_interruption(dispatcher, tracker, intent)
        if handoff is not None:
            return handoff
        response = interruption_response(tracker)
        if response:
            dispatcher.utter_message(response=response)
            return [SlotSet(tracker.get_slot("requested_slot"), None)]
        return None

    @staticmethod
    def _names_a_service_instead(kb, tracker: Tracker) -> bool:
        """Started on a message that names a service and no life event ("户口迁移要咋弄"): NLU took a
        service question for a bundle."""
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot("requested_slot") or tracker.get_slot("bundle") or text.startswith("/"):
            return False
        if search(kb, text, kinds=("bundle",), min_coverage=START_MIN_COVERAGE).candidates:
            return False
        return search(kb, text, kinds=("service",)).status in {EXACT, CONFIDENT}

    @staticmethod
    def _names_a_service(kb, tracker: Tracker) -> bool:
        text = tracker.latest_message.get("text") or ""
        return not text.startswith("/") and search(kb, text, kinds=("service",)).status in {EXACT, CONFIDENT}

    @staticmethod
    def _reads_as_answer(kb, state: dict[str, Any], tracker: Tracker) -> bool:
        bundle = kb.bundles.get(state["bundle"] or "")
        question = bundle and logic.next_question(bundle, state["answers"])
        if not question:
            return False
        return logic.parse_answer(question, tracker.latest_message.get("text") or "") is not None

    async def extract_bundle(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """On the message that starts the form, a life event named in the citizen's own words picks the
        bundle ("我要开个饭馆"), or the few it may be (shown first by action_ask_bundle)."""
        text = tracker.latest_message.get("text") or ""
        if (
            tracker.get_slot("bundle")
            or tracker.get_slot("requested_slot")
            or text.startswith("/")
            or not is_fresh_user_message(tracker)
        ):
            return {}
        result = search(_kb(), text, kinds=("bundle",), limit=3, min_coverage=START_MIN_COVERAGE)
        if result.status in {EXACT, CONFIDENT}:
            return {"bundle": result.candidates[0].id}
        return {"bundle_choices": [c.id for c in result.candidates]} if result.candidates else {}

    def validate_bundle(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kb = _kb()
        bundle_id = value if value in kb.bundles else self._offered_number(kb, tracker)
        if not bundle_id:
            result = search(kb, tracker.latest_message.get("text") or "", kinds=("bundle",), limit=3)
            if result.status in {EXACT, CONFIDENT}:
                bundle_id = result.candidates[0].id
            elif result.status == AMBIGUOUS:  # a few likely bundles, shown first by the next question
                return {"bundle": None, "bundle_choices": [c.id for c in result.candidates]}
            else:
                dispatcher.utter_message(
                    text="没听明白是哪件事，请点下面的选项，或说得具体一点，比如“孩子出生”“退休”。"
                )
                return {"bundle": None, "bundle_choices": None}
        state = _state(tracker)
        events: dict[str, Any] = {"bundle": bundle_id, "bundle_choices": None}
        if state["bundle"] != bundle_id:
            bundle = kb.bundles[bundle_id]
            opening = bundle.get("opening") or f"好的，我们来办{bundle['name']}。"
            if is_elderly(tracker):
                dispatcher.utter_message(text=f"{opening}\n我问几个问题，一次一个。")
            else:
                dispatcher.utter_message(
                    text=f"{opening}我先问您几个问题，再给您一份专属的办事清单。"
                    "中途说“刚才说错了”可以改，说“不办了”可以退出。"
                )
            events["bundle_answers"] = {"bundle": bundle_id, "answers": {}}
        return events

    @staticmethod
    def _offered_number(kb, tracker: Tracker) -> str | None:
        """A digit ("2") picks the bundle action_ask_bundle showed at that place."""
        number = option_number(tracker.latest_message.get("text") or "")
        offered = ValidateBundleForm._offered(kb, tracker)
        return offered[number - 1] if number is not None and number <= len(offered) else None

    @staticmethod
    def _offered(kb, tracker: Tracker) -> list[str]:
        """The bundles in the order action_ask_bundle showed them (the numbers the citizen may answer)."""
        elderly = is_elderly(tracker)
        choices = [b for b in tracker.get_slot("bundle_choices") or [] if b in kb.bundles]
        order = choices + [b for b in bundle_ids(kb, elderly) if b not in choices]
        return order[:4] if elderly and choices else order

    def validate_bundle_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kb, state = _kb(), _state(tracker)
        bundle = kb.bundles.get(state["bundle"] or "")
        question = bundle and logic.next_question(bundle, state["answers"])
        if not bundle or not question:
            return {"bundle_answer": "done"}
        answer = logic.parse_answer(question, str(value or ""))
        if answer is None:
            labels = "、".join(label for _, label in logic.options(question))
            why = f"问这个是因为：{question['why']}" if question.get("why") else ""
            dispatcher.utter_message(text=f"没太明白您的回答。{why}请回答：{labels}（也可以回复数字）。")
            return {"bundle_answer": None}
        state["answers"] = {**state["answers"], question["id"]: answer}
        done = logic.next_question(bundle, state["answers"]) is None
        return {"bundle_answers": state, "bundle_answer": "done" if done else None}


class ActionBundleChecklist(Action):
    """Runs when bundle_form finishes: the personalised checklist, kept for later in the conversation."""

    def name(self) -> str:
        return "action_bundle_checklist"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        kb, state = _kb(), _state(tracker)
        bundle = kb.bundles.get(state["bundle"] or "")
        if not bundle or logic.next_question(bundle, state["answers"]) is not None:
            return []  # the form was cancelled
        checklist = logic.build_checklist(kb, state["bundle"], state["answers"])
        elderly = is_elderly(tracker)
        text = logic.render_checklist(checklist, elderly=elderly)
        buttons = [
            {"title": "为什么少了某些事项？", "payload": "/bundle_why_skipped"},
            {"title": "刚才说错了，改答案", "payload": "/change_answer"},
            {"title": "返回菜单", "payload": "/help"},
        ]
        dispatcher.utter_message(
            text=text,
            buttons=numbered_buttons(buttons, elderly),
            json_message={
                "type": "bundle_checklist",
                "bundle": state["bundle"],
                "title": checklist.title,
                "text": logic.render_checklist(checklist),
            },
        )
        return [
            SlotSet("bundle_checklist", text),
            SlotSet("bundle", None),
            SlotSet("bundle_answer", None),
            SlotSet("bundle_choices", None),
        ]


class ActionShowChecklist(Action):
    def name(self) -> str:
        return "action_show_checklist"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        checklist = tracker.get_slot("bundle_checklist")
        if checklist:
            dispatcher.utter_message(text=checklist)
        else:
            dispatcher.utter_message(
                text="您还没有生成办事清单。说“一件事一次办”就可以开始。",
                buttons=[{"title": "一件事一次办", "payload": "/menu_bundles"}],
            )
        return []


class ActionBundleWhySkipped(Action):
    def name(self) -> str:
        return "action_bundle_why_skipped"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        kb, state = _kb(), _state(tracker)
        if state["bundle"] not in kb.bundles:
            dispatcher.utter_message(text="您还没有办一件事一次办，说“一件事一次办”就可以开始。")
            return []
        checklist = logic.build_checklist(kb, state["bundle"], state["answers"])
        dispatcher.utter_message(text=logic.render_skipped(checklist))
        return []


class ActionBundleChangeAnswer(Action):
    """After the checklist: pick the answer to change; that question is asked again and the list rebuilt."""

    def name(self) -> str:
        return "action_bundle_change_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        kb, state = _kb(), _state(tracker)
        bundle = kb.bundles.get(state["bundle"] or "")
        if not bundle or not state["answers"]:
            dispatcher.utter_message(text="目前没有可以修改的回答。")
            return []
        chosen = next((e["value"] for e in latest_entities(tracker) if e.get("entity") == "bundle_question"), None)
        answered = logic.answered_questions(bundle, state["answers"])
        if chosen not in state["answers"]:
            buttons = [
                {
                    "title": f"{q['ask']}（现在：{logic.describe_answer(q, state['answers'][q['id']])}）",
                    "payload": f'/change_answer{{"bundle_question": "{q["id"]}"}}',
                }
                for q in answered
            ]
            dispatcher.utter_message(text="您要改哪一个回答？", buttons=numbered_buttons(buttons, is_elderly(tracker)))
            return []
        # Drop the chosen answer and every later one (later questions may depend on it via ask_if).
        keep = [q["id"] for q in answered[: [q["id"] for q in answered].index(chosen)]]
        state["answers"] = {k: state["answers"][k] for k in keep}
        return [
            SlotSet("bundle_answers", state),
            SlotSet("bundle", state["bundle"]),
            SlotSet("bundle_answer", None),
            FollowupAction("bundle_form"),
        ]
