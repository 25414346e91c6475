"""Notice routes.

POST /api/notify/web/pending   the web chat page, on load: notices waiting for its conversation (public:
                               the page's conversation id is the key, and a notice says no more than a
                               ticket number and status)
POST /api/notify/web/shown     the page has shown them: delivered
GET  /api/notify/stats         counts of the outbox and the warnings (API token)
GET  /api/tickets/{n}/notices  a ticket's notices, as the console shows them (API token)
POST /api/notify/run           one delivery round and one deadline scan now (API token)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from bot.core.auth import require_token
from bot.notify.models import STATE_LABELS, DeadlineWarning, Digest
from bot.notify.service import NotifyService
from bot.tickets.service import TicketNotFound, to_china_time

# The page's own routes stay out of the API schema, like /api/handoff's.
public_router = APIRouter(prefix="/api/notify/web", tags=["通知"], include_in_schema=False)
router = APIRouter(tags=["通知"], dependencies=[Depends(require_token)])


class WebPendingIn(BaseModel):
    conversation_id: str = Field(..., min_length=1, max_length=200)


class WebShownIn(WebPendingIn):
    ids: list[int] = Field(..., max_items=50)


def _service(request: Request) -> NotifyService:
    service: NotifyService = request.app.state.notify
    return service


@public_router.post("/pending", summary="网页对话：等待显示的通知")
def web_pending(body: WebPendingIn, request: Request) -> dict[str, Any]:
    notices = _service(request).web_pending(body.conversation_id)
    return {"notices": [notice.__dict__ for notice in notices]}


@public_router.post("/shown", summary="网页对话：通知已显示")
def web_shown(body: WebShownIn, request: Request) -> dict[str, int]:
    return {"delivered": _service(request).web_shown(body.conversation_id, body.ids)}


@router.get("/api/notify/stats", summary="通知和时限预警的计数")
def stats(request: Request) -> dict[str, Any]:
    service = _service(request)
    with service.db.session() as session:
        rows = session.execute(select(DeadlineWarning.kind, func.count()).group_by(DeadlineWarning.kind))
        warnings = {kind: count for kind, count in rows}
        digests = session.execute(select(func.count()).select_from(Digest)).scalar_one()
    return {"notices": service.stats(), "warnings": warnings, "digests": digests}


@router.post("/api/notify/run", summary="立即发送一轮通知并检查一次时限")
def run_now(request: Request) -> dict[str, Any]:
    round_result = _service(request).deliver_due()
    scan = request.app.state.deadlines.scan()
    return {
        "delivered": len(round_result.delivered),
        "retrying": len(round_result.retrying),
        "failed": len(round_result.failed),
        "due_soon": scan.due_soon,
        "overdue": scan.overdue,
    }


@router.get("/api/tickets/{number}/notices", summary="工单的通知记录（接收人已脱敏）")
def ticket_notices(number: str, request: Request) -> dict[str, Any]:
    try:
        ticket = request.app.state.tickets.get(number.strip().upper())
    except TicketNotFound:
        raise HTTPException(status_code=404, detail="未找到该工单") from None
    return {
        "notices": [
            {
                "id": n.id,
                "event": n.event,
                "recipient": n.recipient_label,
                "channel": n.channel,
                "text": n.text,
                "state": n.state,
                "state_label": STATE_LABELS.get(n.state, n.state),
                "attempts": n.attempts,
                "last_error": n.last_error,
                "created_at": to_china_time(n.created_at),
                "delivered_at": to_china_time(n.delivered_at),
            }
            for n in _service(request).for_ticket(ticket.id)
        ]
    }
