"""Text normalisation for triage: what the model sees, and what the NLU edge may reuse.

`to_simplified` keeps the length of the text (one character for one), so entity offsets stay valid;
`for_model` may change lengths (numbers masked, spaces collapsed): only the classifier sees it.
"""

from __future__ import annotations

import re
import threading

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20
_NUMBER = re.compile(r"[0-9*＊×xX]*[0-9][0-9*＊×xX]*")
_MASK = re.compile(r"[*＊]{2,}|某某|[xX×]{2,}")
_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"</?[a-z][^<>]{0,40}>")
_CJK = re.compile(r"[\u4e00-\u9fff]")

_lock = threading.Lock()
_traditional: frozenset[str] | None = None


def _traditional_chars() -> frozenset[str]:
    """Characters that zhconv maps to a different simplified character (punctuation left alone)."""
    global _traditional
    if _traditional is None:
        with _lock:
            if _traditional is None:
                try:
                    from zhconv import zhconv
                except ImportError:  # the converter is optional: without it the text stays as written
                    _traditional = frozenset()
                else:
                    table = zhconv.getdict("zh-cn")
                    _traditional = frozenset(
                        key for key, value in table.items() if len(key) == 1 and key != value and _CJK.match(key)
                    )
    return _traditional


def has_traditional(text: str) -> bool:
    chars = _traditional_chars()
    return bool(chars) and any(ch in chars for ch in text)


def to_simplified(text: str) -> str:
    """Traditional characters to simplified, same length; text without any is returned as it is."""
    if not has_traditional(text):
        return text
    from zhconv import zhconv

    converted = zhconv.convert(text, "zh-cn")
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: fall back to one character at a time.
    return "".join(zhconv.convert(ch, "zh-cn") if len(zhconv.convert(ch, "zh-cn")) == 1 else ch for ch in text)


def fold(text: str) -> str:
    """Full-width ASCII to half-width and lower-case (same length)."""
    return text.translate(_FULL_WIDTH).lower()


def for_model(text: str) -> str:
    """What the classifier reads: folded, simplified, numbers and masks as one symbol, spaces collapsed."""
    text = _TAG.sub(" ", to_simplified(fold(text or "")))
    text = _NUMBER.sub("0", text)
    text = _MASK.sub("某", text)
    return _SPACES.sub(" ", text).strip()
