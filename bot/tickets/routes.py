"""Tickets API (/api/tickets): every route needs the API token."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response

from bot.core.auth import require_token
from bot.tickets.choices import Category, Status
from bot.tickets.due_dates import estimate_note
from bot.tickets.models import Ticket
from bot.tickets.numbering import plausible_number
from bot.tickets.schemas import (
    EventOut,
    RatingIn,
    ReplyIn,
    ReturnIn,
    StatusQueryIn,
    StatusQueryOut,
    SuperviseOut,
    TicketCreate,
    TicketList,
    TicketOut,
    TicketUpdate,
    TransitionIn,
    event_out,
    status_query_out,
    ticket_list_item,
    ticket_out,
)
from bot.tickets.service import NewTicket, TicketNotFound, TicketService
from bot.tickets.state_machine import TransitionError

router = APIRouter(prefix="/api/tickets", tags=["工单"], dependencies=[Depends(require_token)])

NOT_FOUND = "未找到该工单，请核对工单编号和手机号后四位。"
RATE_LIMITED = "查询过于频繁，请稍后再试。"


def get_service(request: Request) -> TicketService:
    service: TicketService = request.app.state.tickets
    return service


def normalize_number(number: str) -> str:
    return number.strip().upper()


def _not_found() -> HTTPException:
    return HTTPException(status_code=404, detail=NOT_FOUND)


def _load(service: TicketService, number: str) -> Ticket:
    number = normalize_number(number)
    if not plausible_number(number):
        raise _not_found()
    try:
        return service.get(number)
    except TicketNotFound:
        raise _not_found() from None


def _due_note(service: TicketService, ticket: Ticket) -> str | None:
    return estimate_note(ticket.due_date, service.rules)


def _apply(
    service: TicketService, operation: Callable[..., Ticket], number: str, *args: Any, **kwargs: Any
) -> dict[str, Any]:
    if not plausible_number(number):
        raise _not_found()
    try:
        ticket = operation(number, *args, **kwargs)
    except TicketNotFound:
        raise _not_found() from None
    except TransitionError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    return ticket_out(ticket, service.overdue(ticket), due_note=_due_note(service, ticket))


@router.post(
    "",
    response_model=TicketOut,
    status_code=201,
    summary="受理工单（幂等）",
    responses={200: {"description": "同一 Idempotency-Key 的重试，返回已有工单"}},
)
def create_ticket(
    body: TicketCreate,
    response: Response,
    idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=200),
    service: TicketService = Depends(get_service),
) -> dict[str, Any]:
    category = body.category.value if body.category else None
    new = NewTicket(**{**body.dict(), "category": category, "urgency": body.urgency.value})
    ticket, created = service.create(new, idempotency_key)
    response.status_code = 201 if created else 200
    return ticket_out(ticket, service.overdue(ticket), due_note=_due_note(service, ticket))


@router.get("", response_model=TicketList, summary="工单列表（个人信息已脱敏）")
def list_tickets(
    status: Status | None = None,
    category: Category | None = None,
    department: str | None = None,
    supervised: bool | None = None,
    idempotency_key: str | None = None,
    conversation_id: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    service: TicketService = Depends(get_service),
) -> dict[str, Any]:
    total, tickets = service.list(
        status=status.value if status else None,
        category=category.value if category else None,
        department=department,
        supervised=supervised,
        idempotency_key=idempotency_key,
        conversation_id=conversation_id,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "items": [ticket_list_item(t, service.overdue(t)) for t in tickets]}


def _owned_ticket(
    request: Request,
    service: TicketService,
    number: str,
    phone_last4: str,
    client_id: str | None,
    citizen_address: str | None = None,
) -> Ticket:
    """The ticket if number and phone digits match. Rate-limited per client and conversation; wrong
    combinations back off per ticket number and per citizen address (bot/tickets/status_guard.py)."""
    host = request.client.host if request.client else None
    limits = request.app.state.limits
    address = limits.guard.address(host, citizen_address)
    wait = limits.guard.retry_after(number, address)
    if not limits.status_query.hit(f"{host or '-'}|{client_id or ''}") or wait > 0:
        seconds = max(1, math.ceil(wait))
        raise HTTPException(
            status_code=429,
            detail=f"查询过于频繁，请 {seconds} 秒后再试。" if wait > 0 else RATE_LIMITED,
            headers={"Retry-After": str(seconds)},
        )
    ticket = service.status_query(number, phone_last4) if plausible_number(number) else None
    if ticket is None:
        limits.guard.failed(number, address)  # counted for unknown numbers too, so 429 reveals nothing
        raise _not_found()
    limits.guard.succeeded(number)
    return ticket


@router.post(
    "/status-query",
    response_model=StatusQueryOut,
    summary="市民查询办理进度（工单编号 + 手机号后四位）",
    responses={
        404: {"description": "编号与手机号不匹配或工单不存在（同一答复）"},
        429: {"description": "查询过于频繁"},
    },
)
def status_query(
    body: StatusQueryIn,
    request: Request,
    x_client_id: str | None = Header(None, alias="X-Client-Id", max_length=200),
    x_citizen_address: str | None = Header(None, alias="X-Citizen-Address", max_length=100),
    service: TicketService = Depends(get_service),
) -> dict[str, Any]:
    number = normalize_number(body.number)
    ticket = _owned_ticket(request, service, number, body.phone_last4, x_client_id, x_citizen_address)
    return status_query_out(ticket, due_note=_due_note(service, ticket))


@router.post("/supervise", response_model=SuperviseOut, summary="标记超期工单为督办")
def supervise(service: TicketService = Depends(get_service)) -> dict[str, Any]:
    return {"flagged": service.flag_overdue()}


@router.get("/{number}", response_model=TicketOut, summary="工单详情（含全部事件）")
def get_ticket(number: str, service: TicketService = Depends(get_service)) -> dict[str, Any]:
    ticket = _load(service, number)
    return ticket_out(ticket, service.overdue(ticket), due_note=_due_note(service, ticket))


@router.get("/{number}/events", response_model=list[EventOut], summary="工单历史")
def get_events(number: str, service: TicketService = Depends(get_service)) -> list[dict[str, Any]]:
    return [event_out(e) for e in _load(service, number).events]


@router.patch("/{number}", response_model=TicketOut, summary="修改承办部门或紧急程度")
def update_ticket(number: str, body: TicketUpdate, service: TicketService = Depends(get_service)) -> dict[str, Any]:
    return _apply(
        service,
        service.update,
        normalize_number(number),
        body.actor,
        department=body.department,
        urgency=body.urgency.value if body.urgency else None,
        note=body.note,
    )


@router.post(
    "/{number}/transition",
    response_model=TicketOut,
    summary="状态流转",
    responses={409: {"description": "不允许的状态变更"}},
)
def transition(number: str, body: TransitionIn, service: TicketService = Depends(get_service)) -> dict[str, Any]:
    return _apply(
        service,
        service.transition,
        normalize_number(number),
        body.to.value,
        body.actor,
        note=body.note,
        department=body.department,
        reply=body.reply,
    )


@router.post(
    "/{number}/return",
    response_model=TicketOut,
    summary="退回派单员（回到已受理）",
    responses={409: {"description": "当前状态不能退回"}},
)
def return_ticket(number: str, body: ReturnIn, service: TicketService = Depends(get_service)) -> dict[str, Any]:
    return _apply(service, service.return_to_dispatcher, normalize_number(number), body.actor, body.note)


@router.post("/{number}/reply", response_model=TicketOut, summary="填写给市民的部门答复")
def reply(number: str, body: ReplyIn, service: TicketService = Depends(get_service)) -> dict[str, Any]:
    return _apply(service, service.reply, normalize_number(number), body.text, body.actor)


@router.post(
    "/{number}/rating",
    response_model=TicketOut,
    summary="回访评价（好差评，仅已办结工单）",
    responses={409: {"description": "未办结或已评价"}},
)
def rate(
    number: str,
    body: RatingIn,
    request: Request,
    x_client_id: str | None = Header(None, alias="X-Client-Id", max_length=200),
    x_citizen_address: str | None = Header(None, alias="X-Citizen-Address", max_length=100),
    service: TicketService = Depends(get_service),
) -> dict[str, Any]:
    number = normalize_number(number)
    if body.phone_last4 is not None:
        _owned_ticket(request, service, number, body.phone_last4, x_client_id, x_citizen_address)
    return _apply(service, service.rate, number, body.grade.value, body.comment)
