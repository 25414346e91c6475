"""Photos added inside the complaint form, before the ticket exists (issue 17).

    POST   /api/citizen-photos/draft        public: multipart `conversation_id` + `photo` → {id, count, max, …}
    DELETE /api/citizen-photos/draft/{id}   public: form `conversation_id`; only that conversation's own draft

Checked, cleaned, stored and rate-limited like a ticket's photos (media.py); at most MAX_PHOTOS per
conversation. When a ticket is created for the conversation (TicketService.created_listeners), its drafts
younger than MAX_AGE become the ticket's photos in the same transaction. Drafts never attached are deleted
with their files once older than MAX_AGE: on the next draft upload and by the backend's hourly job.
Another conversation's id sees none of them: a draft it names is the same 404 as no draft.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.database import Database
from bot.tickets.media import MAX_BYTES, MAX_PHOTOS, PhotoRefused, check_rate, media_dir, store_photo
from bot.tickets.models import PhotoDraft, Ticket, TicketMedia, utcnow
from bot.tickets.service import NewTicket

log = logging.getLogger(__name__)

MAX_AGE = timedelta(hours=24)
SWEEP_SECONDS = 3600
NO_DRAFT = "未找到这张照片。"

router = APIRouter(prefix="/api/citizen-photos/draft", tags=["工单照片"], include_in_schema=False)


def live_drafts(session: Session, conversation_id: str, now: datetime | None = None) -> list[PhotoDraft]:
    """The conversation's drafts younger than MAX_AGE, oldest first."""
    since = (now or utcnow()) - MAX_AGE
    query = select(PhotoDraft).where(PhotoDraft.conversation_id == conversation_id, PhotoDraft.created_at > since)
    return list(session.execute(query.order_by(PhotoDraft.id)).scalars().all())


def add_draft(db: Database, var_dir: Path, conversation_id: str, data: bytes) -> dict[str, Any]:
    if not conversation_id:
        raise PhotoRefused(400, "缺少对话编号，请刷新页面后再试。")
    expire_drafts(db, var_dir)
    with db.session(write=True) as session:
        count = len(live_drafts(session, conversation_id))
        if count >= MAX_PHOTOS:
            raise PhotoRefused(409, f"每件诉求最多 {MAX_PHOTOS} 张照片，已经传满了。")
        stored = store_photo(var_dir, data)
        draft = PhotoDraft(conversation_id=conversation_id, **stored.columns())
        session.add(draft)
        session.flush()
        draft_id = draft.id
    return {"id": draft_id, "count": count + 1, "max": MAX_PHOTOS, "location_removed": stored.had_location}


def remove_draft(db: Database, var_dir: Path, draft_id: int, conversation_id: str) -> dict[str, Any]:
    with db.session(write=True) as session:
        draft = session.get(PhotoDraft, draft_id)
        if draft is None or not conversation_id or draft.conversation_id != conversation_id:
            raise PhotoRefused(404, NO_DRAFT)
        token = draft.token
        session.delete(draft)
        session.flush()
        count = len(live_drafts(session, conversation_id))
    (media_dir(var_dir) / f"{token}.jpg").unlink(missing_ok=True)
    return {"count": count, "max": MAX_PHOTOS}


def attach_drafts(session: Session, ticket: Ticket, new: NewTicket) -> None:
    """TicketService's created listener: the conversation's newest MAX_PHOTOS live drafts become the new
    ticket's photos (the files stay where they are; only the rows move)."""
    if not new.conversation_id:
        return
    drafts = live_drafts(session, new.conversation_id)[-MAX_PHOTOS:]
    for draft in drafts:
        ticket.media.append(
            TicketMedia(
                token=draft.token,
                content_type=draft.content_type,
                size=draft.size,
                width=draft.width,
                height=draft.height,
                had_location=draft.had_location,
            )
        )
        session.delete(draft)
    if drafts:
        session.flush()
        log.info("工单 %s 附上了填写时添加的 %d 张照片", ticket.number, len(drafts))


def expire_drafts(db: Database, var_dir: Path, now: datetime | None = None) -> int:
    """Delete drafts older than MAX_AGE and their files; returns how many."""
    cutoff = (now or utcnow()) - MAX_AGE
    with db.session(write=True) as session:
        old = list(session.execute(select(PhotoDraft).where(PhotoDraft.created_at <= cutoff)).scalars().all())
        tokens = [draft.token for draft in old]
        for draft in old:
            session.delete(draft)
    for token in tokens:
        (media_dir(var_dir) / f"{token}.jpg").unlink(missing_ok=True)
    if tokens:
        log.info("已删除 %d 张未随工单提交的照片（超过 %d 小时）", len(tokens), MAX_AGE // timedelta(hours=1))
    return len(tokens)


def _refused(refused: PhotoRefused) -> HTTPException:
    return HTTPException(status_code=refused.status, detail=refused.detail)


@router.post("", status_code=201, summary="市民在填写诉求时附照片（最多 3 张，提交时随工单保存）")
async def upload_draft(
    request: Request,
    conversation_id: str = Form(..., max_length=200),
    photo: UploadFile = File(...),
) -> dict[str, Any]:
    check_rate(request)
    data = await photo.read(MAX_BYTES + 1)
    app = request.app.state
    try:
        return add_draft(app.tickets.db, app.settings.var_dir, conversation_id.strip(), data)
    except PhotoRefused as refused:
        raise _refused(refused) from None


@router.delete("/{draft_id}", summary="市民删掉一张还没提交的照片")
def delete_draft(draft_id: int, request: Request, conversation_id: str = Form(..., max_length=200)) -> dict[str, Any]:
    app = request.app.state
    try:
        return remove_draft(app.tickets.db, app.settings.var_dir, draft_id, conversation_id.strip())
    except PhotoRefused as refused:
        raise _refused(refused) from None
