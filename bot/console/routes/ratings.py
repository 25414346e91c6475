"""好差评 from the chat page (public, no token): POST /api/service-ratings.

    {"conversation_id": "web-…", "kind": "chat" | "handoff", "grade": "满意", "comment": "…"}

Limited per client address; one rating per conversation and kind (a later one replaces it).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from bot.console.routes.deps import console
from bot.console.services.service_ratings import RatingError
from bot.core.security import RateLimiter

public_router = APIRouter(prefix="/api/service-ratings", tags=["好差评"], include_in_schema=False)
_per_client = RateLimiter(30, 3600)


class RatingIn(BaseModel):
    conversation_id: str = Field(..., min_length=1, max_length=255)
    kind: str = Field("chat", max_length=10)
    grade: str = Field(..., max_length=10)
    comment: str = Field("", max_length=2000)


@public_router.post("", status_code=201, summary="评价这次服务（好差评五级）")
def rate(body: RatingIn, request: Request) -> dict[str, str]:
    client = request.client.host if request.client else "?"
    if not _per_client.hit(client):
        raise HTTPException(status_code=429, detail="评价太频繁了，请稍后再试。")
    try:
        console(request).ratings.rate(body.conversation_id, body.kind, body.grade, body.comment)
    except RatingError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    return {"status": "ok", "grade": body.grade}
