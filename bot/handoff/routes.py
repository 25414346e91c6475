"""Handoff API: the bot asks (API token), the citizen's page or app polls (the request's poll token).

    POST /api/handoff/requests                     (token)  join the queue, or closed + why
    POST /api/handoff/requests/{id}/cancel         (token)  the bot cancels for the citizen (/cancel_handoff)
    POST /api/handoff/requests/cancel              (token)  the same, by conversation id (no slot needed)
    GET  /api/handoff/{id}/events?token=&after=    (public, poll token) status changes and staff messages
    POST /api/handoff/{id}/cancel?token=           (public, poll token) the citizen leaves the queue or the chat

The poll token can also be sent as the header `X-Handoff-Token` (keeps it out of access logs).
The public routes stay out of the token-protected OpenAPI description, like the web chat page.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request

from bot.core.auth import require_token
from bot.handoff.schemas import CancelOut, ConversationIn, EventsOut, HandoffAnswer, HandoffRequestIn
from bot.handoff.service import HandoffError, HandoffService, RequestNotFound

NOT_FOUND = "没有找到这次转人工，可能已经结束。"

router = APIRouter(prefix="/api/handoff", tags=["转人工"], dependencies=[Depends(require_token)])
public_router = APIRouter(prefix="/api/handoff", tags=["转人工"], include_in_schema=False)


def get_service(request: Request) -> HandoffService:
    return request.app.state.handoff


def poll_token(
    token: str | None = Query(None, max_length=100),
    header: str | None = Header(None, alias="X-Handoff-Token", max_length=100),
) -> str:
    return header or token or ""


@router.post(
    "/requests", response_model=HandoffAnswer, response_model_exclude_none=True, summary="转人工：排队或告知何时有人"
)
def create_request(body: HandoffRequestIn, service: HandoffService = Depends(get_service)):
    return service.request(body.conversation_id, body.channel, body.reason.value, body.elderly)


@router.post(
    "/requests/cancel",
    response_model=CancelOut,
    summary="按会话取消排队或结束人工对话（机器人代市民）",
    responses={404: {"description": "这段对话没有排队或进行中的转人工"}},
)
def cancel_conversation(body: ConversationIn, service: HandoffService = Depends(get_service)):
    try:
        answer = service.cancel_open(body.conversation_id)
    except HandoffError as error:
        raise HTTPException(status_code=503, detail=str(error)) from None
    if answer is None:
        raise HTTPException(status_code=404, detail="这段对话没有排队或进行中的转人工。")
    return answer


@router.post(
    "/requests/{request_id}/cancel", response_model=CancelOut, summary="取消排队或结束人工对话（机器人代市民）"
)
def cancel_for_citizen(request_id: int, service: HandoffService = Depends(get_service)):
    return _cancel(service, request_id, None)


def _cancel(service: HandoffService, request_id: int, token: str | None) -> dict:
    try:
        return service.cancel(request_id, token=token)
    except RequestNotFound:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None
    except HandoffError as error:  # Rasa down: the chat stays connected, try again
        raise HTTPException(status_code=503, detail=str(error)) from None


@public_router.get("/{request_id}/events", response_model=EventsOut)
def events(
    request_id: int,
    after: int = Query(0, ge=0),
    token: str = Depends(poll_token),
    service: HandoffService = Depends(get_service),
):
    try:
        return service.events(request_id, token, after)
    except RequestNotFound:
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None


@public_router.post("/{request_id}/cancel", response_model=CancelOut)
def cancel(request_id: int, token: str = Depends(poll_token), service: HandoffService = Depends(get_service)):
    return _cancel(service, request_id, token)
