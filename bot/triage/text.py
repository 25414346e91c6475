"""What the triage model reads of a text: `for_model` (folded, simplified, numbers and masks as one symbol,
HTML tags and spaces collapsed). Lengths may change: only the classifier sees it."""

from __future__ import annotations

import re

from bot.knowledge.text import fold, to_simplified

_NUMBER = re.compile(r"[0-9*＊×xX]*[0-9][0-9*＊×xX]*")
_MASK = re.compile(r"[*＊]{2,}|某某|[xX×]{2,}")
_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"</?[a-z][^<>]{0,40}>")
_LETTERS_ONLY = re.compile(r"^[a-z\s',.?!，。？！、]*[a-z]{2}[a-z\s',.?!，。？！、]*$")


def read_pinyin(text: str) -> str:
    """A message typed in pinyin letters only, as characters (bot/knowledge/sound.py); else unchanged."""
    if not _LETTERS_ONLY.match(text):
        return text
    from bot.knowledge.loader import get_knowledge_base
    from bot.knowledge.sound import SoundLexicon

    try:
        return SoundLexicon.for_knowledge_base(get_knowledge_base()).from_pinyin(text) or text
    except Exception:  # no knowledge base here: read the letters as they are
        return text


def for_model(text: str) -> str:
    """What the classifier reads: folded, simplified, pinyin read as characters, numbers and masks as one
    symbol, HTML tags and spaces collapsed."""
    text = _TAG.sub(" ", read_pinyin(to_simplified(fold(text or ""))))
    text = _NUMBER.sub("0", text)
    text = _MASK.sub("某", text)
    return _SPACES.sub(" ", text).strip()
