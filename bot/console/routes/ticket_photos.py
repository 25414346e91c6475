"""工单照片 in the workbench: a citizen's photo, for staff who may see the ticket (bot/tickets/media.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from bot.console.routes.deps import ConsoleRoute, console, forbidden, not_found, page
from bot.console.services.auth import CurrentUser
from bot.console.services.workbench import Forbidden
from bot.tickets.media import media_dir
from bot.tickets.service import TicketNotFound

router = APIRouter(route_class=ConsoleRoute)


@router.get("/tickets/{number}/photos/{token}.jpg", summary="市民上传的照片")
def ticket_photo(request: Request, number: str, token: str, user: CurrentUser = Depends(page("tickets"))):
    try:
        ticket = console(request).workbench.get(user, number)  # department staff: their own tickets only
    except TicketNotFound:
        raise not_found("工单") from None
    except Forbidden:
        raise forbidden() from None
    if token not in {m.token for m in ticket.media}:
        raise not_found("照片")
    path = media_dir(request.app.state.settings.var_dir) / f"{token}.jpg"
    if not path.is_file():
        raise not_found("照片")
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})
