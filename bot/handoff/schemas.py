"""Request and response bodies of the handoff API (pydantic 1.x)."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field, validator

from bot.tickets.schemas import check_text

FIELD_LABELS = {"reason": "转人工原因", "elderly": "长辈模式", "after": "起始事件", "request_id": "转人工编号"}


class Reason(str, Enum):
    ASKED = "asked"  # the citizen asked for a person (转人工, 找客服)
    FALLBACK = "fallback"  # the end of the fallback ladder
    ELDERLY = "elderly"  # a dead end in 长辈模式


class HandoffRequestIn(BaseModel):
    class Config:
        extra = "forbid"

    conversation_id: str = Field(..., min_length=1, max_length=255, description="Rasa sender id")
    channel: str = Field("web", min_length=1, max_length=50, description="渠道，如 web、我的宁夏、rest")
    reason: Reason = Reason.ASKED
    elderly: bool = False

    _text = validator("*", pre=True, allow_reuse=True)(check_text)


class ConversationIn(BaseModel):
    class Config:
        extra = "forbid"

    conversation_id: str = Field(..., min_length=1, max_length=255, description="Rasa sender id")


class HandoffAnswer(BaseModel):
    """`queued` (or `connected` for a repeated request of a live chat), else `closed` with `reason`."""

    status: str = Field(..., description="queued | connected | closed")
    request_id: int | None = None
    poll_token: str | None = Field(None, description="市民一侧读取事件用，只对这一次转人工有效")
    events_url: str | None = None
    position: int | None = Field(None, description="排第几位（1 表示下一个就是您）")
    ahead: int | None = Field(None, description="前面还有几位")
    expected_wait_minutes: int | None = None
    wait_seconds: int | None = Field(None, description="排队超过这么久无人接入即超时（expired）")
    staff_display_name: str | None = None
    reason: str | None = Field(None, description="closed 时：outside_hours（不在服务时间）| no_staff（无人在线）")
    next_open: str | None = Field(None, description="outside_hours 时：下次开始服务的时间（北京时间 ISO 8601）")
    next_open_text: str | None = Field(None, description="同上，给市民看的说法，如“明天（12月2日 周三）09:00”")
    hotline: str | None = None


class CancelOut(BaseModel):
    request_id: int
    status: str


class EventOut(BaseModel):
    id: int
    kind: str = Field(..., description="status | message")
    status: str
    text: str
    staff_display_name: str | None
    ticket_number: str | None
    at: str


class EventsOut(BaseModel):
    request_id: int
    status: str
    staff_display_name: str | None
    position: int | None = None
    ahead: int | None = None
    events: list[EventOut]
    poll_after_ms: int | None = Field(None, description="建议多久后再取；null 表示已结束，不用再取")
