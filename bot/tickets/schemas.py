"""Request and response shapes of the tickets API (pydantic v1), and the masking serialisers.

Text is stored exactly as sent (HTML, SQL-like text, emoji); only NUL characters and broken
Unicode are refused, because the databases cannot store them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, Field, validator

from bot.common.privacy import mask_name, mask_phone, mask_text
from bot.tickets.choices import Category, EventKind, Grade, Status, Urgency
from bot.tickets.models import Ticket, TicketEvent
from bot.tickets.routing import read_candidates
from bot.tickets.service import to_china_time

FIELD_LABELS = {
    "category": "类别",
    "summary": "摘要",
    "description": "详细描述",
    "location": "地点",
    "occurred_at": "发生时间",
    "department": "承办部门",
    "citizen_name": "姓名",
    "phone": "联系电话",
    "channel": "渠道",
    "consent": "同意转交个人信息",
    "urgency": "紧急程度",
    "conversation_id": "会话编号",
    "notify_updates": "进展通知",
    "to": "目标状态",
    "actor": "操作人",
    "note": "备注",
    "reply": "部门答复",
    "text": "答复内容",
    "grade": "评价等级",
    "comment": "评价意见",
    "number": "工单编号",
    "phone_last4": "手机号后四位",
    "idempotency-key": "Idempotency-Key",
    "limit": "每页条数",
    "offset": "起始位置",
}

_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"(0\d{2,3})-(\d{7,8})")
_V = TypeVar("_V")


def check_text(value: _V) -> _V:
    """Reject what no database stores faithfully; everything else is kept verbatim."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("包含无法保存的控制字符")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("包含无法识别的字符") from None
    return value


def normalize_phone(raw: str) -> str:
    compact = re.sub(r"[\s()（）]", "", raw.strip())
    mobile = _MOBILE.fullmatch(compact.replace("-", ""))
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.fullmatch(compact)
    if landline:
        return f"{landline.group(1)}-{landline.group(2)}"
    digits = compact.replace("-", "")
    if digits.isdigit() and digits.startswith("0") and 10 <= len(digits) <= 12:
        area = digits[:3] if digits[1] in "12" else digits[:4]
        if 7 <= len(digits) - len(area) <= 8:
            return f"{area}-{digits[len(area) :]}"
    raise ValueError("请填写11位手机号或带区号的固定电话，例如 13812345678 或 0955-1234567")


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("不能为空")
    return value


class _Input(BaseModel):
    class Config:
        extra = "forbid"
        anystr_strip_whitespace = False

    _text = validator("*", pre=True, allow_reuse=True)(check_text)


# --- requests -------------------------------------------------------------------------------


class TicketCreate(_Input):
    category: Category | None = Field(None, description="不填则由智能分流按内容判断诉求类型")
    summary: str = Field(..., max_length=200, description="一句话摘要")
    description: str = Field(..., description="完整描述，不限长度，原样保存")
    phone: str = Field(..., description="手机号或带区号的固定电话")
    consent: bool = Field(..., description="市民是否同意将个人信息转交承办部门")
    location: str | None = Field(None, max_length=500)
    occurred_at: str | None = Field(None, max_length=200, description="发生时间（市民原话）")
    department: str | None = Field(None, max_length=100, description="不填则由智能分流推断（把握不足时为待分派）")
    citizen_name: str | None = Field(None, max_length=100)
    channel: str = Field("智能助手", max_length=50)
    urgency: Urgency = Urgency.NORMAL
    conversation_id: str | None = Field(None, max_length=200, description="Rasa sender id")
    notify_updates: bool = Field(False, description="市民是否要求在工单转办、反馈、办结时收到通知")

    _blank = validator("summary", "description", "channel", allow_reuse=True)(_not_blank)
    _phone = validator("phone", allow_reuse=True)(normalize_phone)


class TransitionIn(_Input):
    to: Status
    actor: str = Field(..., min_length=1, max_length=100)
    note: str | None = None
    department: str | None = Field(None, max_length=100, description="转办时可同时指定承办部门")
    reply: str | None = Field(None, description="标记已反馈时可同时填写部门答复")


class ReturnIn(_Input):
    actor: str = Field(..., min_length=1, max_length=100)
    note: str = Field(..., min_length=1, description="退回原因")


class TicketUpdate(_Input):
    actor: str = Field(..., min_length=1, max_length=100)
    department: str | None = Field(None, min_length=1, max_length=100)
    urgency: Urgency | None = None
    note: str | None = None


class ReplyIn(_Input):
    actor: str = Field(..., min_length=1, max_length=100)
    text: str = Field(..., min_length=1)


class RatingIn(_Input):
    grade: Grade
    comment: str | None = None
    phone_last4: str | None = Field(None, regex=r"^\d{4}$", description="提供时核对工单归属")


class StatusQueryIn(_Input):
    number: str = Field(..., min_length=1, max_length=40)
    phone_last4: str

    @validator("phone_last4")
    def _four_digits(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}", value.strip()):
            raise ValueError("请填写手机号后四位数字")
        return value.strip()


# --- responses ------------------------------------------------------------------------------


class EventOut(BaseModel):
    kind: EventKind
    from_status: str | None
    to_status: str | None
    actor: str
    note: str | None
    created_at: str


class DepartmentCandidate(BaseModel):
    department: str
    score: float


class TicketOut(BaseModel):
    number: str
    category: Category
    summary: str
    description: str
    location: str | None
    latitude: float | None
    longitude: float | None
    occurred_at: str | None
    department: str
    department_inferred: bool
    department_score: float | None = Field(None, description="智能分流对推断部门的把握（0–1）")
    department_candidates: list[DepartmentCandidate] = Field(
        default_factory=list, description="智能分流的前三个部门（派单员参考）"
    )
    citizen_name: str | None
    phone: str | None = Field(None, description="已脱敏，如 138****5678")
    channel: str
    consent: bool
    status: Status
    urgency: Urgency
    supervised: bool = Field(..., description="已督办")
    overdue: bool = Field(..., description="已超过办理时限")
    created_at: str
    updated_at: str
    due_date: date
    due_date_note: str | None = Field(None, description="办理时限超出工作日历时：为什么这个日期只是估算")
    reply: str | None
    replied_at: str | None
    rating: Grade | None
    rating_comment: str | None
    rated_at: str | None
    conversation_id: str | None
    photos: int = Field(0, description="市民附的照片张数（Open311 media_url 为第一张）")
    events: list[EventOut] | None = None


class TicketListItem(BaseModel):
    number: str
    category: Category
    summary: str = Field(..., description="证件号、电话已脱敏")
    department: str
    status: Status
    urgency: Urgency
    supervised: bool
    overdue: bool
    citizen_name: str | None
    phone: str | None
    channel: str
    created_at: str
    due_date: date
    rating: Grade | None


class TicketList(BaseModel):
    total: int
    items: list[TicketListItem]


class StageOut(BaseModel):
    stage: str
    at: str


class StatusQueryOut(BaseModel):
    number: str
    category: Category
    summary: str
    status: Status
    department: str
    created_at: str
    due_date: date
    due_date_note: str | None = Field(None, description="办理时限超出工作日历时：为什么这个日期只是估算")
    reply: str | None
    rating: Grade | None
    phone: str | None = Field(None, description="已脱敏，如 139****8765（完整号码只在工单里，工作人员经审计查看）")
    history: list[StageOut] = Field(..., description="办理环节与时间（不含工作人员信息）")


class SuperviseOut(BaseModel):
    flagged: list[str]


# --- serialisers ----------------------------------------------------------------------------


def event_out(event: TicketEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": event.actor,
        "note": event.note,
        "created_at": to_china_time(event.created_at),
    }


def ticket_out(ticket: Ticket, overdue: bool, with_events: bool = True, due_note: str | None = None) -> dict[str, Any]:
    data = {
        column: getattr(ticket, column)
        for column in TicketOut.__fields__
        if column not in {"events", "department_candidates"} and hasattr(Ticket, column)
    }
    data.update(
        department_candidates=[
            {"department": name, "score": score} for name, score in read_candidates(ticket.department_candidates)
        ],
        phone=mask_phone(ticket.phone),
        overdue=overdue,
        due_date_note=due_note,
        created_at=to_china_time(ticket.created_at),
        updated_at=to_china_time(ticket.updated_at),
        replied_at=to_china_time(ticket.replied_at),
        rated_at=to_china_time(ticket.rated_at),
        photos=len(ticket.media),
        events=[event_out(e) for e in ticket.events] if with_events else None,
    )
    return data


def ticket_list_item(ticket: Ticket, overdue: bool) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "category": ticket.category,
        "summary": mask_text(ticket.summary),
        "department": ticket.department,
        "status": ticket.status,
        "urgency": ticket.urgency,
        "supervised": ticket.supervised,
        "overdue": overdue,
        "citizen_name": mask_name(ticket.citizen_name),
        "phone": mask_phone(ticket.phone),
        "channel": ticket.channel,
        "created_at": to_china_time(ticket.created_at),
        "due_date": ticket.due_date,
        "rating": ticket.rating,
    }


def status_query_out(ticket: Ticket, due_note: str | None = None) -> dict[str, Any]:
    history = [
        {
            "stage": EventKind.RETURNED.value if e.kind == EventKind.RETURNED.value else e.to_status,
            "at": to_china_time(e.created_at),
        }
        for e in ticket.events
        if e.to_status
    ]
    return {
        "number": ticket.number,
        "category": ticket.category,
        "summary": ticket.summary,
        "status": ticket.status,
        "department": ticket.department,
        "created_at": to_china_time(ticket.created_at),
        "due_date": ticket.due_date,
        "due_date_note": due_note,
        "reply": ticket.reply,
        "rating": ticket.rating,
        "phone": mask_phone(ticket.phone),
        "history": history,
    }
