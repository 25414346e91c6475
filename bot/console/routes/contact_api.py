"""`GET /api/tickets/{number}/contact`: the full phone for a system that must call the citizen back.

A scope of its own: the ordinary API token is refused (403), only the contact token opens it
(BACKEND_CONTACT_TOKEN, else var/secrets/contact_token, generated once). `X-Actor` names who asks; each
answer is audited in the console's 操作记录 (actor `api:<X-Actor>`) and rate-limited per actor like the
console's 查看完整号码. `GET /api/tickets/{number}` keeps returning the masked number.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from bot.console.services.phone_reveal import RevealRefused
from bot.core.auth import UNAUTHORIZED_DETAIL, bearer_scheme, is_authorized
from bot.core.security import token_matches
from bot.tickets.numbering import plausible_number
from bot.tickets.service import TicketNotFound

router = APIRouter(prefix="/api/tickets", tags=["工单"])


class ContactOut(BaseModel):
    number: str
    phone: str = Field(..., description="完整号码（本次查看已留痕）")


def require_contact_scope(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)
) -> None:
    candidate = credentials.credentials if credentials else None
    if token_matches(candidate, getattr(request.app.state, "contact_token", "")):
        return
    if is_authorized(request, candidate):  # a valid API token without the scope
        raise HTTPException(status_code=403, detail="此令牌没有查看完整号码的权限（需要 contact 令牌）")
    raise HTTPException(status_code=401, detail=UNAUTHORIZED_DETAIL, headers={"WWW-Authenticate": "Bearer"})


@router.get(
    "/{number}/contact",
    response_model=ContactOut,
    summary="查看完整号码（contact 令牌，留痕，限频）",
    dependencies=[Depends(require_contact_scope)],
    responses={403: {"description": "令牌没有 contact 权限"}, 429: {"description": "查看过于频繁"}},
)
def contact(
    number: str, request: Request, x_actor: str = Header(..., alias="X-Actor", min_length=1, max_length=100)
) -> ContactOut:
    number = number.strip().upper()
    try:
        if not plausible_number(number):
            raise TicketNotFound(number)
        ticket = request.app.state.tickets.get(number)
    except TicketNotFound:
        raise HTTPException(status_code=404, detail="未找到该工单") from None
    try:
        phone = request.app.state.console.reveals.reveal(
            f"api:{x_actor}", None, f"ticket:{number}", ticket.phone, "API"
        )
    except RevealRefused as refused:
        raise HTTPException(status_code=429, detail=str(refused)) from None
    return ContactOut(number=number, phone=phone)
