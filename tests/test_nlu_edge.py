"""TextNormalizer's reading of a message before the tokenizer: pinyin letters, slips by sound, traditional."""

from __future__ import annotations

from bot.common.text import normalize
from bot.knowledge.text import to_simplified
from bot.nlu.components import hear


def edge(text: str) -> tuple[str, str | None]:
    """What TextNormalizer does to a message before the tokenizer sees it."""
    return hear(to_simplified(normalize(text)))


def test_the_nlu_edge_hears_pinyin_slips_and_traditional_characters():
    assert edge("yibao baoxiao yao dai shenme cailiao") == ("医保报销要带什么材料", "pinyin")
    assert edge("一保报销要带啥材料") == ("医保报销要带啥材料", "slips")
    assert edge("醫保報銷要帶什麼材料") == ("医保报销要带什么材料", None)
    assert edge("hello") == ("hello", None)
