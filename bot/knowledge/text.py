"""Text normalisation shared by validation, indexing and search.

Only one-to-one character maps (no NFKC), so string lengths and offsets never change.
"""
from __future__ import annotations

import re

PENDING = "待核实"  # the literal marker for an unconfirmed value

# Full-width ASCII (！ … ～) → ASCII, ideographic space → space; then ASCII lower-case.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_WHITESPACE = re.compile(r"\s")


def normalize(text: str) -> str:
    """Same length as `text`: full-width ASCII folded, ASCII letters lower-cased."""
    return text.translate(_FULLWIDTH).lower()


def has_whitespace(text: str) -> bool:
    return bool(_WHITESPACE.search(text))


def is_pending(value: object) -> bool:
    """True for the exact marker 待核实 (surrounding spaces ignored)."""
    return isinstance(value, str) and value.strip() == PENDING
