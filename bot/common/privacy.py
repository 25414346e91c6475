"""Masking of personal data (个人信息保护法): phone numbers, ID-card numbers, names, free text, logs.

mask_phone("13812345678")         -> "138****5678"
mask_phone("0955-1234567")        -> "0955-****567"
mask_id_card("640102199001011234") -> "6401**********1234"
wechat_alias("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o") -> "微信用户·ac5d5b"   (mask_text replaces openids so)
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import overload

_ID_18 = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")
_ID_15 = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{7}(\d{4})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?\d{4}[-\s]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[-\s](\d{7,8})(?!\d)")
_LONG_DIGITS = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{4,}(\d{4})(?![0-9A-Za-z])")
# A WeChat openid: "o" and 27 more of [A-Za-z0-9_-] (28 in all), the Rasa sender id of the 公众号 channel.
_OPENID = re.compile(r"(?<![0-9A-Za-z_-])o[0-9A-Za-z_-]{27}(?![0-9A-Za-z_-])")
_SECRETS = re.compile(r"(?i)(api_key=|token=|bearer\s+)[^\s&\"']+")


def _mask_local_number(local: str) -> str:
    return "****" + local[4:]


def mask_phone(phone: str | None) -> str | None:
    """Mobile: keep first 3 and last 4 digits. Landline: keep area code and the last digits."""
    if not phone:
        return phone
    text = phone.strip()
    digits = re.sub(r"\D", "", text)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        if "-" in text:
            area = re.sub(r"\D", "", text.split("-", 1)[0])
        else:
            area = digits[:3] if digits[1] in "12" else digits[:4]
        return f"{area}-{_mask_local_number(digits[len(area) :])}"
    if len(digits) <= 4:
        return "****"
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_id_card(id_card: str | None) -> str | None:
    if not id_card:
        return id_card
    value = id_card.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(name: str | None) -> str | None:
    """张三 -> 张*; a name is kept only as its first character in lists."""
    if not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


def wechat_alias(openid: str) -> str:
    """A stable, short alias for a WeChat openid: staff tell citizens apart without seeing the openid."""
    return "微信用户·" + hashlib.sha256(openid.encode()).hexdigest()[:6]


@overload
def mask_text(text: str) -> str: ...
@overload
def mask_text(text: None) -> None: ...
def mask_text(text: str | None) -> str | None:
    """Mask ID-card numbers, phone numbers, other long digit runs and WeChat openids inside free text."""
    if not text:
        return text
    text = _OPENID.sub(lambda m: wechat_alias(m.group(0)), text)
    text = _ID_18.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), text)
    text = _ID_15.sub(lambda m: m.group(1) + "*" * 7 + m.group(2), text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-{_mask_local_number(m.group(2))}", text)
    return _LONG_DIGITS.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def personal_numbers(text: str | None) -> list[str]:
    """The phone, ID-card and other long numbers in a text, as written (what mask_text would hide)."""
    if not text:
        return []
    found = []
    for pattern in (_ID_18, _ID_15, _MOBILE, _LANDLINE, _LONG_DIGITS):
        for match in pattern.finditer(text):
            found.append(match.group(0))
        text = pattern.sub(lambda m: "#" * len(m.group(0)), text)
    return found


def mask_log_text(text: str) -> str:
    return mask_text(_SECRETS.sub(lambda m: m.group(1) + "***", text)) or text


class PiiLogFilter(logging.Filter):
    """Attach to log handlers: masks phones, ID numbers and tokens in messages, arguments and tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_log_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_log_text(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: mask_log_text(v) if isinstance(v, str) else v for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_log_text(logging.Formatter().formatException(record.exc_info))
        return True


def install_log_masking(logger_names: tuple[str, ...] = ("", "uvicorn", "uvicorn.access", "uvicorn.error")) -> None:
    """Add PiiLogFilter to every handler of the given loggers (idempotent)."""
    for name in logger_names:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
                handler.addFilter(PiiLogFilter())


LOG_RECORD_LIMIT = 2000  # characters of one log message; a conversation dump is cut here
TRACEBACK_LIMIT = 6000


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]} …（日志已截断，原长 {len(text)} 字）"


def install_record_masking(limit: int = LOG_RECORD_LIMIT) -> None:
    """Every log record of this process, whichever handler writes it (Rasa configures its own): phones,
    ID numbers and tokens masked, messages cut to `limit` characters, tracebacks to 6,000. Idempotent."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "masks_personal_data", False):
        return

    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler, as logging does
            return record
        record.msg, record.args = _cut(mask_log_text(message), limit), None
        if record.exc_info:
            trace = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _cut(mask_log_text(trace), max(limit, TRACEBACK_LIMIT))
        return record

    setattr(masked_record, "masks_personal_data", True)  # noqa: B010 (a marker on a function)
    logging.setLogRecordFactory(masked_record)
