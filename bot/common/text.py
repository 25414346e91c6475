"""Plain text helpers of the NLU components and the actions (no Rasa imports; part of the model fingerprint)."""

from __future__ import annotations

import re
import unicodedata

# One-to-one character maps only: entity offsets must stay valid (NFKC would change lengths).
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20  # ideographic space
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_ALNUM = re.compile(r"[0-9A-Za-z]")


def normalize(text: str) -> str:
    """Full-width ASCII to half-width, control characters to spaces (length preserved)."""
    text = text.translate(_FULL_WIDTH)
    return "".join(" " if unicodedata.category(ch) in {"Cc", "Cf"} else ch for ch in text)


def classify(text: str) -> str | None:
    """Why a message cannot be understood as Chinese text, or None when it can be read.

    empty      — nothing but spaces or control characters
    no_text    — only emoji, symbols or punctuation
    non_chinese — letters but no Chinese characters (English, pinyin, other scripts)
    """
    stripped = text.strip()
    if not stripped:
        return "empty"
    if _CJK.search(stripped):
        return None
    if _LATIN_WORD.search(stripped) or any(unicodedata.category(ch).startswith("L") for ch in stripped):
        return "non_chinese"
    if _ALNUM.search(stripped):
        return None  # digits: a menu choice, a ticket or phone number
    return "no_text"


_CHINESE_DIGITS = "一二三四五六七八九"
_OPTION = re.compile(r"^(?:回复|回|选|选择|按|点|要)?\s*第?\s*([1-9一二三四五六七八九])\s*(?:个|项|号|条|吧)?$")


def option_number(text: str) -> int | None:
    """1–9 when the message only picks a numbered option ("2", "回复 1", "选第三个", "3号"), else None."""
    found = _OPTION.match(text.strip().rstrip("。.！!"))
    if not found:
        return None
    digit = found.group(1)
    return int(digit) if digit.isdigit() else _CHINESE_DIGITS.index(digit) + 1


# A letter (领导您好…) has this many characters or more: the NLU leaves it to the letter reading whatever small intent
# DIET gave it, and the actions hand it to the complaint form, which says what was understood and follows its type.
FULL_LETTER = 100


def visible_length(text: str) -> int:
    """How many characters the text has besides white space."""
    return len(re.sub(r"\s", "", text or ""))


def is_letter(text: str, min_chars: int = FULL_LETTER) -> bool:
    """At least `min_chars` characters besides white space, and not a button's payload ("/intent{…}")."""
    return visible_length(text) >= min_chars and not (text or "").startswith("/")
