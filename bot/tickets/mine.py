"""我的工单: the tickets a citizen filed in their own conversations (API token: the action server asks).

A conversation id is the citizen's chat session (the web page keeps a random one per browser, and a few
earlier ones after 新对话); only tickets whose `conversation_id` is one of the ids asked for are listed,
so nobody sees another citizen's tickets. Tickets looked up by number + phone digits are not listed
here: the status query (routes.py) stays the way to see those.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, validator
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.common.privacy import mask_text
from bot.core.auth import require_token
from bot.tickets.due_dates import estimate_note
from bot.tickets.models import Ticket
from bot.tickets.schemas import status_query_out
from bot.tickets.service import TicketService

router = APIRouter(prefix="/api/tickets", tags=["工单"], dependencies=[Depends(require_token)])

MAX_CONVERSATIONS = 12  # this session and the earlier ones a page remembers
MAX_TICKETS = 20


class ConversationTicketsIn(BaseModel):
    conversation_ids: list[str] = Field(..., min_items=1, max_items=MAX_CONVERSATIONS)

    @validator("conversation_ids", each_item=True)
    def _sensible(cls, value: str) -> str:
        value = value.strip()
        if not value or len(value) > 200:
            raise ValueError("会话编号无效")
        return value


def conversation_tickets(service: TicketService, conversation_ids: list[str]) -> list[dict[str, Any]]:
    """Newest first; the summary masked (a citizen may have typed a phone number into it)."""
    with service.db.session() as session:
        rows = (
            session.execute(
                select(Ticket)
                .where(Ticket.conversation_id.in_(sorted(set(conversation_ids))))
                .options(selectinload(Ticket.events))
                .order_by(Ticket.id.desc())
                .limit(MAX_TICKETS)
            )
            .scalars()
            .all()
        )
        items = []
        for ticket in rows:
            item = status_query_out(ticket, due_note=estimate_note(ticket.due_date, service.rules))
            item["summary"] = mask_text(ticket.summary)
            items.append(item)
    return items


@router.post("/of-conversations", summary="我的工单：这些会话登记的工单（含办理经过，个人信息已脱敏）")
def of_conversations(body: ConversationTicketsIn, request: Request) -> dict[str, Any]:
    service: TicketService = request.app.state.tickets
    return {"items": conversation_tickets(service, body.conversation_ids)}
