"""Photos with a complaint (issue 17): up to MAX_PHOTOS per ticket, from the citizen's own conversation.

    POST /api/citizen-photos/{number}      public: multipart `conversation_id` + `photo`; the ticket must
                                           belong to that conversation (else the same 404 as unknown)
    POST /api/citizen-photos/draft         the same while the complaint form is still open (photo_drafts.py)
    GET  /open311/v2/media/{token}.jpg     the photo for Open311 clients and the tickets API (API token)

A photo is checked by its content (JPEG, PNG or WebP that Pillow decodes; not by its name or the
browser's type), limited in bytes and pixels, turned upright and re-encoded as JPEG without any
metadata: EXIF, GPS position, camera serials are gone; whether a position was in it is noted for staff.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy import func, select

from bot.core.auth import require_token_or_api_key
from bot.core.security import RateLimiter
from bot.tickets.models import Ticket, TicketMedia

MAX_PHOTOS = 3
MAX_BYTES = 1024 * 1024  # the backend's request limit (MAX_BODY_BYTES); the page shrinks photos to fit
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
LONGEST_SIDE = 2048
FORMATS = {"JPEG", "PNG", "WEBP"}
GPS_TAG = 0x8825
NOT_FOUND = "未找到该工单。"

public_router = APIRouter(prefix="/api/citizen-photos", tags=["工单照片"], include_in_schema=False)
media_router = APIRouter(prefix="/open311/v2/media", tags=["Open311"], dependencies=[Depends(require_token_or_api_key)])
_per_client = RateLimiter(30, 3600)


class PhotoRefused(ValueError):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


def media_dir(var_dir: Path) -> Path:
    return var_dir / "media"


def clean_photo(data: bytes) -> tuple[bytes, int, int, bool]:
    """(JPEG bytes without metadata, width, height, had a GPS position) or PhotoRefused."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        raise PhotoRefused(413, "照片太大了（每张不超过 1 MB），请换一张或压缩后再传。")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise PhotoRefused(415, "只能上传 JPG、PNG 或 WebP 格式的照片。")
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRefused(413, "照片像素太多，请换一张。")
            had_location = bool(image.getexif().get_ifd(GPS_TAG)) if image.format == "JPEG" else False
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise PhotoRefused(415, "这个文件不是能打开的照片（只能上传 JPG、PNG 或 WebP）。") from None
    upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: no metadata written
    return out.getvalue(), upright.width, upright.height, had_location


@dataclass
class StoredPhoto:
    token: str
    size: int
    width: int
    height: int
    had_location: bool

    def columns(self) -> dict[str, Any]:
        """The fields of a TicketMedia (or PhotoDraft) row for this file."""
        return {
            "token": self.token,
            "content_type": "image/jpeg",
            "size": self.size,
            "width": self.width,
            "height": self.height,
            "had_location": self.had_location,
        }


def store_photo(var_dir: Path, data: bytes) -> StoredPhoto:
    """Check and clean the photo (PhotoRefused) and write it under var/media/ with a random name."""
    clean, width, height, had_location = clean_photo(data)
    token = secrets.token_hex(16)
    folder = media_dir(var_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{token}.jpg").write_bytes(clean)
    return StoredPhoto(token, len(clean), width, height, had_location)


def check_rate(request: Request) -> None:
    client = request.client.host if request.client else "?"
    if not _per_client.hit(client):
        raise HTTPException(status_code=429, detail="上传太频繁了，请稍后再试。")


def media_of(session: Any, ticket_id: int) -> list[TicketMedia]:
    rows = session.execute(select(TicketMedia).where(TicketMedia.ticket_id == ticket_id).order_by(TicketMedia.id))
    return list(rows.scalars().all())


def attach_photo(request: Request, number: str, conversation_id: str, data: bytes) -> dict[str, Any]:
    service = request.app.state.tickets
    settings = request.app.state.settings
    with service.db.session(write=True) as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one_or_none()
        if ticket is None or not conversation_id or ticket.conversation_id != conversation_id:
            raise PhotoRefused(404, NOT_FOUND)  # another citizen's ticket looks exactly like no ticket
        count = session.execute(select(func.count()).where(TicketMedia.ticket_id == ticket.id)).scalar_one()
        if count >= MAX_PHOTOS:
            raise PhotoRefused(409, f"每件工单最多 {MAX_PHOTOS} 张照片，已经传满了。")
        stored = store_photo(settings.var_dir, data)
        session.add(TicketMedia(ticket_id=ticket.id, **stored.columns()))
    return {"count": count + 1, "max": MAX_PHOTOS, "location_removed": stored.had_location}


@public_router.post("/{number}", status_code=201, summary="市民为自己的工单附照片（最多 3 张）")
async def upload(
    number: str,
    request: Request,
    conversation_id: str = Form(..., max_length=200),
    photo: UploadFile = File(...),
) -> dict[str, Any]:
    check_rate(request)
    data = await photo.read(MAX_BYTES + 1)
    try:
        return attach_photo(request, number.strip().upper(), conversation_id.strip(), data)
    except PhotoRefused as refused:
        raise HTTPException(status_code=refused.status, detail=refused.detail) from None


@media_router.get("/{token}.jpg", summary="工单照片（Open311 media_url）")
def photo_file(token: str, request: Request) -> FileResponse:
    if not (len(token) == 32 and all(c in "0123456789abcdef" for c in token)):
        raise HTTPException(status_code=404, detail="未找到照片")
    path = media_dir(request.app.state.settings.var_dir) / f"{token}.jpg"
    if not path.is_file():
        raise HTTPException(status_code=404, detail="未找到照片")
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})
