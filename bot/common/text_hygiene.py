"""Text no store can hold faithfully, removed: lone surrogates ("\\ud800"), NUL and other control characters.

A lone surrogate cannot be encoded as UTF-8, so SQLite, PostgreSQL, log files and JSON writers with
ensure_ascii=False all fail on it; NUL ends a C string. The channels clean every message with this
(bot/web/edge.py) and the console cleans every row it reads from Rasa's tracker store, which may hold such
text from before the channels did.
"""

from __future__ import annotations

import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NEWLINES = re.compile(r"\r\n?")


def clean_text(text: str) -> str:
    """The text without lone surrogates and control characters (\\n kept, \\r\\n as \\n, \\t as a space)."""
    text = _NEWLINES.sub("\n", text).replace("\t", " ")
    return _CONTROL.sub("", text)


def is_clean(text: str) -> bool:
    return _CONTROL.search(text) is None and "\r" not in text and "\t" not in text


def clean_value(value: Any) -> Any:
    """clean_text on every string of a JSON value, dict keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    return value
