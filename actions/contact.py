"""Reading what citizens type for contact details, places, yes/no and ticket numbers."""
from __future__ import annotations

import re
from typing import Optional

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９－", "0123456789-")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")  # with area code, e.g. 0955-1234567
TICKET_NUMBER = re.compile(r"HY\d{12}", re.IGNORECASE)
LOCAL_REF = re.compile(r"(?<![0-9A-Za-z])(Q[2-9A-HJ-NP-Z]{6})(?![0-9A-Za-z])", re.IGNORECASE)
UNKNOWN = re.compile(r"不知道|不清楚|不晓得|不确定|不记得|忘了|记不清|说不上|没有|不了解")
DECLINE = re.compile(r"不留|不想留|不愿|不想说|匿名|不方便|保密|不告诉|算了|不用了|不需要")


def digits_of(text: str) -> str:
    return re.sub(r"[^0-9]", "", (text or "").translate(_FULL_WIDTH_DIGITS))


def read_phone(text: str) -> Optional[str]:
    """A mobile (1[3-9] + 9 digits) or a landline with area code, digits only; None if not valid."""
    raw = (text or "").translate(_FULL_WIDTH_DIGITS)
    for candidate in re.findall(r"[0-9][0-9\s-]{5,}[0-9]", raw) or [raw]:
        number = digits_of(candidate)
        if number.startswith("86") and len(number) == 13:
            number = number[2:]
        if MOBILE.match(number) or LANDLINE.match(number):
            return number
    return None


def read_last4(text: str) -> Optional[str]:
    digits = digits_of(text)
    return digits[-4:] if len(digits) >= 4 else None


def read_ticket_reference(text: str) -> Optional[str]:
    """A ticket number (HY + 12 digits) or a queued reference (Q + 6), normalised."""
    found = TICKET_NUMBER.search(text or "")
    if found:
        return found.group(0).upper()
    queued = LOCAL_REF.search(text or "")
    return queued.group(1).upper() if queued else None


def says_unknown(text: str) -> bool:
    return bool(UNKNOWN.search(text or ""))


def declines(text: str) -> bool:
    return bool(DECLINE.search(text or ""))
