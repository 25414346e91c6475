"""时限预警 (deadline warnings and the dispatcher's daily digest) and 重新发送 of a failed notice (audited)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from bot.console.crud import audit
from bot.console.permissions import allowed
from bot.console.routes.deps import ConsoleRoute, action, console, forbidden, not_found, page, render, see_other
from bot.console.services.auth import CurrentUser
from bot.console.services.workbench import Forbidden
from bot.notify.service import NoticeNotFound, NotRetryable
from bot.tickets.service import TicketNotFound

router = APIRouter(route_class=ConsoleRoute)


@router.get("/warnings", summary="时限预警")
def warnings(request: Request, user: CurrentUser = Depends(page("warnings"))):
    app = console(request)
    board = app.deadlines
    rows = board.rows(user)
    board.mark_seen(user)  # after reading: this page still shows which ones were new
    return render(
        request,
        "warnings.html",
        {
            "title": "时限预警",
            "user": user,
            "rows": rows,
            "digests": board.digests() if allowed(user.role, "tickets.all") else [],
        },
    )


@router.post("/tickets/{number}/notices/{notice_id}/retry", summary="重新发送失败的通知（留痕）")
def retry_notice(request: Request, number: str, notice_id: int, user: CurrentUser = Depends(action("notify.retry"))):
    app = console(request)
    try:
        ticket = app.workbench.get(user, number)
    except TicketNotFound:
        raise not_found("工单") from None
    except Forbidden:
        raise forbidden() from None
    notify = request.app.state.notify
    with app.db.session(write=True) as session:
        try:
            notice = notify.retry(notice_id, user.actor, session=session)
        except NoticeNotFound:
            raise not_found("通知") from None
        except NotRetryable:
            return see_other(f"/console/tickets/{ticket.number}?done=notice_not_failed")
        if notice.ticket_id != ticket.id:
            raise not_found("通知")
        audit.record(
            session,
            user.username,
            user.role,
            "notice.retry",
            f"ticket:{ticket.number}",
            before={"notice": notice_id, "state": "failed", "error": notice.last_error},
            after={"notice": notice_id, "state": "pending"},
        )
    return see_other(f"/console/tickets/{ticket.number}?done=notice_retry")
