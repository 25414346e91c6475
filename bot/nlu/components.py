"""Two small graph components that protect NLU from input it cannot handle.

TextNormalizer (first in the pipeline): normalises characters and truncates very long messages so
jieba/DIET see at most `max_chars`; what it did is added to the parse data as `input_check`.

InputGuard (after DIET, before FallbackClassifier): for messages with nothing to understand
(empty, emoji only, no Chinese) or that were truncated, it sets a dedicated intent with confidence 1.0
so the dialogue answers politely instead of guessing.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.text import classify, normalize

INPUT_CHECK = "input_check"
UNREADABLE_INTENT = "bad_input"
LONG_INTENT = "long_message"
# Short English words citizens use that DIET has been trained on: leave them to the classifier.
KNOWN_LATIN = {"hi", "hello", "ok", "okay", "yes", "no", "bye", "thanks", "thank you", "help"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormalizer(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_chars": 500}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.max_chars = int(config["max_chars"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TextNormalizer":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            if example.get(TEXT):
                example.set(TEXT, normalize(example.get(TEXT)))
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            original = message.get(TEXT) or ""
            text = normalize(original)
            check = {"length": len(original), "issue": classify(text), "truncated": False}
            if len(text) > self.max_chars:
                text, check["truncated"] = text[: self.max_chars], True
            message.set(TEXT, text)
            message.set(INPUT_CHECK, check, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "InputGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            check = message.get(INPUT_CHECK) or {}
            intent = self._override(check, (message.get(TEXT) or "").strip().lower())
            if intent:
                message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
                message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 1.0}] + ranking,
                            add_to_output=True)
        return messages

    @staticmethod
    def _override(check: Dict[Text, Any], text: Text) -> Optional[Text]:
        if check.get("truncated"):
            return LONG_INTENT
        issue = check.get("issue")
        if issue in {"empty", "no_text"}:
            return UNREADABLE_INTENT
        if issue == "non_chinese" and text.strip(" !.?,") not in KNOWN_LATIN:
            return UNREADABLE_INTENT
        return None
