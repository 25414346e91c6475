"""Reading what citizens type for contact details, places, yes/no and ticket numbers."""

from __future__ import annotations

import re

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９－", "0123456789-")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")  # with area code, e.g. 0955-1234567
# As read out or copied from an SMS: "HY 2026 1203 0008", "hy-202612030008" (spaces, hyphens, full width).
SPACED_TICKET_NUMBER = re.compile(r"HY[\s-]*((?:\d[\s-]*){12})(?!\d)", re.IGNORECASE)
LOCAL_REF = re.compile(r"(?<![0-9A-Za-z])(Q[2-9A-HJ-NP-Z]{6})(?![0-9A-Za-z])", re.IGNORECASE)
UNKNOWN = re.compile(r"不知道|不清楚|不晓得|不确定|不记得|忘了|记不清|说不上|没有|不了解")
DECLINE = re.compile(r"不留|不想留|不愿|不想说|匿名|不方便|保密|不告诉|算了|不用了|不需要")


def digits_of(text: str) -> str:
    return re.sub(r"[^0-9]", "", (text or "").translate(_FULL_WIDTH_DIGITS))


def read_phone(text: str) -> str | None:
    """A mobile (1[3-9] + 9 digits) or a landline with area code, digits only; None if not valid."""
    raw = (text or "").translate(_FULL_WIDTH_DIGITS)
    for candidate in re.findall(r"[0-9][0-9\s-]{5,}[0-9]", raw) or [raw]:
        number = digits_of(candidate)
        if number.startswith("86") and len(number) == 13:
            number = number[2:]
        if MOBILE.match(number) or LANDLINE.match(number):
            return number
    return None


def read_last4(text: str) -> str | None:
    digits = digits_of(text)
    return digits[-4:] if len(digits) >= 4 else None


def read_ticket_reference(text: str) -> str | None:
    """A ticket number (HY + 12 digits) or a queued reference (Q + 6), normalised."""
    found = SPACED_TICKET_NUMBER.search((text or "").translate(_FULL_WIDTH_DIGITS))
    if found:
        return "HY" + digits_of(found.group(1))
    queued = LOCAL_REF.search(text or "")
    return queued.group(1).upper() if queued else None


# A town or township named in a complaint ("三河镇街上的路灯…", "我是关桥乡的村民"): two characters and
# 镇/乡, but not 城乡 (城乡居民), 家乡/老乡/回乡/下乡, or 乡镇/乡村 (乡镇便民服务中心).
TOWNSHIP = re.compile(r"([\u4e00-\u9fff]{2}(?:镇|乡))(?![镇村亲下民])")
NOT_A_PLACE_BEFORE_XIANG = set("城家老回下故同")


def read_township(text: str) -> str | None:
    for match in TOWNSHIP.finditer(text or ""):
        place = match.group(1)
        if place[-1] == "乡" and place[-2] in NOT_A_PLACE_BEFORE_XIANG:
            continue
        if place[0] in "我俺咱他她在到去是的从往":  # "在镇上", "是关桥乡" → the name is the last two + 镇/乡
            continue
        return place
    return None


def says_unknown(text: str) -> bool:
    return bool(UNKNOWN.search(text or ""))


def declines(text: str) -> bool:
    return bool(DECLINE.search(text or ""))
