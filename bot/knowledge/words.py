"""The word list for jieba: knowledge-base names/aliases/keywords plus fixed domain words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

DOMAIN_WORDS_FILE = Path(__file__).with_name("domain_words.txt")
JIEBA_FREQ = 20000  # high enough that jieba keeps each entry as one token
JIEBA_TAG = "nz"
# jieba cuts text into blocks of these characters first; a word with any other character
# (space, 、, quotes, brackets) can never come out as one token, so it is not worth an entry.
JIEBA_BLOCK = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+$")


def domain_words() -> list[str]:
    lines = DOMAIN_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#")]


def item_words(data: Mapping[str, Any]) -> list[str]:
    """name, short_name, aliases and keywords of one service or bundle."""
    words = [data.get("name"), data.get("short_name")]
    words += list(data.get("aliases") or []) + list(data.get("keywords") or [])
    return [w.strip() for w in words if isinstance(w, str) and w.strip()]


def dictionary_words(items: Iterable[Mapping[str, Any]], extra: Iterable[str] = ()) -> list[str]:
    """Sorted, unique jieba entries; ASCII letters also in lower case (jieba is case-sensitive)."""
    words: set[str] = set()
    for word in [w for data in items for w in item_words(data)] + list(extra):
        if JIEBA_BLOCK.match(word):
            words.update({word, word.lower()})
    return sorted(words)


def knowledge_words(services: Mapping[str, Mapping[str, Any]], bundles: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return dictionary_words(list(services.values()) + list(bundles.values()), domain_words())
