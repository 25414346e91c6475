"""Two small graph components that protect NLU from input it cannot handle.

TextNormalizer (first in the pipeline): normalises characters (full-width, traditional → simplified),
reads a message typed in pinyin letters as characters and fixes dictation slips by sound against the
knowledge base's words (bot/knowledge/sound.py), and truncates very long messages so jieba/DIET see at
most `max_chars`; what it did is added to the parse data as `input_check`.

InputGuard (last in the pipeline, after FallbackClassifier): for messages with nothing to understand
(empty, emoji only, no Chinese) or that were truncated, it sets a dedicated intent with confidence 1.0
so the dialogue answers politely instead of guessing; a message that only picks a numbered option
("2", "回复1", "选第三个") becomes `choose_option` (actions/options.py maps it to that button).

SafetyNet (the very last word): messages naming an emergency in progress (fire, crime, injury, traffic
accident, someone trapped or missing) or self-harm, by the word lists of knowledge/safety.yml, become
`emergency` / `self_harm` at confidence 1.0, whatever the classifier thought — so a low or wrong NLU
prediction can never hide an emergency, not even inside a long letter; so do dangers the learned triage
(bot/triage) hears as happening now in words no list has. A long account that mentions a hazard
only as past or chronic (SafetyRules.reads_as_account, and the learned triage does not say "now") is not an
emergency: the prediction is left alone (or, if the classifier said emergency, the next intent is taken) and
`safety: {"urgency": "mentioned", "kinds": [...]}` is added to the parse data, so the reply ends with the
emergency numbers once instead of starting with them.

ChannelMetadata: the app API sends `metadata: {"elderly_mode": true}` with a message; this turns it into
an `elderly_mode` entity, which the slot of the same name maps (domain.yml), so 长辈模式 follows the app's
own setting without an extra round trip to the action server.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.common.text import classify, is_letter, normalize, option_number, visible_length
from bot.knowledge.loader import get_knowledge_base
from bot.knowledge.safety import ACCOUNT_CHARS, EMERGENCY, SafetyRules
from bot.knowledge.sound import SoundLexicon
from bot.knowledge.text import to_simplified

INPUT_CHECK = "input_check"
FULL_TEXT = "full_text"  # normalised but not truncated (not part of the parse output)
UNREADABLE_INTENT = "bad_input"
LONG_INTENT = "long_message"
OPTION_INTENT = "choose_option"
SAFETY = "safety"  # parse data: a hazard mentioned in an account, {"urgency": "mentioned", "kinds": [...]}
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_THRESHOLD = 0.4  # as config.yml's FallbackClassifier: the next intent must be at least this sure
CANCEL_INTENT = "cancel"
CANCEL_HANDOFF_INTENT = "cancel_handoff"
# A short "stop this" (算了不办了, 先不弄了, 不查了吧, 取消) that DIET left to the fallback (inside a form the fallback
# is read as an answer): cancel. DIET is sure of most of them; a few phrasings are close to deny and 不要.
READS_AS_CANCEL = re.compile(
    r"(算了|那|那就|哎)?[，,\s]*(我|咱)?(先|就|还是|暂时)?"
    r"((不(想|用|要)?(办|弄|搞|问|查|登记|投诉|反映|排队|填)(这个|了)*了?|不要了|取消(吧|掉|了)?|退出(吧|了)?|不要继续了)"
    r"[吧啊呀哈]?[，,。！!.\s]*){1,2}"
)
# "取消转人工", "不用转人工了", "不找人工了": the citizen withdraws the handoff, whatever DIET heard (人工 pulled 取消转人工
# to human_handoff at 0.49).
READS_AS_CANCEL_HANDOFF = re.compile(
    r"(算了|那|那就)?[，,\s]*(我)?(先|就|还是|暂时)?(取消|不用|不要|不|别|不想)(转|找|等|排队等)?(人工|客服|真人)(客服)?"
    r"(了|吧|啦)*[，,。！!.\s]*"
)
# Intents DIET gives a long letter by a few of its words (孙子上小学五年级 → start_bundle, 谢谢领导 → thanks): a
# letter (bot.common.text.FULL_LETTER) with one of them is read by the complaint form instead (actions/letters.py).
NOT_A_LETTER = {
    "start_bundle", "menu_bundles", "menu_services", "greet", "goodbye", "thanks", "affirm", "deny", "chitchat",
    "out_of_scope", "help", "answer_helpful", "answer_unhelpful", "change_answer", "cancel", "ask_hotline",
    "bundle_why_skipped", "show_checklist", "rate_ticket", "elderly_mode_on", "elderly_mode_off",
}  # fmt: skip
# Short English words citizens use that DIET has been trained on: leave them to the classifier.
KNOWN_LATIN = {"hi", "hello", "ok", "okay", "yes", "no", "bye", "thanks", "thank you", "help"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormalizer(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"max_chars": 500}

    def __init__(self, config: dict[str, Any]) -> None:
        self.max_chars = int(config["max_chars"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextNormalizer:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            if example.get(TEXT):
                example.set(TEXT, to_simplified(normalize(example.get(TEXT))))
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            original = message.get(TEXT) or ""
            text, heard = hear(to_simplified(normalize(original)))
            check = {"length": len(original), "issue": classify(text), "truncated": False}
            if heard:
                check["heard"] = heard  # pinyin | slips: what was read differently from the letters typed
            message.set(FULL_TEXT, text)  # the safety net reads the whole message
            if len(text) > self.max_chars:
                text, check["truncated"] = text[: self.max_chars], True
            message.set(TEXT, text)
            message.set(INPUT_CHECK, check, add_to_output=True)
        return messages


@lru_cache(maxsize=1)
def _knowledge_base():
    return get_knowledge_base()  # $KNOWLEDGE_DIR, loaded once: the words only change with a new model


def hear(text: str) -> tuple[str, str | None]:
    """A message in pinyin letters as characters, dictation slips by sound fixed (bot/knowledge/sound.py)."""
    try:
        lexicon = SoundLexicon.for_knowledge_base(_knowledge_base())
    except Exception:  # a broken knowledge base must not stop the NLU: read the text as typed
        return text, None
    if classify(text) == "non_chinese" and text.strip(" !.?,").lower() not in KNOWN_LATIN:
        characters = lexicon.from_pinyin(text)
        if characters:
            return characters, "pinyin"
    fixed = lexicon.fix_slips(text)
    return fixed, ("slips" if fixed != text else None)


def force_intent(message: Message, intent: str) -> None:
    """Set `intent` at confidence 1.0, first in the ranking."""
    message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 1.0}] + ranking, add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            check = message.get(INPUT_CHECK) or {}
            text = (message.get(TEXT) or "").strip().lower()
            intent = self._override(check, text)
            current = (message.get(INTENT) or {}).get("name")
            if intent is None and READS_AS_CANCEL_HANDOFF.fullmatch(text):
                intent = CANCEL_HANDOFF_INTENT
            if intent is None and current == FALLBACK_INTENT:
                intent = CANCEL_INTENT if READS_AS_CANCEL.fullmatch(text) else None
            if intent is None and current in NOT_A_LETTER and is_letter(message.get(FULL_TEXT) or text):
                intent = FALLBACK_INTENT  # the fallback ladder hands a letter to the complaint form, which reads it
            if intent:
                force_intent(message, intent)
        return messages

    @staticmethod
    def _override(check: dict[str, Any], text: str) -> str | None:
        if check.get("truncated"):
            return LONG_INTENT
        if option_number(text) is not None:
            return OPTION_INTENT
        issue = check.get("issue")
        if issue in {"empty", "no_text"}:
            return UNREADABLE_INTENT
        if issue == "non_chinese" and text.strip(" !.?,") not in KNOWN_LATIN:
            return UNREADABLE_INTENT
        return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyNet(GraphComponent):
    def __init__(self, rules: SafetyRules) -> None:
        self.rules = rules

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        return cls(SafetyRules.load())  # $KNOWLEDGE_DIR/safety.yml, read when the model loads

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(FULL_TEXT) or message.get(TEXT) or ""
            found = self.rules.detect(text)
            if found and found.kind != EMERGENCY:
                force_intent(message, found.kind)  # self-harm: always, at once
            elif found and self.reads_as_mentioned(text):
                message.set(SAFETY, {"urgency": "mentioned", "kinds": found.kinds}, add_to_output=True)
                if (message.get(INTENT) or {}).get("name") == EMERGENCY:
                    demote_intent(message, EMERGENCY)
            elif found and self.doubts_a_short_alarm(text):
                message.set(SAFETY, {"urgency": "mentioned", "kinds": found.kinds}, add_to_output=True)
                answer_or_register(message)  # the numbers come once, after the answer or the form's reading
            elif found is None and self.doubts_a_learned_alarm(message, text):
                message.set(SAFETY, {"urgency": "mentioned", "kinds": []}, add_to_output=True)
                force_intent(message, COMPLAINT_INTENT)
            elif found or (not self.sure_of_small_talk(message) and heard_as_now(text, NOW_WITHOUT_WORDS)):
                force_intent(message, EMERGENCY)
        return messages

    @staticmethod
    def doubts_a_learned_alarm(message: Message, text: str) -> bool:
        """DIET heard an emergency where no safety word is (老房子裂缝越来越大，住着害怕; 养殖场粪便乱排), and the
        learned triage hears nothing happening now (P(now) below NOW_DOUBTED): a problem to register. Terse
        dangers (地震了, 有人打人) are safety words, so they never reach this."""
        if visible_length(text) < CRY_CHARS or (message.get(INTENT) or {}).get("name") != EMERGENCY:
            return False
        return not heard_as_now(text, NOW_DOUBTED)

    def doubts_a_short_alarm(self, text: str) -> bool:
        """A hazard word in a message that tells no danger happening now (去年我家着过火，现在还能申请补助吗；
        羊圈上个月塌了，压死了几只羊；出车祸落下残疾能办啥补助): not a terse cry (CRY_CHARS), no present cue, and
        the learned triage hears it as happening now with less than NOW_DOUBTED."""
        length = visible_length(text)
        if length < CRY_CHARS or self.rules.says_it_is_happening(text):
            return False
        if length < ACCOUNT_CHARS and not self.rules.has_account_cue(text):
            return False  # 俺家灶房冒黑烟了咋整: a short message needs a past or chronic cue too (去年, 落下, 经常)
        return not heard_as_now(text, NOW_DOUBTED)

    @staticmethod
    def sure_of_small_talk(message: Message) -> bool:
        """DIET is sure the message steers the conversation (我下线了, 刚刚点错了, 算了): no safety word, so the
        triage's guess of a danger without words does not override it (it heard both as `now` above 0.8)."""
        intent = message.get(INTENT) or {}
        return intent.get("name") in SMALL_TALK and intent.get("confidence", 0.0) >= SMALL_TALK_SURE

    def reads_as_mentioned(self, text: str) -> bool:
        """A hazard word in an account of a past or chronic problem, not a danger happening now: an account
        (SafetyRules.reads_as_account) the triage does not hear as now, or a long letter that says nowhere
        that the danger is happening (no present cue near it) and that the triage hears as now with less
        than NOW_IN_A_LETTER (the triage's own level for a safety word, bot/triage/model.py)."""
        if self.rules.reads_as_account(text):
            return not heard_as_now(text, NOW_OVER_AN_ACCOUNT)
        if visible_length(text) < LETTER_CHARS or self.rules.says_it_is_happening(text):
            return False
        return not heard_as_now(text, NOW_IN_A_LETTER)


# A letter this long whose hazard words are neither told as past (an account) nor as happening now is read by
# the triage: on the dev set (bench/triage/dev) this halves the letters given the numbers first (9 → 4 of
# 410) and keeps all 20 present dangers.
LETTER_CHARS = 100
NOW_IN_A_LETTER = 0.2
# P(urgency = now) of the learned triage that overrides the account reading (any doubt: the numbers first).
NOW_OVER_AN_ACCOUNT = 0.5
# P(now) that alone makes an emergency of a message no safety word matched: the triage's own level for such a
# message (bot/triage/model.py Params.now_threshold). It was 0.7 (short guesses were noisy: "字太小了" 0.55); with
# a triage that learnt from more writers, 0.4 adds no false alarm on the safety set and the dev sets and keeps
# the dangers told without a listed word (a stranger took the child away; the lift stopped with people inside).
NOW_WITHOUT_WORDS = 0.4
# Below this P(now), a hazard word in a message that is not a terse cry is doubted (SafetyNet.doubts_a_short_alarm).
# On the dev sets (bench/triage/dev, dev2): the present dangers with a safety word score 0.22 and more; the problems
# told with 塌了 / 压死 score 0.00-0.01.
NOW_DOUBTED = 0.15
CRY_CHARS = 10  # shorter: a cry for help (有人溺水, 被狗咬了), never doubted
COMPLAINT_INTENT = "start_complaint"
# Intents that steer the conversation and never report a danger, and DIET's confidence that keeps them.
SMALL_TALK = {
    "greet", "goodbye", "thanks", "affirm", "deny", "answer_helpful", "answer_unhelpful", "choose_option", "cancel",
    "change_answer", "cancel_handoff", "elderly_mode_on", "elderly_mode_off", "menu_services", "menu_bundles",
    "check_ticket", "my_tickets", "rate_ticket", "show_checklist", "bundle_why_skipped",
}  # fmt: skip
SMALL_TALK_SURE = 0.9


def heard_as_now(text: str, threshold: float) -> bool:
    """The learned triage hears a danger happening now (also in words no list has: 噎住了, 抽起来了)."""
    if not text or text.startswith("/"):
        return False
    from bot.triage import triage  # scikit-learn model, loaded on first use (about 1 ms a message after)

    result = triage(text)
    scores = getattr(result, "urgency_scores", None) or {}
    return scores.get("now", 1.0 if result.urgency == "now" else 0.0) >= threshold


# Intents whose actions end with the emergency line of a doubted alarm (action_answer_service, action_out_of_scope).
ANSWERS_WITH_THE_LINE = {
    "ask_service", "ask_materials", "ask_fee", "ask_time_limit", "ask_place", "ask_online", "ask_eligibility",
    "ask_steps", "out_of_scope",
}  # fmt: skip


def answer_or_register(message: Message) -> None:
    """After a doubted alarm: DIET's best other intent when it is a service question it is sure enough of (the
    answer then ends with the emergency line), else the complaint form (its first reading does)."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY]
    best = ranking[0] if ranking else {}
    if best.get("name") not in ANSWERS_WITH_THE_LINE or best.get("confidence", 0.0) < FALLBACK_THRESHOLD:
        force_intent(message, COMPLAINT_INTENT)
        return
    message.set(INTENT, best, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


def demote_intent(message: Message, intent: str) -> None:
    """The best other intent of the ranking; nlu_fallback when it is not sure enough."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
    best = ranking[0] if ranking else {"name": FALLBACK_INTENT, "confidence": 1.0}
    if best.get("confidence", 0.0) < FALLBACK_THRESHOLD:
        best = {"name": FALLBACK_INTENT, "confidence": 1.0}
    message.set(INTENT, best, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


ELDERLY_ENTITY = "elderly_mode"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ChannelMetadata(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChannelMetadata:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            metadata = message.get(METADATA) or {}
            value = metadata.get(ELDERLY_ENTITY) if isinstance(metadata, dict) else None
            if isinstance(value, bool):
                entity = {
                    "entity": ELDERLY_ENTITY,
                    "value": value,
                    "start": 0,
                    "end": 0,
                    "confidence_entity": 1.0,
                    "extractor": type(self).__name__,
                }
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages
