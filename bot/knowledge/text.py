"""Text normalisation shared by validation, indexing and search.

Only one-to-one character maps (no NFKC), so string lengths and offsets never change.
"""

from __future__ import annotations

import re
import threading

PENDING = "待核实"  # the literal marker for an unconfirmed value

# Full-width ASCII (！ … ～) → ASCII, ideographic space → space; then ASCII lower-case.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_WHITESPACE = re.compile(r"\s")


# Homophone slips of pinyin input and dictation that no alias should have to list (医宝 for 医保).
# Same length on both sides, so offsets stay valid; only pairs that mean nothing else in a county's
# service questions. Names of three or more characters need no entry: search matches them with one typo.
HOMOPHONE_SLIPS = {
    "医宝": "医保",
    "社宝": "社保",
    "低宝": "低保",
    "养劳": "养老",
    "前移": "迁移",
    "户口薄": "户口簿",
    "公基金": "公积金",
    "驾找": "驾照",
    "结昏": "结婚",
    "离昏": "离婚",
    "残急": "残疾",
    "残及": "残疾",
    "补帖": "补贴",
    "津帖": "津贴",
    "退修": "退休",
    "年减": "年检",
    "营业挚照": "营业执照",
    "执找": "执照",
    "宅积地": "宅基地",
    "宅鸡地": "宅基地",
}
_SLIPS = re.compile("|".join(sorted(map(re.escape, HOMOPHONE_SLIPS), key=len, reverse=True)))


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

    converted: str = zhconv.convert(text, "zh-cn")
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length: fall back to one character at a time.
    singles = (zhconv.convert(ch, "zh-cn") for ch in text)
    return "".join(one if len(one) == 1 else ch for one, ch in zip(singles, text, strict=True))


def fold(text: str) -> str:
    """Same length as `text`: full-width ASCII folded, ASCII letters lower-cased."""
    return text.translate(_FULLWIDTH).lower()


def normalize(text: str) -> str:
    """`fold`, traditional characters simplified, homophone slips fixed: what search and name look-ups compare."""
    return _SLIPS.sub(lambda m: HOMOPHONE_SLIPS[m.group(0)], to_simplified(fold(text)))


def has_whitespace(text: str) -> bool:
    return bool(_WHITESPACE.search(text))


def is_pending(value: object) -> bool:
    """True for the exact marker 待核实 (surrounding spaces ignored)."""
    return isinstance(value, str) and value.strip() == PENDING
