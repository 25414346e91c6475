"""Two guards inside the Rasa server process (applied by bot/rasa_server.py): every turn ends in a reply.

1. An action that fails (the action server is down or dies mid-call, a timeout, a crash) used to leave
   the turn silent: Rasa logs the error and drops the action's events. Here the citizen hears that the
   service is busy and what to do. A failed submission (complaint, call-back, rating) keeps what the
   citizen filled in and offers 「重新提交」: the retry goes through the same idempotency key
   (actions/outbox.py), so it finds the ticket the first attempt may already have created, never a second.
2. Rasa's circuit breaker (ten actions without listening, e.g. a form that keeps rejecting itself) stopped
   the turn without an `action_listen`; since Rasa counts actions back to the last `action_listen`, every
   later message of that conversation tripped it again at once: empty replies until the session expired.
   Here the count starts at the citizen's latest message, and a tripped turn ends with an apology, the
   stuck form closed, and a listen, so the next message is handled normally. A turn that ends without a
   word (a hand-typed payload, or actions that said nothing) gets a line as well: every message is answered.
3. A retrieval intent typed as a payload ("/chitchat") carries no response selection, and Rasa's
   `utter_chitchat` raised KeyError (answered 系统正忙). Here it gets a polite reply from the domain instead.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

BUSY = "抱歉，系统正忙，这一步暂时没办成（您刚才说的已经收到）。请过一两分钟再发一次；着急的话请拨打 12345 政务服务便民热线。"
BUSY_ELDERLY = "系统忙，没办成。\n请过一会儿再说一次，\n或打 12345。"
SUBMIT_BUSY = (
    "抱歉，系统正忙，刚才的提交没有确认成功。您填的内容都还在：请过一两分钟点“重新提交”，"
    "系统会核对，不会重复登记；着急的话请拨打 12345 政务服务便民热线。"
)
SUBMIT_BUSY_ELDERLY = "系统忙，还没确认提交。\n内容都还在，\n过一会儿点“重新提交”。"
STUCK = "抱歉，刚才这一步我没能处理好，已经停下了。请再说一次您要办的事；也可以说“转人工”或拨打 12345。"
STUCK_ELDERLY = "刚才没处理好。\n请再说一次，\n或打 12345。"
# Retrieval intent → the domain response used when the message carries no selection for it.
UNSELECTED_RETRIEVAL = {"chitchat": "utter_chitchat/ask_name"}
SILENT_TURN = "我在。请直接说您要办的事，比如“身份证丢了咋补办”，也可以说“投诉”或“查询工单”。"
SILENT_TURN_ELDERLY = "我在。\n请直接说您要办的事。"

# A submit action that failed → what the 重新提交 button sends, and the form to reopen at its last question
# (the complaint form waits at its confirmation again, so 确认提交 submits the same content once more).
RETRY: dict[str, tuple[str, tuple[str, str] | None]] = {
    "action_submit_complaint": ("确认提交", ("complaint_form", "complaint_confirm")),
    "action_submit_callback": ("/request_callback", None),
    "action_submit_rating": ("/rate_ticket", None),
}


def _elderly(tracker) -> bool:
    return bool(tracker.get_slot("elderly_mode"))


def failed_action_events(action_name: str, tracker) -> list[Any]:
    """What the citizen hears (and what is kept) when `action_name` could not run."""
    from rasa.shared.core.constants import REQUESTED_SLOT
    from rasa.shared.core.events import ActiveLoop, BotUttered, SlotSet

    elderly = _elderly(tracker)
    if action_name in RETRY:
        payload, reopen = RETRY[action_name]
        button = {"title": "1 重新提交" if elderly else "重新提交", "payload": payload}
        text = SUBMIT_BUSY_ELDERLY if elderly else SUBMIT_BUSY
        events: list[Any] = [BotUttered(text, data={"buttons": [button]}, metadata={"failed_action": action_name})]
        if reopen:
            form, question = reopen
            events += [ActiveLoop(form), SlotSet(question, None), SlotSet(REQUESTED_SLOT, question)]
        return events
    return [BotUttered(BUSY_ELDERLY if elderly else BUSY, metadata={"failed_action": action_name})]


def _guard_actions() -> None:
    from rasa.core import processor
    from rasa.core.actions.action import ActionExecutionRejection

    class GuardedAction:
        """The predicted action, with a failure turned into a polite reply instead of silence."""

        def __init__(self, action):
            self._action = action

        def __getattr__(self, name: str):
            return getattr(self._action, name)

        async def run(self, output_channel, nlg, tracker, domain):
            try:
                return await self._action.run(output_channel, nlg, tracker, domain)
            except ActionExecutionRejection:
                raise
            except Exception as error:  # noqa: BLE001 - any failure: the citizen still gets an answer
                # Only the action and the kind of failure: never the conversation.
                log.error("action %s failed (%s): answered as busy", self._action.name(), type(error).__name__)
                return failed_action_events(self._action.name(), tracker)

    original = processor.MessageProcessor._run_action
    if getattr(original, "_guarded", False):
        return

    async def _run_action(self, action, tracker, output_channel, nlg, prediction):
        return await original(self, GuardedAction(action), tracker, output_channel, nlg, prediction)

    setattr(_run_action, "_guarded", True)  # noqa: B010 - a marker on the function, for apply() twice
    processor.MessageProcessor._run_action = _run_action


def _guard_circuit_breaker() -> None:
    from rasa.core import processor
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME, REQUESTED_SLOT
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered

    cls = processor.MessageProcessor
    if getattr(cls._run_prediction_loop, "_guarded", False):
        return
    original_loop = cls._run_prediction_loop

    def is_action_limit_reached(self, tracker, should_predict_another_action: bool) -> bool:
        count = 0
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, ActionExecuted):
                if event.action_name in (ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME):
                    break
                count += 1
        return count >= self.max_number_of_predictions and should_predict_another_action

    async def _run_prediction_loop(self, output_channel, tracker) -> None:
        await original_loop(self, output_channel, tracker)
        if not self._should_handle_message(tracker):
            return
        if tracker.latest_action_name in (ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME):
            await answer_a_silent_turn(tracker, output_channel)
            return
        # The loop stopped without listening: the circuit breaker tripped.
        log.warning("dialogue loop stopped after %d actions: answered and reset", self.max_number_of_predictions)
        text = STUCK_ELDERLY if _elderly(tracker) else STUCK
        bot = BotUttered(text, metadata={"circuit_breaker": True})
        events = [bot]
        if tracker.active_loop_name:
            events += [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        for event in events:
            tracker.update(event)
        await output_channel.send_response(tracker.sender_id, bot.message())
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))

    setattr(_run_prediction_loop, "_guarded", True)  # noqa: B010
    cls.is_action_limit_reached = is_action_limit_reached
    cls._run_prediction_loop = _run_prediction_loop


async def answer_a_silent_turn(tracker, output_channel) -> None:
    """A message the dialogue answered with nothing (a payload typed by hand such as "/session_start", or any
    turn whose actions said nothing) gets a line, too: every citizen's message ends in a reply."""
    from rasa.shared.core.constants import EXTERNAL_MESSAGE_PREFIX
    from rasa.shared.core.events import BotUttered, UserUttered

    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            return
        if isinstance(event, UserUttered):
            if (event.text or "").startswith(EXTERNAL_MESSAGE_PREFIX):
                return  # an intent triggered through the HTTP API, not a citizen's message
            break
    bot = BotUttered(SILENT_TURN_ELDERLY if _elderly(tracker) else SILENT_TURN, metadata={"silent_turn": True})
    tracker.update(bot)
    await output_channel.send_response(tracker.sender_id, bot.message())


def _guard_retrieval_without_selection() -> None:
    from rasa.core.actions.action import ActionBotResponse, ActionRetrieveResponse
    from rasa.nlu.constants import RESPONSE_SELECTOR_DEFAULT_INTENT, RESPONSE_SELECTOR_PROPERTY_NAME

    original = ActionRetrieveResponse.run
    if getattr(original, "_guarded", False):
        return

    async def run(self, output_channel, nlg, tracker, domain):
        message = tracker.latest_message
        intent = self.intent_name_from_action(self.action_name)
        selection = (message.parse_data.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}) if message else {}
        if message is not None and intent not in selection and RESPONSE_SELECTOR_DEFAULT_INTENT not in selection:
            # "/chitchat" typed by hand: no sub-intent was selected, so answer with a sensible one of the domain.
            fallback = UNSELECTED_RETRIEVAL.get(intent) or next(
                (name for name in domain.responses if name.startswith(f"{self.action_name}/")), None
            )
            if fallback:
                return await ActionBotResponse(fallback).run(output_channel, nlg, tracker, domain)
        return await original(self, output_channel, nlg, tracker, domain)

    setattr(run, "_guarded", True)  # noqa: B010
    ActionRetrieveResponse.run = run


def apply() -> None:
    _guard_actions()
    _guard_circuit_breaker()
    _guard_retrieval_without_selection()
