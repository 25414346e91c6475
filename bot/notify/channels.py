"""Which channel reaches a citizen: the one the ticket came from.

A ticket from WeChat (the 公众号, sender id = openid) gets a WeChat template message, one from the web chat
waits for the next visit there (its conversation id is the page's random session id, the only key to it), and
any other (the app, Open311, the hotline) gets an SMS to a mobile number; without one it gets none, since an
app's sender ids may be guessable and must not unlock notices.
"""

from __future__ import annotations

import re

from bot.common.privacy import mask_phone
from bot.notify.models import CHANNEL_LABELS, SMS, WEB, WECHAT
from bot.tickets.models import Ticket

_MOBILE = re.compile(r"1[3-9]\d{9}")


def citizen_channel(channel: str | None, conversation_id: str | None, phone: str | None) -> str | None:
    name = (channel or "").lower()
    if conversation_id and ("wechat" in name or "微信" in name):
        return WECHAT
    if conversation_id and ("web" in name or "socketio" in name or "网页" in name):
        return WEB
    if phone and _MOBILE.fullmatch(phone):
        return SMS
    return None


def citizen_address(ticket: Ticket, channel: str) -> str | None:
    return ticket.phone if channel == SMS else ticket.conversation_id


def citizen_label(ticket: Ticket, channel: str) -> str:
    """Who, as staff see it: never the full phone number, never the openid."""
    where = f"{CHANNEL_LABELS[SMS]} {mask_phone(ticket.phone)}" if channel == SMS else CHANNEL_LABELS[channel]
    return f"市民 · {where}"
