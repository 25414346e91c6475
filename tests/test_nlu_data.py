"""The NLU training data itself: entity spans, jieba token boundaries, held-out separation, coverage."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import jieba
import pytest
import yaml

from bot.common.text import normalize
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.schema import item_labels
from bot.settings import ROOT

ANNOTATION = re.compile(r"\[([^\]]+)\]\((\w+)\)")
TRAINING_FILES = sorted((ROOT / "data" / "nlu").rglob("*.yml"))
HELD_OUT_FILES = sorted((ROOT / "tests" / "nlu").glob("*.yml"))
KB = KnowledgeBase(ROOT / "knowledge")


def examples(paths: list[Path]) -> list[tuple[str, str, Path]]:
    """(intent, annotated example, file) for every example of the given Rasa NLU files."""
    found = []
    for path in paths:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" in block:
                found += [
                    (block["intent"], line.strip()[2:].strip(), path)
                    for line in block["examples"].splitlines()
                    if line.strip().startswith("- ")
                ]
    return found


def plain(example: str) -> str:
    return ANNOTATION.sub(r"\1", example)


def spans(example: str) -> list[tuple[int, int, str, str]]:
    """(start, end, value, entity) in the plain text, as Rasa computes them."""
    out, offset = [], 0
    for match in ANNOTATION.finditer(example):
        start = match.start() - offset
        out.append((start, start + len(match.group(1)), match.group(1), match.group(2)))
        offset += len(match.group(0)) - len(match.group(1))
    return out


@pytest.fixture(scope="module")
def tokenizer():
    """jieba as Rasa's JiebaTokenizer uses it: every file of data/jieba loaded as a user dictionary."""
    for path in sorted((ROOT / "data" / "jieba").iterdir()):
        jieba.load_userdict(str(path))
    return lambda text: {(start, end) for _, start, end in jieba.tokenize(normalize(text))}


def test_entity_values_are_names_in_the_knowledge_base() -> None:
    labels = {
        "service": {label for d in KB.services.values() for _, label in item_labels(d)},
        "bundle": {label for d in KB.bundles.values() for _, label in item_labels(d)},
    }
    unknown = [
        (path.name, example)
        for _, example, path in examples(TRAINING_FILES + HELD_OUT_FILES)
        for _, _, value, entity in spans(example)
        if entity in labels and value not in labels[entity]
    ]
    assert not unknown, unknown


def test_every_entity_span_is_whole_jieba_tokens(tokenizer) -> None:
    """A span jieba cuts differently is trained as *not* an entity ("Misaligned entity annotation")."""
    misaligned = []
    for _, example, path in examples(TRAINING_FILES):
        text = plain(example)
        tokens = tokenizer(text)
        starts, ends = {s for s, _ in tokens}, {e for _, e in tokens}
        for start, end, _value, _ in spans(example):
            if start not in starts or end not in ends:
                misaligned.append((path.name, example))
    assert not misaligned, misaligned[:20]


def test_held_out_examples_are_never_trained_on() -> None:
    trained = {plain(example) for _, example, _ in examples(TRAINING_FILES)}
    leaked = [plain(example) for _, example, _ in examples(HELD_OUT_FILES) if plain(example) in trained]
    assert not leaked, leaked


def test_no_example_is_given_twice() -> None:
    counts = Counter(plain(example) for _, example, _ in examples(TRAINING_FILES))
    assert [text for text, n in counts.items() if n > 1] == []


def test_every_service_has_at_least_three_hand_written_examples() -> None:
    per_service: Counter = Counter()
    for _, example, _ in examples([ROOT / "data" / "nlu" / "services.yml"]):
        for _, _, value, entity in spans(example):
            if entity == "service":
                per_service[KB.lookup(value)[1]] += 1
    assert {sid: per_service[sid] for sid in KB.services if per_service[sid] < 3} == {}


def test_held_out_set_covers_every_intent_it_scores() -> None:
    """Macro-F1 is only meaningful if each trained intent has held-out examples."""
    trained = {intent.split("/")[0] for intent, _, _ in examples(TRAINING_FILES)}
    held_out = {intent.split("/")[0] for intent, _, _ in examples(HELD_OUT_FILES)}
    assert trained - held_out == set(), trained - held_out
